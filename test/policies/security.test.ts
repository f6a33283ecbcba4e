import { expect } from "chai";
import { UNKNOWN } from "../../engine/monitor";
import { acrAdminUserDisabled } from "../../policies/security/acr-admin-user-disabled";
import { azuremlComputeLocalAuthDisabled } from "../../policies/security/azureml-compute-local-auth-disabled";
import { azuremlWorkspaceNoPublicAccess } from "../../policies/security/azureml-workspace-no-public-access";
import { ecrImmutableTags } from "../../policies/security/ecr-immutable-tags";
import { ecrScanOnPush } from "../../policies/security/ecr-scan-on-push";
import { gcpNoBasicRoles } from "../../policies/security/gcp-no-basic-roles";
import { gcsPublicAccessPrevention } from "../../policies/security/gcs-public-access-prevention";
import { gcsUniformAccess } from "../../policies/security/gcs-uniform-access";
import { iamNoFullAdmin } from "../../policies/security/iam-no-full-admin";
import { keyRotation } from "../../policies/security/key-rotation";
import { keyVaultPurgeProtection } from "../../policies/security/key-vault-purge-protection";
import { s3BlockPublicAccess } from "../../policies/security/s3-block-public-access";
import { s3KmsEncryption } from "../../policies/security/s3-kms-encryption";
import { sagemakerKmsEncryption } from "../../policies/security/sagemaker-kms-encryption";
import { sagemakerModelNetworkIsolation } from "../../policies/security/sagemaker-model-network-isolation";
import { storageNoPublicBlobAccess } from "../../policies/security/storage-no-public-blob-access";
import { storageSecureTransfer } from "../../policies/security/storage-secure-transfer";
import { vertexCmek } from "../../policies/security/vertex-cmek";
import { check, devPlan, planWith, prodPlan, resource, urnOf } from "./harness";

type Inputs = Record<string, unknown>;

