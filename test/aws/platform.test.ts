import { expect } from "chai";
import { AwsPlatform } from "../../components/aws";
import { resolveInstance } from "../../policies/catalog";
import { TAG } from "../../policies/platform";
import type { PlatformSpec } from "../../policies/platform";
import { AWS_PLACEHOLDERS } from "../../engine/placeholders/aws";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, ofType, registered, specWith, unwrap } from "../harness";
import { AWS_NAME, BUCKET_SETTINGS, SUFFIX, awsOutputs } from "./fixtures";

/** Resource types that take no tags, and S3 objects, which take fewer than a stack may set. */
const UNTAGGABLE = new Set([
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:kms/alias:Alias",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/group:Group",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  ...BUCKET_SETTINGS,
  "aws:s3/bucketObjectv2:BucketObjectv2",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  "aws:appautoscaling/policy:Policy",
  "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy",
  "random:index/randomString:RandomString",
  "random:index/randomId:RandomId",
]);

const BLOCK_OF_COMPONENT: Record<string, string> = {
  "mlplatform:aws:Network": "workspace",
  "mlplatform:aws:Workspace": "workspace",
  "mlplatform:aws:Storage": "storage",
  "mlplatform:aws:ContainerRegistry": "registry",
  "mlplatform:aws:TrainingCluster": "training",
  "mlplatform:aws:ModelRegistry": "model-registry",
  "mlplatform:aws:OnlineEndpoint": "endpoint",
};

const PROD = {
  "mlplatform:clouds": ["aws"],
  "mlplatform:tier": "prod",
  "mlplatform:training": { size: "cpu-8x32", minNodes: 0, maxNodes: 8, spot: false },
  "mlplatform:endpoints": [
    { name: "iris", size: "cpu-4x16", minReplicas: 2, maxReplicas: 6 },
    { name: "churn", size: "gpu-t4x1", minReplicas: 1, maxReplicas: 2 },
  ],
  "mlplatform:teams": [{ name: "research", members: [{ name: "alice" }, { name: "bob" }] }],
};

