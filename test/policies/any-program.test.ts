import { expect } from "chai";
import { UNKNOWN } from "../../engine/monitor";
import { POLICIES } from "../../policies/policies";
import { statefulResourcesRecoverable } from "../../policies/reliability/stateful-resources-recoverable";
import { ecrImmutableTags } from "../../policies/security/ecr-immutable-tags";
import { ecrKmsEncryption } from "../../policies/security/ecr-kms-encryption";
import { gcpNoBasicRoles } from "../../policies/security/gcp-no-basic-roles";
import { iamNoFullAdmin } from "../../policies/security/iam-no-full-admin";
import { keyRotation } from "../../policies/security/key-rotation";
import { noPublicGrants } from "../../policies/security/no-public-grants";
import { s3KmsEncryption } from "../../policies/security/s3-kms-encryption";
import { check, planWith, prodPlan, resource } from "./harness";

type Inputs = Record<string, unknown>;

/** A BucketV2 declared as another program might: its settings inline, in the provider's lists. */
function bucketV2(inputs: Inputs) {
  return resource("aws:s3/bucketV2:BucketV2", "other-bucket", inputs);
}

const kmsInline = (sseAlgorithm: string) => ({
  serverSideEncryptionConfigurations: [
    { rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm }] }] },
  ],
});

const document = (statement: Inputs | Inputs[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statement });

