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
    const letters = ["a", "b", "c"];
    return {
      ...inputs,
      id: region,
      region,
      names: letters.map((l) => `${region}${l}`),
      zoneIds: letters.map((_, i) => `${region}-az${i + 1}`),
      groupNames: letters.map(() => region),
    };
  },
  /** SageMaker's prebuilt image path, as the provider computes it from its table of accounts. */
  "aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage": (inputs) => {
    const region = regionOf(inputs);
    if (inputs.repositoryName !== "sagemaker-scikit-learn") {
      throw new Error(`no placeholder for repository ${String(inputs.repositoryName)}`);
    }
    const registryId = SKLEARN_IMAGE_ACCOUNTS[region];
    if (registryId === undefined) {
      throw new Error(
        `SageMaker publishes no scikit-learn image account for ${region} in the provider's table; use a region it lists`,
      );
    }
    const imageTag = typeof inputs.imageTag === "string" ? inputs.imageTag : "1";
    const registryPath = `${registryId}.dkr.ecr.${region}.amazonaws.com/sagemaker-scikit-learn:${imageTag}`;
    return {
      id: registryPath,
      region,
      repositoryName: "sagemaker-scikit-learn",
      imageTag,
      registryId,
      registryPath,
    };
  },
};
