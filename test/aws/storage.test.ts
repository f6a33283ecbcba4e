import { expect } from "chai";
import {
  ABORT_MULTIPART_DAYS,
  AwsStorage,
  DATA_CAPTURE_DAYS,
  DATA_CAPTURE_PREFIX,
  NONCURRENT_VERSION_DAYS,
  bucketName,
} from "../../components/aws/storage";
import { blockTags } from "../../components/tags";
import type { Tier } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, registered, single, unwrap } from "../harness";
import {
  AWS_NAME,
  BUCKET_SETTINGS,
  KEY_ARN,
  PLACEMENT,
  SUFFIX,
  TAGS,
  awsOutputs,
  component,
  privilegeProblems,
  statement,
} from "./fixtures";

const BUCKET = "aws:s3/bucket:Bucket";
const NAME = `mlplatform-test-${SUFFIX}`;
const ARN = `arn:aws:s3:::${NAME}`;

describe("aws storage", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({ outputs: awsOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(tier: Tier = "dev"): Promise<{ regs: Registration[]; storage: AwsStorage }> {
    const storage = new AwsStorage("store", {
      ...PLACEMENT,
      tier,
      tags: TAGS,
      uniqueSuffix: SUFFIX,
      kmsKeyArn: KEY_ARN,
      executionRoleName: "studio-role",
    });
    return { regs: await registered(rec), storage };
  }

  it("names the bucket from the project and stack with the stable suffix", async () => {
    const { regs, storage } = await build();
    expect(single(regs, BUCKET).inputs.bucket).to.equal(NAME);
    expect(await unwrap(storage.storageName)).to.equal(NAME);
  });

  it("moves a name off the prefixes S3 reserves", () => {
    expect(bucketName(["sthree", "prod"], SUFFIX)).to.equal(`m-sthree-prod-${SUFFIX}`);
    expect(bucketName(["amzn-s3-demo", "x"], SUFFIX)).to.equal(`m-amzn-s3-demo-x-${SUFFIX}`);
    expect(bucketName(["Sthree2"], SUFFIX)).to.match(AWS_NAME.s3Bucket);
  });

  it("encrypts with the platform key and a bucket key", async () => {
    const { regs } = await build();
    const sse = single(
      regs,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    );
    expect(sse.inputs).to.deep.equal({
      bucket: `store-bucket-id`,
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN },
          bucketKeyEnabled: true,
        },
      ],
    });
  });

  it("versions objects and blocks every kind of public access", async () => {
    const { regs } = await build();
    expect(
      single(regs, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
    ).to.deep.equal({ status: "Enabled" });
    expect(
      single(regs, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs,
    ).to.deep.include({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(
      single(regs, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule,
    ).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
  });

  it("expires old versions and captured data (longer in prod) and aborts stale uploads", async () => {
    const lifecycle = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
    const rules = (regs: Registration[]) => single(regs, lifecycle).inputs.rules;
    const expected = (tier: Tier) => [
      {
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS[tier] },
      },
      {
        id: "expire-data-capture",
        status: "Enabled",
        filter: { prefix: "data-capture/" },
        expiration: { days: DATA_CAPTURE_DAYS[tier] },
      },
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
      },
    ];
    expect(rules((await build("dev")).regs)).to.deep.equal(expected("dev"));
    rec.reset();
    expect(rules((await build("prod")).regs)).to.deep.equal(expected("prod"));
    expect(NONCURRENT_VERSION_DAYS.prod).to.be.greaterThan(NONCURRENT_VERSION_DAYS.dev);
    expect(DATA_CAPTURE_PREFIX).to.equal("data-capture/");
  });

  it("denies any request without TLS 1.2", async () => {
    const { regs } = await build();
    const policy = single(regs, "aws:s3/bucketPolicy:BucketPolicy");
    const doc = policy.inputs.policy;
    expect(statement(doc, "DenyInsecureTransport")).to.deep.equal({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [ARN, `${ARN}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(statement(doc, "DenyOutdatedTls").Condition).to.deep.equal({
      NumericLessThan: { "s3:TlsVersion": "1.2" },
    });
    const publicAccess = single(regs, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    expect(policy.dependencies).to.include(publicAccess.urn);
  });

  it("lets the execution role read and write the bucket's objects, nothing else", async () => {
    const { regs } = await build();
    const grant = single(regs, "aws:iam/rolePolicy:RolePolicy");
    expect(grant.inputs.role).to.equal("studio-role");
    expect(privilegeProblems(grant.inputs.policy)).to.deep.equal([]);
    expect(statement(grant.inputs.policy, "ListPlatformBucket").Resource).to.equal(ARN);
    expect(statement(grant.inputs.policy, "ReadWritePlatformObjects").Resource).to.equal(
      `${ARN}/*`,
    );
  });

  it("protects and retains the bucket in prod; dev may be destroyed with its objects", async () => {
    const dev = single((await build("dev")).regs, BUCKET);
    expect([dev.protect, dev.retainOnDelete, dev.inputs.forceDestroy]).to.deep.equal([
      false,
      false,
      true,
    ]);
    rec.reset();
    const prod = single((await build("prod")).regs, BUCKET);
    expect([prod.protect, prod.retainOnDelete, prod.inputs.forceDestroy]).to.deep.equal([
      true,
      true,
      false,
    ]);
  });

  it("keeps the bucket's privacy, encryption and TLS settings with the retained prod bucket", async () => {
    const kept = (regs: Registration[]) =>
      BUCKET_SETTINGS.map((type) => [
        single(regs, type).protect,
        single(regs, type).retainOnDelete,
      ]);
    expect(kept((await build("prod")).regs)).to.deep.equal(BUCKET_SETTINGS.map(() => [true, true]));
    rec.reset();
    expect(kept((await build("dev")).regs)).to.deep.equal(
      BUCKET_SETTINGS.map(() => [false, false]),
    );
  });

  it("tags the bucket, parents every child", async () => {
    const { regs } = await build();
    expect(single(regs, BUCKET).inputs.tags).to.deep.equal(blockTags(TAGS, "storage"));
    const store = component(regs, "mlplatform:aws:Storage");
    for (const child of regs.filter((r) => r.custom)) {
      expect(child.parent, child.name).to.equal(store.urn);
    }
  });
});
