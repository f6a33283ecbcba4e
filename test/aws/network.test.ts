import { expect } from "chai";
import {
  AwsNetwork,
  PRIVATE_SUBNET_CIDRS,
  VPC_CIDR,
  interfaceServices,
  pickZoneIds,
} from "../../components/aws/network";
import type { Tier } from "../../policies/platform";
import { blockTags } from "../../components/tags";
import { AWS_PLACEHOLDERS } from "../../engine/placeholders/aws";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, ofType, registered, single } from "../harness";
import {
  ACCOUNT,
  BUCKET,
  BUCKET_ARN,
  REGION,
  TAGS,
  awsOutputs,
  component,
  named,
  privilegeProblems,
  statement,
} from "./fixtures";

const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const GROUP = "aws:ec2/securityGroup:SecurityGroup";
const AZ_CALL = "aws:index/getAvailabilityZones:getAvailabilityZones";
const SERVICE_CALL = "aws:ec2/getVpcEndpointService:getVpcEndpointService";
const OFFERINGS_CALL = "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings";
const INSTANCE_TYPES = ["m5.2xlarge", "m5.xlarge"];

describe("aws network", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({
      outputs: awsOutputs,
      calls: {
        [AZ_CALL]: AWS_PLACEHOLDERS[AZ_CALL],
        [SERVICE_CALL]: AWS_PLACEHOLDERS[SERVICE_CALL],
        [OFFERINGS_CALL]: AWS_PLACEHOLDERS[OFFERINGS_CALL],
      },
    });
  });
  beforeEach(() => rec.reset());

  async function build(tier: Tier = "prod"): Promise<Registration[]> {
    new AwsNetwork("net", {
      tier,
      tags: TAGS,
      account: ACCOUNT,
      instanceTypes: INSTANCE_TYPES,
      bucketName: BUCKET,
    });
    return registered(rec);
  }

  it("is one VPC with DNS on, so interface endpoints resolve privately", async () => {
    const vpc = single(await build(), "aws:ec2/vpc:Vpc");
    expect(vpc.inputs).to.include({
      cidrBlock: VPC_CIDR,
      enableDnsSupport: true,
      enableDnsHostnames: true,
    });
  });

  it("puts one private subnet in each of two zones, by zone id, that need no opt-in", async () => {
    const regs = await build();
    const subnets = ofType(regs, "aws:ec2/subnet:Subnet");
    expect(subnets.map((s) => s.inputs.cidrBlock)).to.deep.equal([...PRIVATE_SUBNET_CIDRS]);
    expect(subnets.map((s) => s.inputs.availabilityZoneId)).to.deep.equal([
      `${REGION}-az1`,
      `${REGION}-az2`,
    ]);
    expect(subnets.every((s) => s.inputs.availabilityZone === undefined)).to.equal(true);
    expect(subnets.every((s) => s.inputs.mapPublicIpOnLaunch === false)).to.equal(true);
    const call = rec.calls.find((c) => c.token === AZ_CALL);
    expect(call?.inputs).to.deep.include({
      region: REGION,
      state: "available",
      filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
  });

  it("has no internet route: one route table, no gateway, both subnets associated", async () => {
    const regs = await build();
    expect(single(regs, "aws:ec2/routeTable:RouteTable").inputs.routes).to.equal(undefined);
    expect(ofType(regs, "aws:ec2/routeTableAssociation:RouteTableAssociation")).to.have.length(2);
    expect(regs.some((r) => /InternetGateway|NatGateway/.test(r.type))).to.equal(false);
  });

  it("reaches S3 through a gateway endpoint on the private route table", async () => {
    const s3 = named(await build(), ENDPOINT, "net-s3");
    expect(s3.inputs).to.include({
      serviceName: `com.amazonaws.${REGION}.s3`,
      vpcEndpointType: "Gateway",
    });
    expect(s3.inputs.routeTableIds).to.have.length(1);
  });

  it("asks which zones offer each interface endpoint service and each instance type", async () => {
    await build();
    const services = rec.calls.filter((c) => c.token === SERVICE_CALL);
    expect(services.map((c) => c.inputs)).to.deep.equal(
      interfaceServices("prod").map((s) => ({
        serviceName: `com.amazonaws.${REGION}.${s}`,
        serviceType: "Interface",
      })),
    );
    const offerings = rec.calls.filter((c) => c.token === OFFERINGS_CALL);
    expect(offerings.map((c) => c.inputs)).to.deep.equal([
      {
        region: REGION,
        locationType: "availability-zone-id",
        filters: [{ name: "instance-type", values: INSTANCE_TYPES }],
      },
    ]);
  });

  it("has private interface endpoints for SageMaker API and runtime and what Batch needs", async () => {
    const regs = await build();
    const interfaces = ofType(regs, ENDPOINT).filter(
      (e) => e.inputs.vpcEndpointType === "Interface",
    );
    expect(interfaces.map((e) => e.inputs.serviceName)).to.deep.equal(
      interfaceServices("prod").map((s) => `com.amazonaws.${REGION}.${s}`),
    );
    expect(interfaceServices("prod")).to.include.members(["sagemaker.api", "sagemaker.runtime"]);
    const endpointGroup = named(regs, GROUP, "net-endpoints");
    for (const e of interfaces) {
      expect(e.inputs.privateDnsEnabled).to.equal(true);
      expect(e.inputs.subnetIds).to.have.length(2);
      expect(e.inputs.securityGroupIds).to.deep.equal([`${endpointGroup.name}-id`]);
    }
  });

  it("opens the endpoints to HTTPS from the VPC only", async () => {
    const rule = named(await build(), INGRESS, "net-endpoints-https");
    expect(rule.inputs).to.include({
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: VPC_CIDR,
    });
  });

  it("lets workloads out only to each other, the endpoints and S3", async () => {
    const regs = await build();
    const egress = ofType(regs, EGRESS);
    expect(egress.map((r) => r.name).sort()).to.deep.equal([
      "net-workloads-endpoints",
      "net-workloads-s3",
      "net-workloads-self",
    ]);
    expect(named(regs, EGRESS, "net-workloads-endpoints").inputs).to.include({
      cidrIpv4: VPC_CIDR,
      fromPort: 443,
    });
    expect(named(regs, EGRESS, "net-workloads-s3").inputs).to.include({
      prefixListId: "pl-63a5400a",
      fromPort: 443,
    });
    expect(regs.some((r) => r.inputs.cidrIpv4 === "0.0.0.0/0")).to.equal(false);
  });

  it("tags every taggable child with the workspace block and parents it", async () => {
    const regs = await build();
    const net = component(regs, "mlplatform:aws:Network");
    const children = regs.filter((r) => r.custom);
    for (const child of children) {
      expect(child.parent, child.name).to.equal(net.urn);
    }
    const untaggable = new Set([
      "aws:ec2/routeTableAssociation:RouteTableAssociation",
      "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy",
    ]);
    for (const child of children.filter((c) => !untaggable.has(c.type))) {
      expect(child.inputs.tags, child.name).to.deep.equal(blockTags(TAGS, "workspace"));
    }
  });

  it("keeps in dev only the interface endpoints Batch instances need", async () => {
    const regs = await build("dev");
    const interfaces = ofType(regs, ENDPOINT)
      .filter((e) => e.inputs.vpcEndpointType === "Interface")
      .map((e) => String(e.inputs.serviceName).replace(`com.amazonaws.${REGION}.`, ""));
    expect(interfaces).to.deep.equal([
      "logs",
      "ecr.api",
      "ecr.dkr",
      "ecs",
      "ecs-agent",
      "ecs-telemetry",
    ]);
    expect(interfaceServices("prod")).to.include.members([...interfaces, "sagemaker.api", "sts"]);
  });

  it("limits the S3 gateway to the platform bucket and ECR's layer bucket", async () => {
    const regs = await build();
    const gateway = named(regs, ENDPOINT, "net-s3");
    const policy = named(regs, "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy", "net-s3");
    expect(policy.propertyDependencies.vpcEndpointId).to.deep.equal([gateway.urn]);
    const doc = JSON.parse(String(policy.inputs.policy));
    expect(privilegeProblems(doc)).to.deep.equal([]);
    expect(statement(doc, "ListPlatformBucket").Resource).to.equal(BUCKET_ARN);
    expect(statement(doc, "ReadWritePlatformObjects").Resource).to.equal(`${BUCKET_ARN}/*`);
    expect(statement(doc, "ReadEcrImageLayers")).to.deep.equal({
      Sid: "ReadEcrImageLayers",
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:::prod-${REGION}-starport-layer-bucket/*`,
    });
    expect(doc.Statement.map((s: { Resource: unknown }) => s.Resource).flat()).to.have.length(3);
  });

  describe("picking zones", () => {
    const zones = ["a", "b", "c", "d"].map((l, i) => ({
      name: `us-east-1${l}`,
      id: `use1-az${i + 1}`,
    }));
    const everywhere = zones.map((z) => z.name);
    const offered = (types: string[], ids: string[]) =>
      types.flatMap((instanceType) => ids.map((zoneId) => ({ instanceType, zoneId })));
    const pick = (
      services: { service: string; zoneNames: string[] }[],
      offerings: { instanceType: string; zoneId: string }[],
    ) =>
      pickZoneIds({
        region: "us-east-1",
        zones,
        services,
        instanceTypes: ["m5.xlarge"],
        offerings,
      });

    it("skips a zone that lacks an endpoint service or an instance type", () => {
      expect(
        pick(
          [
            { service: "sagemaker.api", zoneNames: ["us-east-1b", "us-east-1c", "us-east-1d"] },
            { service: "ecs", zoneNames: everywhere },
          ],
          offered(["m5.xlarge"], ["use1-az1", "use1-az2", "use1-az4"]),
        ),
      ).to.deep.equal(["use1-az2", "use1-az4"]);
    });

    it("names what each zone lacks when fewer than two zones remain", () => {
      expect(() =>
        pick(
          [{ service: "sagemaker.api", zoneNames: ["us-east-1a", "us-east-1b"] }],
          offered(["m5.xlarge"], ["use1-az1", "use1-az3"]),
        ),
      ).to.throw(
        "us-east-1 has 1 availability zones without opt-in that offer every interface endpoint service and instance type the platform uses; it needs 2 (use1-az2 lacks m5.xlarge; use1-az3 lacks sagemaker.api; use1-az4 lacks sagemaker.api, m5.xlarge)",
      );
    });
  });
});