describe("aws platform", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({ outputs: awsOutputs, calls: AWS_PLACEHOLDERS });
  });
  beforeEach(() => rec.reset());

  async function build(
    spec: PlatformSpec,
  ): Promise<{ regs: Registration[]; platform: AwsPlatform }> {
    const platform = new AwsPlatform("aws", { spec });
    return { regs: await registered(rec), platform };
  }

  it("composes every block once and one endpoint per spec endpoint", async () => {
    const { regs } = await build(specWith(PROD));
    const components = regs.filter((r) => !r.custom).map((r) => r.type);
    expect(components.sort()).to.deep.equal(
      [
        "mlplatform:aws:ContainerRegistry",
        "mlplatform:aws:ModelRegistry",
        "mlplatform:aws:Network",
        "mlplatform:aws:OnlineEndpoint",
        "mlplatform:aws:OnlineEndpoint",
        "mlplatform:aws:Platform",
        "mlplatform:aws:Storage",
        "mlplatform:aws:TrainingCluster",
        "mlplatform:aws:Workspace",
      ].sort(),
    );
    expect(ofType(regs, "aws:sagemaker/endpoint:Endpoint")).to.have.length(2);
    expect(ofType(regs, "aws:sagemaker/modelPackageGroup:ModelPackageGroup")).to.have.length(2);
    expect(ofType(regs, "aws:sagemaker/userProfile:UserProfile")).to.have.length(2);
  });

  it("makes only the data-source calls the offline plan answers", async () => {
    await build(specWith(PROD));
    const tokens = [...new Set(rec.calls.map((c) => c.token))].sort();
    expect(tokens).to.deep.equal(Object.keys(AWS_PLACEHOLDERS).sort());
  });

  it("nests every resource under its block, and every block under the platform", async () => {
    const { regs } = await build(specWith(PROD));
    const byUrn = new Map(regs.map((r) => [r.urn, r]));
    const platform = regs.find((r) => r.type === "mlplatform:aws:Platform");
    for (const r of regs.filter((x) => x !== platform)) {
      const parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
      expect(parent, `${r.type} ${r.name}`).to.not.equal(undefined);
      if (r.custom && r.type !== "random:index/randomString:RandomString") {
        expect(parent?.custom, r.name).to.equal(false);
        expect(parent?.type, r.name).to.not.equal("mlplatform:aws:Platform");
      } else {
        expect(parent?.type, r.name).to.equal("mlplatform:aws:Platform");
      }
    }
  });

  it("tags every taggable resource with the stack, tier, block (and size on compute)", async () => {
    const spec = specWith(PROD);
    const { regs } = await build(spec);
    const byUrn = new Map(regs.map((r) => [r.urn, r]));
    const sizes: Record<string, string> = { iris: "cpu-4x16", churn: "gpu-t4x1" };
    for (const r of regs.filter((x) => x.custom && !UNTAGGABLE.has(x.type))) {
      const block = byUrn.get(r.parent ?? "");
      const tags = r.inputs.tags as Record<string, string> | undefined;
      expect(tags, `${r.type} ${r.name}`).to.not.equal(undefined);
      expect(tags).to.include({
        owner: "ml-platform",
        [TAG.stack]: "test",
        [TAG.tier]: "prod",
        [TAG.block]: BLOCK_OF_COMPONENT[block?.type ?? ""],
      });
      const endpoint = Object.keys(sizes).find((e) => block?.name === `aws-endpoint-${e}`);
      const size =
        block?.type === "mlplatform:aws:TrainingCluster"
          ? "cpu-8x32"
          : endpoint === undefined
            ? undefined
            : sizes[endpoint];
      expect(tags?.[TAG.size], r.name).to.equal(size);
    }
  });

  it("protects and retains the bucket (with its settings), repository, key and model package groups in prod", async () => {
    const { regs } = await build(specWith(PROD));
    const stateful: string[] = [
      "aws:s3/bucket:Bucket",
      ...BUCKET_SETTINGS,
      "aws:ecr/repository:Repository",
      "aws:kms/key:Key",
      "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    ];
    for (const r of regs.filter((x) => stateful.includes(x.type))) {
      expect([r.protect, r.retainOnDelete], r.name).to.deep.equal([true, true]);
    }
    const others = regs.filter((x) => x.custom && !stateful.includes(x.type));
    expect(others.filter((r) => r.protect).map((r) => r.name)).to.deep.equal([]);
  });

  it("picks zones that offer the training type and the EC2 types of instance-based endpoints", async () => {
    const spec = specWith({
      ...PROD,
      "mlplatform:tier": "dev",
      "mlplatform:endpoints": [
        { name: "iris", size: "cpu-4x16", minReplicas: 2, maxReplicas: 6 },
        { name: "churn", size: "gpu-t4x1", minReplicas: 1, maxReplicas: 2 },
        { name: "idle", size: "cpu-2x4", minReplicas: 0, maxReplicas: 2 },
        { name: "small", size: "cpu-2x8", minReplicas: 0, maxReplicas: 2 },
      ],
    });
    await build(spec);
    const offerings = rec.calls.find(
      (c) => c.token === "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings",
    );
    expect(offerings?.inputs.filters).to.deep.equal([
      // "idle" runs on serverless inference; "small" does not fit it and runs on instances.
      { name: "instance-type", values: ["g4dn.xlarge", "m5.2xlarge", "m5.large", "m5.xlarge"] },
    ]);
  });

  it("exposes the platform outputs and the alert topic", async () => {
    const { platform } = await build(specWith(PROD));
    expect(await unwrap(platform.alertTopicArn)).to.equal(
      "arn:aws:sns:us-east-1:123456789012:aws-workspace-alerts",
    );
    expect(await unwrap(platform.workspaceName)).to.equal("mlplatform-test");
    expect(await unwrap(platform.trainingClusterName)).to.equal("mlplatform-test-training");
    expect(await unwrap(platform.storageName)).to.equal(`mlplatform-test-${SUFFIX}`);
    expect(await unwrap(platform.containerRegistryUrl)).to.equal(
      `123456789012.dkr.ecr.us-east-1.amazonaws.com/mlplatform-test-${SUFFIX}`,
    );
    expect(await unwrap(platform.modelRegistryName)).to.equal(
      "mlplatform-test-iris,mlplatform-test-churn",
    );
    expect(Object.keys(platform.endpoints)).to.deep.equal(["iris", "churn"]);
    expect(await unwrap(platform.endpoints.churn)).to.equal(
      "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/mlplatform-test-churn/invocations",
    );
  });

  it("exports what a caller needs to invoke and price each endpoint", async () => {
    const { platform } = await build(specWith(PROD));
    expect(await unwrap(platform.endpointDetails.churn)).to.deep.equal({
      cloud: "aws",
      region: "us-east-1",
      endpointName: "mlplatform-test-churn",
      scoringUrl:
        "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/mlplatform-test-churn/invocations",
      auth: "sigv4",
      size: "gpu-t4x1",
      instanceType: "ml.g4dn.xlarge",
      hourlyUsd: resolveInstance("gpu-t4x1", "aws", "hosting").hourlyUsd,
      priceRegion: resolveInstance("gpu-t4x1", "aws", "hosting").region,
      minReplicas: 1,
      maxReplicas: 2,
    });
  });

  it("keeps every physical name valid for a long, odd project and stack", async () => {
    const spec = {
      ...specWith(PROD),
      project: "Ünïcode ML Platform_for the Fraud & Risk Department (EMEA)",
      stack: "organization/very-long-stack-name.with.dots_and_UNDERSCORES-for-production-2025",
    };
    const { regs } = await build(spec);
    const names = (type: string, key: string) =>
      ofType(regs, type).map((r) => String(r.inputs[key]));
    const check = (values: string[], rule: RegExp, max: number) => {
      for (const value of values) {
        expect(value, value).to.match(rule);
        expect(value.length, value).to.be.at.most(max);
      }
    };
    check(names("aws:s3/bucket:Bucket", "bucket"), AWS_NAME.s3Bucket, 63);
    check(names("aws:ecr/repository:Repository", "name"), AWS_NAME.ecrRepository, 256);
    check(names("aws:sagemaker/domain:Domain", "domainName"), AWS_NAME.sagemaker, 63);
    check(names("aws:sagemaker/endpoint:Endpoint", "name"), AWS_NAME.sagemaker, 63);
    check(
      names("aws:sagemaker/modelPackageGroup:ModelPackageGroup", "modelPackageGroupName"),
      AWS_NAME.sagemaker,
      63,
    );
    check(names("aws:iam/role:Role", "name"), AWS_NAME.iamRole, 64);
    check(names("aws:iam/policy:Policy", "name"), AWS_NAME.iamPolicy, 128);
    check(names("aws:iam/group:Group", "name"), AWS_NAME.iamPolicy, 128);
    check(names("aws:iam/instanceProfile:InstanceProfile", "name"), AWS_NAME.iamPolicy, 128);
    check(names("aws:batch/computeEnvironment:ComputeEnvironment", "name"), AWS_NAME.batch, 128);
    check(names("aws:batch/jobQueue:JobQueue", "name"), AWS_NAME.batch, 128);
    check(names("aws:kms/alias:Alias", "name"), AWS_NAME.kmsAlias, 256);
    for (const prefix of names(
      "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
      "namePrefix",
    )) {
      // The provider appends a 26-digit unique id.
      expect(`${prefix}${"0".repeat(26)}`).to.match(AWS_NAME.sagemaker);
    }
    const roles = names("aws:iam/role:Role", "name");
    expect(new Set(roles).size).to.equal(roles.length);
  });

  it("refuses a spec without an AWS region", () => {
    const spec: PlatformSpec = { ...specWith(PROD), aws: undefined };
    expect(() => new AwsPlatform("aws", { spec })).to.throw("aws:region is required");
  });
});