describe("policies on resources another program declares", () => {
  describe("an S3 BucketV2 with its settings inline", () => {
    it("is encrypted with SSE-KMS or DSSE-KMS by its inline plural shape", async () => {
      for (const algorithm of ["aws:kms", "aws:kms:dsse"]) {
        expect(
          await check(s3KmsEncryption, [bucketV2(kmsInline(algorithm))]),
          algorithm,
        ).to.deep.equal([]);
      }
    });

    it("fails S3-managed keys in the inline plural shape, naming the algorithm", async () => {
      const bucket = bucketV2(kmsInline("AES256"));
      expect(await check(s3KmsEncryption, [bucket])).to.deep.equal([
        {
          urn: bucket.urn,
          message:
            'sseAlgorithm must be "aws:kms" or "aws:kms:dsse" so objects are encrypted with KMS keys; it is "AES256".',
        },
      ]);
    });

    it("keeps versions by its inline versionings list, and fails one that is off", async () => {
      expect(
        await check(statefulResourcesRecoverable, [bucketV2({ versionings: [{ enabled: true }] })]),
      ).to.deep.equal([]);
      const off = bucketV2({ versionings: [{ enabled: false }] });
      expect((await check(statefulResourcesRecoverable, [off])).map((f) => f.urn)).to.deep.equal([
        off.urn,
      ]);
    });

    it("is judged by its separate resources when the inline lists are unknown in a preview", async () => {
      const { resources } = planWith("aws-storage-bucket", (r) => {
        r.type = "aws:s3/bucketV2:BucketV2";
        r.inputs.serverSideEncryptionConfigurations = UNKNOWN;
        r.inputs.versionings = UNKNOWN;
      });
      expect(await check(s3KmsEncryption, resources)).to.deep.equal([]);
      expect(await check(statefulResourcesRecoverable, resources)).to.deep.equal([]);
    });
  });

  describe("no-public-grants", () => {
    it("passes the platform's own grants", async () => {
      expect(await check(noPublicGrants, prodPlan())).to.deep.equal([]);
    });

    it("fails a GCS objectViewer grant to allUsers or allAuthenticatedUsers, by member or binding", async () => {
      const member = resource("gcp:storage/bucketIAMMember:BucketIAMMember", "public-read", {
        bucket: "data",
        role: "roles/storage.objectViewer",
        member: "allUsers",
      });
      const binding = resource("gcp:storage/bucketIAMBinding:BucketIAMBinding", "signed-in", {
        bucket: "data",
        role: "roles/storage.objectViewer",
        members: ["user:alice@example.com", "allAuthenticatedUsers"],
      });
      expect(await check(noPublicGrants, [member, binding])).to.deep.equal([
        {
          urn: member.urn,
          message:
            'the grant must name the users, groups or service accounts that need access, not allUsers, which makes the resource public; it grants "roles/storage.objectViewer" to allUsers.',
        },
        {
          urn: binding.urn,
          message:
            'the grant must name the users, groups or service accounts that need access, not allAuthenticatedUsers, which makes the resource public; it grants "roles/storage.objectViewer" to allAuthenticatedUsers.',
        },
      ]);
    });

    it("fails any GCP IAM policy document or ACL entry that names a public member", async () => {
      const policy = resource("gcp:artifactregistry/repositoryIamPolicy:RepositoryIamPolicy", "p", {
        policyData: JSON.stringify({
          bindings: [{ role: "roles/artifactregistry.reader", members: ["allUsers"] }],
        }),
      });
      const acl = resource("gcp:storage/objectAccessControl:ObjectAccessControl", "acl", {
        entity: "allUsers",
        role: "READER",
      });
      expect((await check(noPublicGrants, [policy, acl])).map((f) => f.urn)).to.deep.equal([
        policy.urn,
        acl.urn,
      ]);
    });

    it("passes a member a preview cannot know yet", async () => {
      const member = resource("gcp:storage/bucketIAMMember:BucketIAMMember", "agent", {
        role: "roles/storage.objectViewer",
        member: UNKNOWN,
      });
      expect(await check(noPublicGrants, [member])).to.deep.equal([]);
    });

    it("fails an S3 bucket policy that allows the * principal without a condition", async () => {
      const open = resource("aws:s3/bucketPolicy:BucketPolicy", "open", {
        policy: document({ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject" }),
      });
      const conditioned = resource("aws:s3/bucketPolicy:BucketPolicy", "org-only", {
        policy: document({
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-123" } },
        }),
      });
      const denied = resource("aws:s3/bucketPolicy:BucketPolicy", "tls-only", {
        policy: document({ Effect: "Deny", Principal: "*", Action: "s3:*" }),
      });
      expect(await check(noPublicGrants, [open, conditioned, denied])).to.deep.equal([
        {
          urn: open.urn,
          message:
            'policy must not allow the "*" principal without a condition, which lets anyone reach the resource; the Statement allows "s3:GetObject" to {"AWS":"*"}. Name the accounts or roles, or add a condition that limits who may call.',
        },
      ]);
    });

    it("fails an Azure blob container open to anonymous reads", async () => {
      const open = resource("azure-native:storage:BlobContainer", "open", { publicAccess: "Blob" });
      const closed = resource("azure-native:storage:BlobContainer", "closed", {
        publicAccess: "None",
      });
      expect(await check(noPublicGrants, [open, closed])).to.deep.equal([
        {
          urn: open.urn,
          message: 'publicAccess must be "None" so blobs cannot be read anonymously; it is "Blob".',
        },
      ]);
    });
  });

  describe("ecr-kms-encryption", () => {
    it("passes the platform's repository, encrypted with its key", async () => {
      expect(await check(ecrKmsEncryption, prodPlan())).to.deep.equal([]);
    });

    it("fails a repository on AES256, set or by default", async () => {
      const aes = planWith("aws-registry-repository", (r) => {
        r.inputs.encryptionConfigurations = [{ encryptionType: "AES256" }];
      });
      expect(await check(ecrKmsEncryption, aes.resources)).to.deep.equal([
        {
          urn: aes.urn,
          message:
            'encryptionConfigurations[].encryptionType must be "KMS" so images are encrypted with a KMS key; it is "AES256".',
        },
      ]);
      const unset = planWith("aws-registry-repository", (r) => {
        delete r.inputs.encryptionConfigurations;
      });
      expect((await check(ecrKmsEncryption, unset.resources))[0].message).to.contain(
        "it is not set (AES256).",
      );
    });
  });

  describe("IAM documents", () => {
    const policy = (doc: unknown) => resource("aws:iam/policy:Policy", "p", { policy: doc });

    it("reports a statement without an Effect, or with one IAM does not accept, instead of skipping it", async () => {
      for (const [effect, shown] of [
        [undefined, "not set"],
        ["allow", '"allow"'],
      ]) {
        const p = policy(document({ Effect: effect, Action: "*", Resource: "*" }));
        expect(await check(iamNoFullAdmin, [p])).to.deep.equal([
          {
            urn: p.urn,
            message: `the Statement must have an Effect of "Allow" or "Deny" (case-sensitive), which IAM requires; it is ${shown} in its policy.`,
          },
        ]);
      }
    });

    it("reports an empty document as not JSON, and passes a missing one or one without statements", async () => {
      const empty = policy("");
      expect(await check(iamNoFullAdmin, [empty])).to.deep.equal([
        {
          urn: empty.urn,
          message: 'policy must be a JSON IAM policy document; it is not JSON: "".',
        },
      ]);
      expect(await check(iamNoFullAdmin, [policy(undefined), policy("{}")])).to.deep.equal([]);
    });

    it("passes a GCP IAM policy with no bindings", async () => {
      const p = resource("gcp:projects/iAMPolicy:IAMPolicy", "empty", { policyData: "{}" });
      expect(await check(gcpNoBasicRoles, [p])).to.deep.equal([]);
      expect(await check(noPublicGrants, [p])).to.deep.equal([]);
    });
  });

  describe("key-rotation edges", () => {
    it("exempts AWS keys that cannot rotate: asymmetric encryption keys and HMAC keys", async () => {
      for (const [keyUsage, spec] of [
        ["ENCRYPT_DECRYPT", "RSA_2048"],
        ["GENERATE_VERIFY_MAC", "HMAC_256"],
      ]) {
        const { resources } = planWith("aws-workspace-key", (r) => {
          r.inputs.enableKeyRotation = false;
          r.inputs.keyUsage = keyUsage;
          r.inputs.customerMasterKeySpec = spec;
        });
        expect(await check(keyRotation, resources), spec).to.deep.equal([]);
      }
    });

    it("exempts signing-only Cloud KMS keys, whatever their period", async () => {
      const { resources } = planWith("gcp-workspace-key", (r) => {
        r.inputs.purpose = "ASYMMETRIC_SIGN";
        delete r.inputs.rotationPeriod;
      });
      expect(await check(keyRotation, resources)).to.deep.equal([]);
    });

    it("reads fractional periods at the boundary and refuses malformed ones", async () => {
      const at = (rotationPeriod: string) =>
        planWith("gcp-workspace-key", (r) => (r.inputs.rotationPeriod = rotationPeriod));
      expect(await check(keyRotation, at("7775999.5s").resources)).to.deep.equal([]);
      for (const period of ["7776000.5s", "90d", "7776000", "s"]) {
        const { resources, urn } = at(period);
        expect(await check(keyRotation, resources), period).to.deep.equal([
          {
            urn,
            message: `rotationPeriod must be at most 90 days ("7776000s"); it is ${JSON.stringify(period)}.`,
          },
        ]);
      }
    });
  });

  it("accepts ECR's IMMUTABLE_WITH_EXCLUSION tags", async () => {
    const { resources } = planWith("aws-registry-repository", (r) => {
      r.inputs.imageTagMutability = "IMMUTABLE_WITH_EXCLUSION";
    });
    expect(await check(ecrImmutableTags, resources)).to.deep.equal([]);
  });

  it("reports, rather than crashes on, resources that carry no properties at all", async () => {
    const bare = [
      resource("aws:ecr/repository:Repository", "bare-repository", {}),
      resource("azure-native:machinelearningservices:Workspace", "bare-workspace", {}),
      resource("gcp:storage/bucket:Bucket", "bare-bucket", {}),
    ];
    const reported = new Set<string>();
    for (const policy of POLICIES) {
      for (const finding of await check(policy, bare)) reported.add(finding.urn);
    }
    expect([...reported].sort()).to.deep.equal(bare.map((r) => r.urn).sort());
  });

  it("runs every policy mandatory by default, so a pack without a policy config still gates", () => {
    expect(
      Object.fromEntries(POLICIES.map((p) => [p.name, p.enforcementLevel ?? "advisory"])),
    ).to.deep.equal(Object.fromEntries(POLICIES.map((p) => [p.name, "mandatory"])));
    expect(POLICIES.length).to.equal(32);
  });
});
