import type { CallHandler } from "../monitor";

/** The account id the placeholders use: AWS's documentation example account. */
export const PLACEHOLDER_ACCOUNT_ID = "123456789012";

/**
 * Accounts that publish SageMaker's prebuilt scikit-learn images, by region, from the SageMaker
 * Developer Guide ("Docker registry paths and example code", scikit-learn). A region not listed
 * here fails the plan with its name rather than getting a made-up account.
 */
export const SKLEARN_IMAGE_ACCOUNTS: Record<string, string> = {
  "af-south-1": "510948584623",
  "ap-east-1": "651117190479",
  "ap-northeast-1": "354813040037",
  "ap-northeast-2": "366743142698",
  "ap-south-1": "720646828776",
  "ap-southeast-1": "121021644041",
  "ap-southeast-2": "783357654285",
  "ca-central-1": "341280168497",
  "eu-central-1": "492215442770",
  "eu-north-1": "662702820516",
  "eu-south-1": "978288397137",
  "eu-west-1": "141502667606",
  "eu-west-2": "764974769150",
  "eu-west-3": "659782779980",
  "me-south-1": "801668240914",
  "sa-east-1": "737474898029",
  "us-east-1": "683313688378",
  "us-east-2": "257758044811",
  "us-west-1": "746614075791",
  "us-west-2": "246618743249",
};

/**
 * Accounts that publish the AWS Deep Learning Containers (`pytorch-training` and the other
 * framework images), by region, as the provider's table of prebuilt images lists them. A region
 * not listed here fails the plan with its name.
 */
export const DEEP_LEARNING_IMAGE_ACCOUNTS: Record<string, string> = {
  "ap-east-1": "871362719292",
  "ap-northeast-1": "763104351884",
  "ap-northeast-2": "763104351884",
  "ap-south-1": "763104351884",
  "ap-southeast-1": "763104351884",
  "ap-southeast-2": "763104351884",
  "ca-central-1": "763104351884",
  "eu-central-1": "763104351884",
  "eu-north-1": "763104351884",
  "eu-west-1": "763104351884",
  "eu-west-2": "763104351884",
  "eu-west-3": "763104351884",
  "me-south-1": "217643126080",
  "sa-east-1": "763104351884",
  "us-east-1": "763104351884",
  "us-east-2": "763104351884",
  "us-west-1": "763104351884",
  "us-west-2": "763104351884",
};

/** The registry accounts of the prebuilt repositories the program looks up. */
const PREBUILT_IMAGE_ACCOUNTS: Record<string, Record<string, string>> = {
  "sagemaker-scikit-learn": SKLEARN_IMAGE_ACCOUNTS,
  "pytorch-training": DEEP_LEARNING_IMAGE_ACCOUNTS,
};

/** The placeholder region's zone letters; zone ids follow the region's own numbering. */
const ZONE_LETTERS = ["a", "b", "c"];

function zonesOf(region: string) {
  return {
    names: ZONE_LETTERS.map((l) => `${region}${l}`),
    zoneIds: ZONE_LETTERS.map((_, i) => `${region}-az${i + 1}`),
  };
}

/** The values of a data-source filter by name, as the call passed them. */
function filterValues(inputs: Record<string, unknown>, name: string): string[] {
  const filters = (inputs.filters ?? []) as { name?: string; values?: string[] }[];
  return filters.find((f) => f.name === name)?.values ?? [];
}

function regionOf(inputs: Record<string, unknown>): string {
  const region = inputs.region;
  if (typeof region !== "string" || region === "") {
    throw new Error("the offline placeholder needs the region passed explicitly");
  }
  return region;
}

