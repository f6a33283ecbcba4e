import * as ec2 from "@pulumi/aws/ec2";
import type * as iam from "@pulumi/aws/iam";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import * as vpc from "@pulumi/aws/vpc";
import * as pulumi from "@pulumi/pulumi";
import type { BlockArgs } from "../blocks";
import { blockTags } from "../tags";
import type { Tier } from "../../policies/platform";
import { type AwsAccount, bucketAccessStatements, policyDocument } from "./common";

/** The platform VPC's address range. */
export const VPC_CIDR = "10.42.0.0/16";

/** One private subnet per availability zone; SageMaker Studio needs at least two zones. */
export const PRIVATE_SUBNET_CIDRS = ["10.42.0.0/19", "10.42.32.0/19"] as const;

/**
 * The AWS services the workloads reach through interface endpoints, since the private subnets
 * have no route to the internet, and the tiers that need each. Interface endpoints bill by the
 * hour in every zone, so dev keeps only what its workloads inside the VPC call: Batch instances
 * (ECS agent, image pulls, job logs). Dev's Studio runs on SageMaker's internet access
 * (`PublicInternetOnly`) and nothing else in dev's VPC calls SageMaker or STS.
 */
export const INTERFACE_ENDPOINT_SERVICES: readonly { service: string; tiers: readonly Tier[] }[] = [
  /** Studio in `VpcOnly` mode, the SDK and jobs call the SageMaker API. */
  { service: "sagemaker.api", tiers: ["prod"] },
  /** Invoking the platform's endpoints from inside the VPC (Studio in `VpcOnly` mode). */
  { service: "sagemaker.runtime", tiers: ["prod"] },
  /** The SDKs in `VpcOnly` Studio exchange credentials. */
  { service: "sts", tiers: ["prod"] },
  /** Batch jobs (and Studio apps in prod) write CloudWatch logs. */
  { service: "logs", tiers: ["dev", "prod"] },
  /** Batch instances pull job images from the platform's repository. */
  { service: "ecr.api", tiers: ["dev", "prod"] },
  { service: "ecr.dkr", tiers: ["dev", "prod"] },
  /** The ECS agent on Batch instances registers, polls for jobs and reports. */
  { service: "ecs", tiers: ["dev", "prod"] },
  { service: "ecs-agent", tiers: ["dev", "prod"] },
  { service: "ecs-telemetry", tiers: ["dev", "prod"] },
];

/** The interface endpoint services a tier declares. */
export function interfaceServices(tier: Tier): string[] {
  return INTERFACE_ENDPOINT_SERVICES.filter((e) => e.tiers.includes(tier)).map((e) => e.service);
}

/**
 * The AWS-owned bucket ECR keeps image layers in, which image pulls through the S3 gateway
 * endpoint read (ECR User Guide, "Amazon ECR interface VPC endpoints", minimum S3 gateway
 * endpoint policy).
 */
export function ecrLayerBucketArn(account: AwsAccount): pulumi.Output<string> {
  return pulumi.interpolate`arn:${account.partition}:s3:::prod-${account.region}-starport-layer-bucket`;
}

const HTTPS_PORT = 443;

export interface AwsNetworkArgs extends BlockArgs {
  /** Region and partition of the endpoint service names. */
  account: AwsAccount;
  /**
   * EC2 instance types the workloads in the subnets run on; only zones that offer all of them
   * get a subnet.
   */
  instanceTypes: string[];
  /** The platform bucket, the one customer bucket the S3 gateway endpoint lets through. */
  bucketName: pulumi.Input<string>;
}

/**
 * The platform's own VPC: private subnets in two availability zones with no internet route,
 * interface endpoints for the AWS services its workloads call, an S3 gateway endpoint limited to
 * the platform's bucket and ECR's layer bucket, and the security group every workload runs in.
 * Zones are picked by zone id (the same physical zone in every account) among those that offer
 * every interface endpoint service and every instance type the workloads run on. It is part of
 * the workspace block (its tags say so).
 */