describe("security policies", () => {
  describe("s3-block-public-access", () => {
    it("passes a bucket whose public access block has all four settings on", async () => {
      expect(await check(s3BlockPublicAccess, prodPlan())).to.deep.equal([]);
    });

    it("fails a bucket with no public access block, naming the bucket", async () => {
      const { resources } = planWith("aws-storage-public-access", (r) => (r.dependencies = []));
      expect(await check(s3BlockPublicAccess, resources)).to.deep.equal([
        {
          urn: urnOf(resources, "aws-storage-bucket"),
          message:
            "the bucket must have a public access block (aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock) with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true; it has none.",
        },
      ]);
    });

    it("fails a public access block with one setting off, naming the block", async () => {
      const { resources, urn } = planWith(
        "aws-storage-public-access",
        (r) => (r.inputs.blockPublicPolicy = false),
      );
      expect(await check(s3BlockPublicAccess, resources)).to.deep.equal([
        {
          urn,
          message:
            "blockPublicPolicy must be true so the bucket cannot be made public; it is false.",
        },
      ]);
    });
  });

  describe("s3-kms-encryption", () => {
    it("passes a bucket encrypted with aws:kms", async () => {
      expect(await check(s3KmsEncryption, prodPlan())).to.deep.equal([]);
    });

    it("fails a bucket encrypted with S3-managed keys", async () => {
      const { resources } = planWith("aws-storage-encryption", (r) => {
        r.inputs.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
      });
      expect(await check(s3KmsEncryption, resources)).to.deep.equal([
        {
          urn: urnOf(resources, "aws-storage-bucket"),
          message:
            'sseAlgorithm must be "aws:kms" or "aws:kms:dsse" so objects are encrypted with KMS keys; it is "AES256".',
        },
      ]);
    });

    it("fails a bucket with no encryption configuration", async () => {
      const { resources } = planWith("aws-storage-encryption", (r) => (r.dependencies = []));
      expect(await check(s3KmsEncryption, resources)).to.deep.equal([
        {
          urn: urnOf(resources, "aws-storage-bucket"),
          message:
            'the bucket must encrypt objects with SSE-KMS (a aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration whose sseAlgorithm is "aws:kms"); it has no server-side encryption configuration.',
        },
      ]);
    });
  });

  describe("ecr-scan-on-push", () => {
    it("passes a repository that scans on push", async () => {
      expect(await check(ecrScanOnPush, prodPlan())).to.deep.equal([]);
    });

    it("fails a repository that does not", async () => {
      const { resources, urn } = planWith("aws-registry-repository", (r) => {
        r.inputs.imageScanningConfiguration = { scanOnPush: false };
      });
      expect(await check(ecrScanOnPush, resources)).to.deep.equal([
        {
          urn,
          message:
            "imageScanningConfiguration.scanOnPush must be true so every pushed image is scanned; it is false.",
        },
      ]);
    });

    it("fails a repository that leaves scanning unset", async () => {
      const { resources, urn } = planWith("aws-registry-repository", (r) => {
        delete r.inputs.imageScanningConfiguration;
      });
      expect(await check(ecrScanOnPush, resources)).to.deep.equal([
        {
          urn,
          message:
            "imageScanningConfiguration.scanOnPush must be true so every pushed image is scanned; it is not set.",
        },
      ]);
    });
  });

  describe("ecr-immutable-tags", () => {
    it("passes a repository with immutable tags", async () => {
      expect(await check(ecrImmutableTags, prodPlan())).to.deep.equal([]);
    });

    it("fails a repository whose tags are mutable by default", async () => {
      const { resources, urn } = planWith("aws-registry-repository", (r) => {
        delete r.inputs.imageTagMutability;
      });
      expect(await check(ecrImmutableTags, resources)).to.deep.equal([
        {
          urn,
          message:
            'imageTagMutability must be "IMMUTABLE" so a pushed tag cannot be overwritten; it is "MUTABLE".',
        },
      ]);
    });
  });

  describe("sagemaker-model-network-isolation", () => {
    it("passes an isolated model", async () => {
      expect(await check(sagemakerModelNetworkIsolation, prodPlan())).to.deep.equal([]);
    });

    it("fails a model that can reach the network", async () => {
      const { resources, urn } = planWith(
        "aws-endpoint-iris-model",
        (r) => (r.inputs.enableNetworkIsolation = false),
      );
      expect(await check(sagemakerModelNetworkIsolation, resources)).to.deep.equal([
        {
          urn,
          message:
            "enableNetworkIsolation must be true so the model's containers make no outbound calls; it is false.",
        },
      ]);
    });
  });

  describe("sagemaker-kms-encryption", () => {
    it("passes an endpoint configuration and a domain that name a key the preview cannot know yet", async () => {
      const resources = prodPlan();
      expect(
        resources.find((r) => r.name === "aws-endpoint-iris-config")?.inputs.kmsKeyArn,
      ).to.equal(UNKNOWN);
      expect(await check(sagemakerKmsEncryption, resources)).to.deep.equal([]);
    });

    it("fails an endpoint configuration without a key", async () => {
      const { resources, urn } = planWith(
        "aws-endpoint-iris-config",
        (r) => delete r.inputs.kmsKeyArn,
      );
      expect(await check(sagemakerKmsEncryption, resources)).to.deep.equal([
        {
          urn,
          message:
            "kmsKeyArn must name a customer-managed KMS key that encrypts the endpoint's storage volumes; it is not set.",
        },
      ]);
    });

    it("fails a domain with an empty key id", async () => {
      const { resources, urn } = planWith("aws-workspace-domain", (r) => (r.inputs.kmsKeyId = ""));
      expect(await check(sagemakerKmsEncryption, resources)).to.deep.equal([
        {
          urn,
          message:
            "kmsKeyId must name a customer-managed KMS key that encrypts the domain's home file system; it is not set.",
        },
      ]);
    });
  });

  describe("key-rotation", () => {
    it("passes rotating AWS and GCP keys", async () => {
      expect(await check(keyRotation, prodPlan())).to.deep.equal([]);
    });

    it("fails an AWS key without rotation", async () => {
      const { resources, urn } = planWith(
        "aws-workspace-key",
        (r) => (r.inputs.enableKeyRotation = false),
      );
      expect(await check(keyRotation, resources)).to.deep.equal([
        {
          urn,
          message:
            "enableKeyRotation must be true so KMS rotates the key's material every year; it is false.",
        },
      ]);
    });

    it("passes an asymmetric AWS key, which cannot rotate", async () => {
      const { resources } = planWith("aws-workspace-key", (r) => {
        r.inputs.enableKeyRotation = false;
        r.inputs.customerMasterKeySpec = "RSA_2048";
        r.inputs.keyUsage = "SIGN_VERIFY";
      });
      expect(await check(keyRotation, resources)).to.deep.equal([]);
    });

    it("fails a Cloud KMS key that rotates yearly", async () => {
      const { resources, urn } = planWith(
        "gcp-workspace-key",
        (r) => (r.inputs.rotationPeriod = "31536000s"),
      );
      expect(await check(keyRotation, resources)).to.deep.equal([
        { urn, message: 'rotationPeriod must be at most 90 days ("7776000s"); it is "31536000s".' },
      ]);
    });

    it("fails a Cloud KMS key that never rotates", async () => {
      const { resources, urn } = planWith(
        "gcp-workspace-key",
        (r) => delete r.inputs.rotationPeriod,
      );
      expect(await check(keyRotation, resources)).to.deep.equal([
        { urn, message: 'rotationPeriod must be at most 90 days ("7776000s"); it is not set.' },
      ]);
    });

    it("holds Cloud KMS keys to a stricter configured period", async () => {
      const resources = prodPlan();
      expect(
        await check(keyRotation, resources, { config: { maxRotationDays: 30 } }),
      ).to.deep.equal([
        {
          urn: urnOf(resources, "gcp-workspace-key"),
          message: 'rotationPeriod must be at most 30 days ("2592000s"); it is "7776000s".',
        },
      ]);
    });
  });

  describe("iam-no-full-admin", () => {
    const admin = (statement: Inputs | Inputs[]) =>
      JSON.stringify({ Version: "2012-10-17", Statement: statement });

    it("passes least-privilege policies", async () => {
      expect(await check(iamNoFullAdmin, prodPlan())).to.deep.equal([]);
    });

    it("fails a role policy that allows every action on every resource", async () => {
      const { resources, urn } = planWith("aws-workspace-role-policy", (r) => {
        r.inputs.policy = admin({ Effect: "Allow", Action: "*", Resource: "*" });
      });
      expect(await check(iamNoFullAdmin, resources)).to.deep.equal([
        {
          urn,
          message:
            'the policy must not allow "*" actions on "*" resources; grant the actions the workload needs on its own resources instead; the Statement of its policy does.',
        },
      ]);
    });

    it("names each full-admin statement by its Sid and its index", async () => {
      const policy = resource("aws:iam/policy:Policy", "admin", {
        policy: admin([
          { Sid: "ReadModels", Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
          { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" },
          { Effect: "Allow", Action: ["*"], Resource: ["*"] },
        ]),
      });
      expect(await check(iamNoFullAdmin, [...prodPlan(), policy])).to.deep.equal([
        {
          urn: policy.urn,
          message:
            'the policy must not allow "*" actions on "*" resources; grant the actions the workload needs on its own resources instead; Statement[1] (Sid "Everything") of its policy does.',
        },
        {
          urn: policy.urn,
          message:
            'the policy must not allow "*" actions on "*" resources; grant the actions the workload needs on its own resources instead; Statement[2] of its policy does.',
        },
      ]);
    });

    it("fails a policy document that is not JSON, showing its start", async () => {
      const { resources, urn } = planWith("aws-workspace-role-policy", (r) => {
        r.inputs.policy = "{ Version: 2012-10-17, Statement: [ { Effect: Allow } ] }";
      });
      const role = resource("aws:iam/role:Role", "broken-role", {
        inlinePolicies: [{ name: "broken", policy: "Allow *" }],
      });
      expect(await check(iamNoFullAdmin, [...resources, role])).to.deep.equal([
        {
          urn,
          message:
            'policy must be a JSON IAM policy document; it is not JSON: "{ Version: 2012-10-17, Statement: [ { Ef"....',
        },
        {
          urn: role.urn,
          message:
            'inlinePolicies[0].policy must be a JSON IAM policy document; it is not JSON: "Allow *".',
        },
      ]);
    });

    it("passes a statement that denies everything, or allows everything on one resource", async () => {
      const resources = [
        ...prodPlan(),
        resource("aws:iam/policy:Policy", "deny-all", {
          policy: admin([{ Effect: "Deny", Action: "*", Resource: "*" }]),
        }),
        resource("aws:iam/policy:Policy", "one-bucket", {
          policy: admin([{ Effect: "Allow", Action: ["*"], Resource: ["arn:aws:s3:::one"] }]),
        }),
      ];
      expect(await check(iamNoFullAdmin, resources)).to.deep.equal([]);
    });

    it("fails a role whose inline policy is full admin, given as an object", async () => {
      const role = resource("aws:iam/role:Role", "admin-role", {
        inlinePolicies: [
          {
            name: "ok",
            policy: admin([{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }]),
          },
          {
            name: "admin",
            policy: { Statement: [{ Effect: "Allow", Action: ["*"], Resource: "*" }] },
          },
        ],
      });
      expect(await check(iamNoFullAdmin, [...prodPlan(), role])).to.deep.equal([
        {
          urn: role.urn,
          message:
            'the policy must not allow "*" actions on "*" resources; grant the actions the workload needs on its own resources instead; Statement[0] of inlinePolicies[1] (admin) does.',
        },
      ]);
    });

    it("fails an Azure custom role that allows every action", async () => {
      const role = resource("azure-native:authorization:RoleDefinition", "owner-like", {
        roleName: "ml-admin",
        permissions: [{ actions: ["Microsoft.MachineLearningServices/*"] }, { actions: ["*"] }],
      });
      expect(await check(iamNoFullAdmin, [...prodPlan(), role])).to.deep.equal([
        {
          urn: role.urn,
          message:
            'a custom role must not allow every action; permissions[1].actions of ml-admin includes "*".',
        },
      ]);
    });
  });

  describe("azureml-workspace-no-public-access", () => {
    it("passes a prod workspace without public network access", async () => {
      expect(await check(azuremlWorkspaceNoPublicAccess, prodPlan())).to.deep.equal([]);
    });

    it("fails a workspace open to the internet, as dev plans have it", async () => {
      const resources = devPlan();
      expect(await check(azuremlWorkspaceNoPublicAccess, resources)).to.deep.equal([
        {
          urn: urnOf(resources, "azure-workspace"),
          message:
            'publicNetworkAccess must be "Disabled" so the workspace is reachable only through private endpoints; it is "Enabled".',
        },
      ]);
    });
  });

  describe("azureml-compute-local-auth-disabled", () => {
    it("passes a compute with local authentication off", async () => {
      expect(await check(azuremlComputeLocalAuthDisabled, prodPlan())).to.deep.equal([]);
    });

    it("fails a compute that leaves it on", async () => {
      const { resources, urn } = planWith("azure-training-cluster", (r) => {
        delete (r.inputs.properties as Inputs).disableLocalAuth;
      });
      expect(await check(azuremlComputeLocalAuthDisabled, resources)).to.deep.equal([
        {
          urn,
          message:
            "properties.disableLocalAuth must be true so only Microsoft Entra identities can use the compute; it is not set.",
        },
      ]);
    });
  });

  describe("storage-no-public-blob-access", () => {
    it("passes an account that disallows public blobs", async () => {
      expect(await check(storageNoPublicBlobAccess, prodPlan())).to.deep.equal([]);
    });

    it("fails an account that allows them", async () => {
      const { resources, urn } = planWith(
        "azure-storage-account",
        (r) => (r.inputs.allowBlobPublicAccess = true),
      );
      expect(await check(storageNoPublicBlobAccess, resources)).to.deep.equal([
        {
          urn,
          message:
            "allowBlobPublicAccess must be false so no container can be opened to anonymous reads; it is true.",
        },
      ]);
    });
  });

  describe("storage-secure-transfer", () => {
    it("passes an account on HTTPS with TLS 1.2", async () => {
      expect(await check(storageSecureTransfer, prodPlan())).to.deep.equal([]);
    });

    it("fails an account that accepts HTTP and TLS 1.0", async () => {
      const { resources, urn } = planWith("azure-storage-account", (r) => {
        r.inputs.enableHttpsTrafficOnly = false;
        r.inputs.minimumTlsVersion = "TLS1_0";
      });
      expect(await check(storageSecureTransfer, resources)).to.deep.equal([
        {
          urn,
          message:
            "enableHttpsTrafficOnly must be true so the account refuses plain HTTP; it is false.",
        },
        {
          urn,
          message:
            'minimumTlsVersion must be "TLS1_2" or later, since the service otherwise accepts TLS 1.0; it is "TLS1_0".',
        },
      ]);
    });

    it("fails an account that leaves the TLS version to the service", async () => {
      const { resources, urn } = planWith(
        "azure-storage-account",
        (r) => delete r.inputs.minimumTlsVersion,
      );
      expect(await check(storageSecureTransfer, resources)).to.deep.equal([
        {
          urn,
          message:
            'minimumTlsVersion must be "TLS1_2" or later, since the service otherwise accepts TLS 1.0; it is not set.',
        },
      ]);
    });
  });

  describe("acr-admin-user-disabled", () => {
    it("passes a registry with the admin user off", async () => {
      expect(await check(acrAdminUserDisabled, prodPlan())).to.deep.equal([]);
    });

    it("fails a registry with the admin user on", async () => {
      const { resources, urn } = planWith(
        "azure-registry",
        (r) => (r.inputs.adminUserEnabled = true),
      );
      expect(await check(acrAdminUserDisabled, resources)).to.deep.equal([
        {
          urn,
          message:
            "adminUserEnabled must be false so no shared password can push or pull images; it is true.",
        },
      ]);
    });
  });

  describe("key-vault-purge-protection", () => {
    it("passes a vault with purge protection", async () => {
      expect(await check(keyVaultPurgeProtection, prodPlan())).to.deep.equal([]);
    });

    it("fails a vault without it", async () => {
      const { resources, urn } = planWith("azure-workspace-vault", (r) => {
        (r.inputs.properties as Inputs).enablePurgeProtection = false;
      });
      expect(await check(keyVaultPurgeProtection, resources)).to.deep.equal([
        {
          urn,
          message:
            "properties.enablePurgeProtection must be true so deleted keys and secrets cannot be purged early; it is false.",
        },
      ]);
    });
  });

  describe("gcs-uniform-access", () => {
    it("passes a bucket with uniform bucket-level access", async () => {
      expect(await check(gcsUniformAccess, prodPlan())).to.deep.equal([]);
    });

    it("fails a bucket with object ACLs", async () => {
      const { resources, urn } = planWith(
        "gcp-storage-bucket",
        (r) => (r.inputs.uniformBucketLevelAccess = false),
      );
      expect(await check(gcsUniformAccess, resources)).to.deep.equal([
        {
          urn,
          message:
            "uniformBucketLevelAccess must be true so object ACLs cannot grant access around IAM; it is false.",
        },
      ]);
    });
  });

  describe("gcs-public-access-prevention", () => {
    it("passes a bucket that enforces public access prevention", async () => {
      expect(await check(gcsPublicAccessPrevention, prodPlan())).to.deep.equal([]);
    });

    it("fails a bucket that inherits it", async () => {
      const { resources, urn } = planWith(
        "gcp-storage-bucket",
        (r) => (r.inputs.publicAccessPrevention = "inherited"),
      );
      expect(await check(gcsPublicAccessPrevention, resources)).to.deep.equal([
        {
          urn,
          message:
            'publicAccessPrevention must be "enforced" so allUsers and allAuthenticatedUsers grants are refused; it is "inherited".',
        },
      ]);
    });
  });

  describe("vertex-cmek", () => {
    it("passes Vertex AI resources encrypted with the platform's key", async () => {
      expect(await check(vertexCmek, prodPlan())).to.deep.equal([]);
    });

    it("fails an endpoint with Google-managed encryption", async () => {
      const { resources, urn } = planWith(
        "gcp-endpoint-iris-endpoint",
        (r) => delete r.inputs.encryptionSpec,
      );
      expect(await check(vertexCmek, resources)).to.deep.equal([
        {
          urn,
          message:
            "encryptionSpec.kmsKeyName must name a customer-managed Cloud KMS key; it is not set.",
        },
      ]);
    });
  });

  describe("gcp-no-basic-roles", () => {
    it("passes predefined roles", async () => {
      expect(await check(gcpNoBasicRoles, prodPlan())).to.deep.equal([]);
    });

    it("fails a project grant of roles/editor", async () => {
      const { resources, urn } = planWith(
        "gcp-workspace-runtime-aiplatform-user",
        (r) => (r.inputs.role = "roles/editor"),
      );
      expect(await check(gcpNoBasicRoles, resources)).to.deep.equal([
        {
          urn,
          message:
            "the grant must use a predefined or custom role with the permissions the member needs, not a basic role (roles/owner, roles/editor, roles/viewer); it grants roles/editor.",
        },
      ]);
    });

    it("fails a project IAM policy that binds roles/owner", async () => {
      const policy = resource("gcp:projects/iAMPolicy:IAMPolicy", "project-policy", {
        project: "mlplatform-prod",
        policyData: JSON.stringify({
          bindings: [
            { role: "roles/aiplatform.user", members: ["user:a@example.com"] },
            { role: "roles/owner", members: ["user:b@example.com"] },
          ],
        }),
      });
      expect(await check(gcpNoBasicRoles, [...prodPlan(), policy])).to.deep.equal([
        {
          urn: policy.urn,
          message:
            "the grant must use a predefined or custom role with the permissions the member needs, not a basic role (roles/owner, roles/editor, roles/viewer); it grants roles/owner.",
        },
      ]);
    });

    it("fails a project IAM policy whose policy data is not JSON, showing its start", async () => {
      const policy = resource("gcp:projects/iAMPolicy:IAMPolicy", "project-policy", {
        project: "mlplatform-prod",
        policyData: "bindings: [{role: roles/owner, members: [user:b@example.com]}]",
      });
      expect(await check(gcpNoBasicRoles, [...prodPlan(), policy])).to.deep.equal([
        {
          urn: policy.urn,
          message:
            'policyData must be a JSON IAM policy (as organizations.getIAMPolicy gives it); it is not JSON: "bindings: [{role: roles/owner, members: "....',
        },
      ]);
    });
  });
});