/** Answers to the aws data-source calls the program makes, for the offline plan. */
export const AWS_PLACEHOLDERS: Record<string, CallHandler> = {
  /** Who runs the program: stands for the deploying account, whose id goes into ARNs. */
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    id: PLACEHOLDER_ACCOUNT_ID,
    accountId: PLACEHOLDER_ACCOUNT_ID,
    arn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT_ID}:user/placeholder`,
    userId: "AIDAPLACEHOLDER",
  }),
  /** The commercial partition, where every region the spec accepts without `-gov`/`-iso` lives. */
  "aws:index/getPartition:getPartition": () => ({
    id: "aws",
    partition: "aws",
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
  }),
  /** Stands for the region's zones that need no opt-in: the region name with a, b and c. */
  "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs) => {
    const region = regionOf(inputs);
    return {
      ...inputs,
      id: region,
      region,
      ...zonesOf(region),
      groupNames: ZONE_LETTERS.map(() => region),
    };
  },
  /**
   * An AWS interface endpoint service, offered in every placeholder zone of its region. The
   * region is read from the service name (`com.amazonaws.<region>.<service>`).
   */
  "aws:ec2/getVpcEndpointService:getVpcEndpointService": (inputs) => {
    const serviceName = String(inputs.serviceName ?? "");
    const match = /^com\.amazonaws\.([a-z0-9-]+)\.(.+)$/.exec(serviceName);
    if (match === null) {
      throw new Error(`no placeholder for endpoint service ${serviceName || "(unnamed)"}`);
    }
    const [, region, service] = match;
    return {
      ...inputs,
      id: serviceName,
      serviceName,
      service,
      serviceType: inputs.serviceType ?? "Interface",
      serviceRegion: region,
      region,
      owner: "amazon",
      acceptanceRequired: false,
      managesVpcEndpoints: false,
      vpcEndpointPolicySupported: true,
      availabilityZones: zonesOf(region).names,
      baseEndpointDnsNames: [`${service}.${region}.vpce.amazonaws.com`],
      privateDnsName: `${service}.${region}.amazonaws.com`,
      privateDnsNames: [`${service}.${region}.amazonaws.com`],
      supportedIpAddressTypes: ["ipv4"],
      arn: `arn:aws:ec2:${region}::vpc-endpoint-service/${service}`,
      serviceId: `vpce-svc-${service.replace(/[^a-z0-9]/g, "")}`,
      tags: {},
    };
  },
  /**
   * Every requested instance type offered in every placeholder zone of the region, one offering
   * per type and zone id, as EC2 lists them: `instanceTypes`, `locations` and `locationTypes`
   * side by side.
   */
  "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": (inputs) => {
    const region = regionOf(inputs);
    if (inputs.locationType !== "availability-zone-id") {
      throw new Error("the placeholder answers offerings by availability-zone-id only");
    }
    const types = filterValues(inputs, "instance-type");
    const { zoneIds } = zonesOf(region);
    const offerings = types.flatMap((instanceType) =>
      zoneIds.map((location) => ({ instanceType, location })),
    );
    return {
      ...inputs,
      id: region,
      region,
      instanceTypes: offerings.map((o) => o.instanceType),
      locations: offerings.map((o) => o.location),
      locationTypes: offerings.map(() => "availability-zone-id"),
    };
  },
  /** SageMaker's prebuilt image path, as the provider computes it from its table of accounts. */
  "aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage": (inputs) => {
    const region = regionOf(inputs);
    const repositoryName = String(inputs.repositoryName);
    const accounts = PREBUILT_IMAGE_ACCOUNTS[repositoryName];
    if (accounts === undefined) {
      throw new Error(`no placeholder for repository ${repositoryName}`);
    }
    const registryId = accounts[region];
    if (registryId === undefined) {
      throw new Error(
        `SageMaker publishes no ${repositoryName} image account for ${region} in the provider's table; use a region it lists`,
      );
    }
    const imageTag = typeof inputs.imageTag === "string" ? inputs.imageTag : "1";
    const registryPath = `${registryId}.dkr.ecr.${region}.amazonaws.com/${repositoryName}:${imageTag}`;
    return {
      id: registryPath,
      region,
      repositoryName,
      imageTag,
      registryId,
      registryPath,
    };
  },
};