export class AwsNetwork extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly vpcArn: pulumi.Output<string>;
  public readonly subnetIds: pulumi.Output<string>[];
  /** Security group of Studio apps, models and Batch instances. */
  public readonly securityGroupId: pulumi.Output<string>;
  /** Security group of the interface endpoints: HTTPS from inside the VPC. */
  public readonly endpointSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: AwsNetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("mlplatform:aws:Network", name, {}, opts);

    const tags = blockTags(args.tags, "workspace");
    const { account } = args;

    const network = new ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: VPC_CIDR, enableDnsSupport: true, enableDnsHostnames: true, tags },
      { parent: this },
    );

    // Zones that need no opt-in: Local and Wavelength Zones lack SageMaker and Batch.
    const zones = getAvailabilityZonesOutput(
      {
        region: account.region,
        state: "available",
        filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      },
      { parent: this },
    );
    const services = interfaceServices(args.tier);
    const serviceZones = services.map(
      (service) =>
        ec2.getVpcEndpointServiceOutput(
          {
            serviceName: pulumi.interpolate`${account.reverseDnsPrefix}.${account.region}.${service}`,
            serviceType: "Interface",
          },
          { parent: this },
        ).availabilityZones,
    );
    const offerings = ec2.getInstanceTypeOfferingsOutput(
      {
        region: account.region,
        locationType: "availability-zone-id",
        filters: [{ name: "instance-type", values: [...new Set(args.instanceTypes)].sort() }],
      },
      { parent: this },
    );
    const zoneIds = pulumi
      .all([zones.names, zones.zoneIds, pulumi.all(serviceZones), offerings])
      .apply(([names, ids, zonesOfServices, offered]) =>
        pickZoneIds({
          region: account.region,
          zones: names.map((zoneName, i) => ({ name: zoneName, id: ids[i] })),
          services: services.map((service, i) => ({ service, zoneNames: zonesOfServices[i] })),
          instanceTypes: args.instanceTypes,
          offerings: offered.instanceTypes.map((instanceType, i) => ({
            instanceType,
            zoneId: offered.locations[i],
          })),
        }),
      );

    const routeTable = new ec2.RouteTable(
      `${name}-private`,
      { vpcId: network.id, tags },
      { parent: this },
    );
    const subnets = PRIVATE_SUBNET_CIDRS.map((cidrBlock, i) => {
      const subnet = new ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: network.id,
          cidrBlock,
          availabilityZoneId: zoneIds.apply((ids) => ids[i]),
          mapPublicIpOnLaunch: false,
          tags,
        },
        { parent: this },
      );
      new ec2.RouteTableAssociation(
        `${name}-private-${i}`,
        { subnetId: subnet.id, routeTableId: routeTable.id },
        { parent: this },
      );
      return subnet;
    });

    const endpointGroup = new ec2.SecurityGroup(
      `${name}-endpoints`,
      { vpcId: network.id, description: "Interface endpoints: HTTPS from the platform VPC", tags },
      { parent: this },
    );
    new vpc.SecurityGroupIngressRule(
      `${name}-endpoints-https`,
      {
        securityGroupId: endpointGroup.id,
        ipProtocol: "tcp",
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        cidrIpv4: VPC_CIDR,
        description: "HTTPS from the platform VPC",
        tags,
      },
      { parent: this },
    );

    const workloadGroup = new ec2.SecurityGroup(
      `${name}-workloads`,
      {
        vpcId: network.id,
        description: "Platform workloads: Studio apps, models, Batch instances",
        tags,
      },
      { parent: this },
    );

    const s3Gateway = new ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: network.id,
        serviceName: pulumi.interpolate`${account.reverseDnsPrefix}.${account.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: [routeTable.id],
        tags,
      },
      { parent: this },
    );
    new ec2.VpcEndpointPolicy(
      `${name}-s3`,
      {
        vpcEndpointId: s3Gateway.id,
        policy: pulumi.jsonStringify(gatewayPolicy(account, args.bucketName)),
      },
      { parent: this },
    );
    for (const service of services) {
      new ec2.VpcEndpoint(
        `${name}-${service.replace(/\./g, "-")}`,
        {
          vpcId: network.id,
          serviceName: pulumi.interpolate`${account.reverseDnsPrefix}.${account.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: subnets.map((s) => s.id),
          securityGroupIds: [endpointGroup.id],
          tags,
        },
        { parent: this },
      );
    }

    // Studio's JupyterLab and kernel apps talk to each other inside the group.
    new vpc.SecurityGroupIngressRule(
      `${name}-workloads-self`,
      {
        securityGroupId: workloadGroup.id,
        ipProtocol: "-1",
        referencedSecurityGroupId: workloadGroup.id,
        description: "Traffic between the platform's workloads",
        tags,
      },
      { parent: this },
    );
    new vpc.SecurityGroupEgressRule(
      `${name}-workloads-self`,
      {
        securityGroupId: workloadGroup.id,
        ipProtocol: "-1",
        referencedSecurityGroupId: workloadGroup.id,
        description: "Traffic between the platform's workloads",
        tags,
      },
      { parent: this },
    );
    new vpc.SecurityGroupEgressRule(
      `${name}-workloads-endpoints`,
      {
        securityGroupId: workloadGroup.id,
        ipProtocol: "tcp",
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        cidrIpv4: VPC_CIDR,
        description: "HTTPS to the interface endpoints",
        tags,
      },
      { parent: this },
    );
    new vpc.SecurityGroupEgressRule(
      `${name}-workloads-s3`,
      {
        securityGroupId: workloadGroup.id,
        ipProtocol: "tcp",
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        prefixListId: s3Gateway.prefixListId,
        description: "HTTPS to S3 through the gateway endpoint",
        tags,
      },
      { parent: this },
    );

    this.vpcId = network.id;
    this.vpcArn = network.arn;
    this.subnetIds = subnets.map((s) => s.id);
    this.securityGroupId = workloadGroup.id;
    this.endpointSecurityGroupId = endpointGroup.id;
    this.registerOutputs({
      vpcId: this.vpcId,
      vpcArn: this.vpcArn,
      subnetIds: this.subnetIds,
      securityGroupId: this.securityGroupId,
      endpointSecurityGroupId: this.endpointSecurityGroupId,
    });
  }
}

