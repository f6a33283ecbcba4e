import { expect } from "chai";
import * as fc from "fast-check";
import {
  AwsTrainingCluster,
  ROOT_VOLUME_GIB,
  computeCapacity,
  trainingNames,
} from "../../components/aws/training";
import { SIZE_NAMES, resolveInstance, unavailableReason } from "../../policies/catalog";
import { blockTags } from "../../components/tags";
import type { TrainingSpec } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, ofType, registered, single } from "../harness";
import {
  ACCOUNT_ID,
  BUCKET_ARN,
  KEY_ARN,
  NETWORK,
  PLACEMENT,
  REGION,
  TAGS,
  awsOutputs,
  component,
  named,
  privilegeProblems,
  statement,
} from "./fixtures";

const ENVIRONMENT = "aws:batch/computeEnvironment:ComputeEnvironment";
const ROLE = "aws:iam/role:Role";
const TRAINING: TrainingSpec = {
  size: "cpu-8x32",
  minNodes: 1,
  maxNodes: 8,
  idleMinutes: 20,
  spot: false,
};

describe("aws training cluster", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({ outputs: awsOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(training: Partial<TrainingSpec> = {}): Promise<Registration[]> {
    new AwsTrainingCluster("train", {
      ...PLACEMENT,
      ...TRAINING,
      ...training,
      tier: "prod",
      tags: TAGS,
      network: NETWORK,
      kmsKeyArn: KEY_ARN,
      bucketArn: BUCKET_ARN,
    });
    return registered(rec);
  }

  it("runs the catalog's training type, bounds in vCPUs from the node bounds", async () => {
    const env = single(await build(), ENVIRONMENT);
    const resources = env.inputs.computeResources as Record<string, unknown>;
    expect(resources).to.deep.include({
      type: "EC2",
      allocationStrategy: "BEST_FIT_PROGRESSIVE",
      instanceTypes: ["m5.2xlarge"],
      minVcpus: 8,
      maxVcpus: 64,
      ec2Configurations: [{ imageType: "ECS_AL2023" }],
      subnets: NETWORK.subnetIds,
      securityGroupIds: [NETWORK.securityGroupId],
      tags: blockTags(TAGS, "training", "cpu-8x32"),
    });
    expect(env.inputs).to.deep.include({
      name: "mlplatform-test-training",
      type: "MANAGED",
      state: "ENABLED",
    });
  });

  it("scales from zero and runs on spot capacity when asked", async () => {
    const env = single(await build({ minNodes: 0, maxNodes: 3, spot: true }), ENVIRONMENT);
    expect(env.inputs.computeResources).to.deep.include({
      type: "SPOT",
      allocationStrategy: "SPOT_PRICE_CAPACITY_OPTIMIZED",
      minVcpus: 0,
      maxVcpus: 24,
    });
  });

  it("picks the NVIDIA AMI for GPU sizes", async () => {
    const env = single(await build({ size: "gpu-t4x1" }), ENVIRONMENT);
    expect(env.inputs.computeResources).to.deep.include({
      instanceTypes: ["g4dn.xlarge"],
      ec2Configurations: [{ imageType: "ECS_AL2023_NVIDIA" }],
      tags: blockTags(TAGS, "training", "gpu-t4x1"),
    });
  });

  it("bounds every size in whole instances of its catalog type", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          ...SIZE_NAMES.filter((size) => unavailableReason(size, "aws", "training") === undefined),
        ),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.boolean(),
        (size, a, b, spot) => {
          const [min, max] = a <= b ? [a, b] : [b, a];
          const row = resolveInstance(size, "aws", "training");
          const capacity = computeCapacity(row, min, max, spot);
          expect(capacity.instanceTypes).to.deep.equal([row.instanceType]);
          expect(capacity.minVcpus).to.equal(min * row.vcpus);
          expect(capacity.maxVcpus).to.equal(max * row.vcpus);
          expect(capacity.type).to.equal(spot ? "SPOT" : "EC2");
        },
      ),
    );
  });

  it("queues jobs to the compute environment", async () => {
    const regs = await build();
    const queue = single(regs, "aws:batch/jobQueue:JobQueue");
    expect(queue.inputs).to.deep.include({
      name: "mlplatform-test-training",
      state: "ENABLED",
      priority: 1,
      computeEnvironmentOrders: [
        { order: 1, computeEnvironment: `arn:aws:batch:${REGION}:${ACCOUNT_ID}:train-environment` },
      ],
    });
  });

  it("launches instances with IMDSv2 only and an encrypted root volume", async () => {
    const regs = await build();
    const template = single(regs, "aws:ec2/launchTemplate:LaunchTemplate");
    expect(template.inputs.metadataOptions).to.deep.equal({
      httpEndpoint: "enabled",
      httpTokens: "required",
      // One hop: containers cannot reach the instance's credentials (IMDSv2 best practice).
      httpPutResponseHopLimit: 1,
    });
    expect(template.inputs.blockDeviceMappings).to.deep.equal([
      {
        deviceName: "/dev/xvda",
        ebs: {
          volumeSize: ROOT_VOLUME_GIB,
          volumeType: "gp3",
          encrypted: "true",
          deleteOnTermination: "true",
        },
      },
    ]);
    const env = single(regs, ENVIRONMENT);
    expect(env.inputs.computeResources).to.deep.include({
      launchTemplate: { launchTemplateId: "train-instance-id", version: "3" },
    });
  });

  it("gives instances the ECS agent role through an instance profile", async () => {
    const regs = await build();
    const role = named(regs, ROLE, "train-instance");
    expect(role.inputs.assumeRolePolicy).to.deep.include({
      Statement: [
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
    const attachment = single(regs, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    expect(attachment.inputs.policyArn).to.equal(
      "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
    );
    const profile = single(regs, "aws:iam/instanceProfile:InstanceProfile");
    expect(profile.inputs.role).to.equal(trainingNames(PLACEMENT.nameParts).instanceRole);
    expect(single(regs, ENVIRONMENT).inputs.computeResources).to.deep.include({
      instanceRole: `arn:aws:iam:${REGION}:${ACCOUNT_ID}:train-instance`,
    });
  });

  it("runs jobs as a role that ECS tasks assume, with the bucket and key only", async () => {
    const regs = await build();
    const role = named(regs, ROLE, "train-job");
    expect(role.inputs.assumeRolePolicy).to.deep.include({
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
    const policy = single(regs, "aws:iam/rolePolicy:RolePolicy").inputs.policy;
    expect(privilegeProblems(policy)).to.deep.equal([]);
    expect(statement(policy, "UsePlatformKey").Resource).to.equal(KEY_ARN);
    expect(statement(policy, "ReadWritePlatformObjects").Resource).to.equal(`${BUCKET_ARN}/*`);
  });

  it("tags and parents every child", async () => {
    const regs = await build();
    const cluster = component(regs, "mlplatform:aws:TrainingCluster");
    const untaggable = new Set([
      "aws:iam/rolePolicy:RolePolicy",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    ]);
    const children = regs.filter((r) => r.custom);
    expect(ofType(children, ENVIRONMENT)).to.have.length(1);
    for (const child of children) {
      expect(child.parent, child.name).to.equal(cluster.urn);
      if (!untaggable.has(child.type)) {
        expect(child.inputs.tags, child.name).to.deep.equal(
          blockTags(TAGS, "training", "cpu-8x32"),
        );
      }
    }
  });
});
