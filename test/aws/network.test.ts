import { expect } from "chai";
import {
  AwsNetwork,
  INTERFACE_ENDPOINT_SERVICES,
  PRIVATE_SUBNET_CIDRS,
  VPC_CIDR,
  zoneAt,
} from "../../components/aws/network";
import { blockTags } from "../../components/tags";
import { AWS_PLACEHOLDERS } from "../../engine/placeholders/aws";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, ofType, registered, single } from "../harness";
import { ACCOUNT, REGION, TAGS, awsOutputs, component, named } from "./fixtures";

const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const GROUP = "aws:ec2/securityGroup:SecurityGroup";
const AZ_CALL = "aws:index/getAvailabilityZones:getAvailabilityZones";

describe("aws network", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({
      outputs: awsOutputs,
      calls: { [AZ_CALL]: AWS_PLACEHOLDERS[AZ_CALL] },
    });
  });
  beforeEach(() => rec.reset());

  async function build(): Promise<Registration[]> {
    new AwsNetwork("net", { tier: "prod", tags: TAGS, account: ACCOUNT });
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

  it("puts one private subnet in each of two zones that need no opt-in", async () => {
    const regs = await build();
    const subnets = ofType(regs, "aws:ec2/subnet:Subnet");
    expect(subnets.map((s) => s.inputs.cidrBlock)).to.deep.equal([...PRIVATE_SUBNET_CIDRS]);
    expect(subnets.map((s) => s.inputs.availabilityZone)).to.deep.equal([
      `${REGION}a`,
      `${REGION}b`,
    ]);
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

  it("has private interface endpoints for SageMaker API and runtime and what Batch needs", async () => {
    const regs = await build();
    const interfaces = ofType(regs, ENDPOINT).filter(
      (e) => e.inputs.vpcEndpointType === "Interface",
    );
    expect(interfaces.map((e) => e.inputs.serviceName)).to.deep.equal(
      INTERFACE_ENDPOINT_SERVICES.map((s) => `com.amazonaws.${REGION}.${s}`),
    );
    expect(INTERFACE_ENDPOINT_SERVICES).to.include.members(["sagemaker.api", "sagemaker.runtime"]);
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
    const untaggable = new Set(["aws:ec2/routeTableAssociation:RouteTableAssociation"]);
    for (const child of children.filter((c) => !untaggable.has(c.type))) {
      expect(child.inputs.tags, child.name).to.deep.equal(blockTags(TAGS, "workspace"));
    }
  });

  it("names a region with too few zones", () => {
    expect(() => zoneAt(["us-west-1a"], 1, "us-west-1")).to.throw(
      "us-west-1 has 1 availability zones without opt-in; the platform needs 2",
    );
  });
});