/** A zone of the region: its name in this account and its id, the same in every account. */
export interface ZoneOfRegion {
  name: string;
  id: string;
}

/**
 * The ids of the first zones (in the region's order) that offer every interface endpoint service
 * and every instance type, as many as the platform has subnets; or an error that names what the
 * region lacks.
 */
export function pickZoneIds(found: {
  region: string;
  zones: readonly ZoneOfRegion[];
  services: readonly { service: string; zoneNames: readonly string[] }[];
  instanceTypes: readonly string[];
  offerings: readonly { instanceType: string; zoneId: string }[];
}): string[] {
  const lacks = (zone: ZoneOfRegion): string[] => [
    ...found.services.filter((s) => !s.zoneNames.includes(zone.name)).map((s) => s.service),
    ...found.instanceTypes.filter(
      (type) => !found.offerings.some((o) => o.instanceType === type && o.zoneId === zone.id),
    ),
  ];
  const usable = found.zones.filter((zone) => lacks(zone).length === 0).map((zone) => zone.id);
  if (usable.length < PRIVATE_SUBNET_CIDRS.length) {
    const missing = found.zones
      .filter((zone) => lacks(zone).length > 0)
      .map((zone) => `${zone.id} lacks ${[...new Set(lacks(zone))].join(", ")}`);
    throw new pulumi.RunError(
      `${found.region} has ${usable.length} availability zones without opt-in that offer every interface endpoint service and instance type the platform uses; it needs ${PRIVATE_SUBNET_CIDRS.length}${missing.length > 0 ? ` (${missing.join("; ")})` : ""}`,
    );
  }
  return usable.slice(0, PRIVATE_SUBNET_CIDRS.length);
}

/**
 * The S3 gateway endpoint's policy: what any principal in the VPC may do in S3 through it (IAM
 * still decides who): the platform bucket, with the actions the platform's roles hold, and
 * reading ECR's layer bucket, which image pulls need.
 */
export function gatewayPolicy(
  account: AwsAccount,
  bucketName: pulumi.Input<string>,
): iam.PolicyDocument {
  const bucketArn = pulumi.interpolate`arn:${account.partition}:s3:::${bucketName}`;
  const platformBucket = bucketAccessStatements(bucketArn, { deleteObjects: true });
  return policyDocument([
    ...platformBucket.map((statement) => ({ ...statement, Principal: "*" })),
    {
      Sid: "ReadEcrImageLayers",
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: pulumi.interpolate`${ecrLayerBucketArn(account)}/*`,
    },
  ]);
}
