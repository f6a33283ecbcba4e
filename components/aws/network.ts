import * as ec2 from "@pulumi/aws/ec2";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import * as vpc from "@pulumi/aws/vpc";
import * as pulumi from "@pulumi/pulumi";
import type { BlockArgs } from "../blocks";
import { blockTags } from "../tags";
import type { AwsAccount } from "./common";

/** The platform VPC's address range. */
export const VPC_CIDR = "10.42.0.0/16";

/** One private subnet per availability zone; SageMaker Studio needs at least two zones. */
export const PRIVATE_SUBNET_CIDRS = ["10.42.0.0/19", "10.42.32.0/19"] as const;

/**
 * The AWS services the workloads reach through interface endpoints, since the private subnets
 * have no route to the internet.
 */
export const INTERFACE_ENDPOINT_SERVICES = [
  /** Studio, the SDK and jobs call the SageMaker API. */
  "sagemaker.api",
  /** Invoking the platform's endpoints from inside the VPC. */
  "sagemaker.runtime",
  /** The SDKs in Studio and in jobs exchange credentials. */
  "sts",
  /** Studio apps and Batch jobs write CloudWatch logs. */
  "logs",
  /** Batch instances pull job images from the platform's repository. */
  "ecr.api",
  "ecr.dkr",
  /** The ECS agent on Batch instances registers, polls for jobs and reports. */
  "ecs",
  "ecs-agent",
  "ecs-telemetry",
] as const;

const HTTPS_PORT = 443;

export interface AwsNetworkArgs extends BlockArgs {
  /** Region and partition of the endpoint service names. */
  account: AwsAccount;
}

/**
 * The platform's own VPC: private subnets in two availability zones with no internet route,
 * interface endpoints for the AWS services its workloads call, an S3 gateway endpoint, and the
 * security group every workload runs in. It is part of the workspace block (its tags say so).
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
          availabilityZone: zones.names.apply((names) => zoneAt(names, i, account.region)),
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
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
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

/** The i-th zone of a region, or an error that says the region has too few zones. */
export function zoneAt(names: readonly string[], i: number, region: string): string {
  const zone = names[i];
  if (zone === undefined) {
    throw new pulumi.RunError(
      `${region} has ${names.length} availability zones without opt-in; the platform needs ${PRIVATE_SUBNET_CIDRS.length}`,
    );
  }
  return zone;
}
