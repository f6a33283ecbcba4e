import * as kms from "@pulumi/gcp/kms";
import { expect } from "chai";
import { LIFECYCLE_RULES, GcpStorage } from "../../components/gcp/storage";
import { NAME_RULES, physicalName } from "../../components/naming";
import { blockTags } from "../../components/tags";
import type { Tier } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, ofType, registered, single } from "../harness";
import {
  KEY_NAME,
  PLACEMENT,
  PROJECT,
  REGION,
  SUFFIX,
  TAGS,
  component,
  gcpOutputs,
  labelsAreValid,
} from "./fixtures";

const BUCKET = "gcp:storage/bucket:Bucket";
const RUNTIME = "serviceAccount:runtime@ml-platform-test.iam.gserviceaccount.com";
const SERVING = "serviceAccount:serving@ml-platform-test.iam.gserviceaccount.com";
/** GCS bucket names: 3-63 lowercase letters, digits, hyphens, starting and ending alphanumeric. */
const GCS_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

describe("gcp storage", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({ outputs: gcpOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(
    tier: Tier = "dev",
    nameParts: readonly string[] = PLACEMENT.nameParts,
  ): Promise<Registration[]> {
    const keyAccess = new kms.CryptoKeyIAMMember("grant", {
      cryptoKeyId: KEY_NAME,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:gcs-agent@example.com",
    });
    new GcpStorage("store", {
      ...PLACEMENT,
      nameParts,
      tier,
      tags: TAGS,
      uniqueSuffix: SUFFIX,
      kmsKeyName: KEY_NAME,
      keyAccess,
      objectUsers: [RUNTIME],
      objectViewers: [SERVING],
    });
    return registered(rec);
  }

  it("names the bucket from the project and stack with the stable suffix", async () => {
    const bucket = single(await build(), BUCKET);
    expect(bucket.inputs.name).to.equal(`mlplatform-test-${SUFFIX}`);
    expect(bucket.inputs.name).to.match(GCS_NAME);
  });

  it("keeps a long project and stack name valid, with the suffix at the end", async () => {
    const parts = [
      "Machine_Learning-Platform",
      "a-very-long-stack-name-for-the-team-in-production-europe",
    ];
    const name = single(await build("dev", parts), BUCKET).inputs.name as string;
    expect(name).to.match(GCS_NAME);
    expect(name.length).to.be.at.most(63);
    expect(name.endsWith(`-${SUFFIX}`)).to.equal(true);
    expect(name).to.equal(physicalName(parts, NAME_RULES.gcsBucket, SUFFIX));
  });

  it("is private: uniform access and public access prevention enforced", async () => {
    const bucket = single(await build(), BUCKET);
    expect(bucket.inputs).to.include({
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      project: PROJECT,
      location: REGION,
    });
  });

  it("is versioned and encrypted with the platform key, after the storage agent may use it", async () => {
    const regs = await build();
    const bucket = single(regs, BUCKET);
    expect(bucket.inputs.versioning).to.deep.equal({ enabled: true });
    expect(bucket.inputs.encryption).to.deep.equal({ defaultKmsKeyName: KEY_NAME });
    expect(bucket.dependencies).to.include(
      single(regs, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").urn,
    );
  });

  it("prunes old versions and abandoned uploads, never current objects", async () => {
    const rules = single(await build(), BUCKET).inputs.lifecycleRules;
    expect(rules).to.deep.equal(LIFECYCLE_RULES);
    expect(rules).to.deep.equal([
      {
        action: { type: "Delete" },
        condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" },
      },
      { action: { type: "Delete" }, condition: { numNewerVersions: 3, withState: "ARCHIVED" } },
      { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 7 } },
    ]);
  });

  it("in prod is protected, retained, never force-destroyed and soft-deletes for 30 days", async () => {
    const bucket = single(await build("prod"), BUCKET);
    expect(bucket).to.include({ protect: true, retainOnDelete: true });
    expect(bucket.inputs.forceDestroy).to.equal(false);
    expect(bucket.inputs.softDeletePolicy).to.deep.equal({ retentionDurationSeconds: 30 * 86_400 });
  });

  it("in dev can be torn down with its objects and soft-deletes for 7 days", async () => {
    const bucket = single(await build("dev"), BUCKET);
    expect(bucket).to.include({ protect: false, retainOnDelete: false });
    expect(bucket.inputs.forceDestroy).to.equal(true);
    expect(bucket.inputs.softDeletePolicy).to.deep.equal({ retentionDurationSeconds: 7 * 86_400 });
  });

  it("lets the runtime account use objects and the serving account read them, neither administer the bucket", async () => {
    const grants = ofType(await build(), "gcp:storage/bucketIAMMember:BucketIAMMember");
    expect(grants.map((g) => g.inputs)).to.deep.equal([
      { bucket: `mlplatform-test-${SUFFIX}`, role: "roles/storage.objectUser", member: RUNTIME },
      { bucket: `mlplatform-test-${SUFFIX}`, role: "roles/storage.objectViewer", member: SERVING },
    ]);
  });

  it("carries the storage labels", async () => {
    const labels = single(await build(), BUCKET).inputs.labels as Record<string, unknown>;
    expect(labels).to.deep.equal(blockTags(TAGS, "storage"));
    expect(labelsAreValid(labels)).to.equal(true);
  });

  it("parents the bucket and its grant to the storage component", async () => {
    const regs = await build();
    const parent = component(regs, "mlplatform:gcp:Storage");
    expect(single(regs, BUCKET).parent).to.equal(parent.urn);
    for (const grant of ofType(regs, "gcp:storage/bucketIAMMember:BucketIAMMember")) {
      expect(grant.parent).to.equal(parent.urn);
    }
  });
});
