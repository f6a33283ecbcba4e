import { expect } from "chai";
import { endpointAutoscaling } from "../../policies/reliability/endpoint-autoscaling";
import { endpointMinReplicas } from "../../policies/reliability/endpoint-min-replicas";
import {
  STATEFUL_TYPES,
  statefulResourcesProtected,
} from "../../policies/reliability/stateful-resources-protected";
import { statefulResourcesRecoverable } from "../../policies/reliability/stateful-resources-recoverable";
import { check, devPlan, planWith, prodPlan, urnOf } from "./harness";

type Inputs = Record<string, unknown>;

describe("reliability policies", () => {
  describe("endpoint-min-replicas", () => {
    it("passes prod endpoints that keep two replicas on every cloud", async () => {
      expect(await check(endpointMinReplicas, prodPlan())).to.deep.equal([]);
    });

    it("passes dev endpoints at one replica with the dev tier's minimum", async () => {
      expect(
        await check(endpointMinReplicas, devPlan(), { config: { minReplicas: 1 } }),
      ).to.deep.equal([]);
    });

    it("fails dev endpoints against the default minimum of two, on every cloud", async () => {
      const resources = devPlan();
      expect(await check(endpointMinReplicas, resources)).to.deep.equal([
        {
          urn: urnOf(resources, "aws-endpoint-iris-config"),
          message:
            "productionVariants[0].initialInstanceCount must be at least 2 so the endpoint keeps serving when a replica fails; it is 1.",
        },
        {
          urn: urnOf(resources, "aws-endpoint-iris-scaling"),
          message:
            "minCapacity must be at least 2 so autoscaling never takes the endpoint below 2 replicas; it is 1.",
        },
        {
          urn: urnOf(resources, "azure-endpoint-iris-deployment"),
          message:
            "sku.capacity must be at least 2 so the endpoint keeps serving when a replica fails; it is 1.",
        },
        {
          urn: urnOf(resources, "azure-endpoint-iris-autoscale"),
          message:
            "profiles[].capacity.minimum must be at least 2 so autoscaling never takes the endpoint below 2 replicas; it is 1.",
        },
        {
          urn: urnOf(resources, "gcp-endpoint-iris-deployment"),
          message:
            "minReplicas must be at least 2 so the endpoint keeps serving when a replica fails; it is 1.",
        },
      ]);
    });

    it("fails an autoscaler that may scale a prod endpoint down to one", async () => {
      const { resources, urn } = planWith(
        "aws-endpoint-iris-scaling",
        (r) => (r.inputs.minCapacity = 1),
      );
      expect(await check(endpointMinReplicas, resources)).to.deep.equal([
        {
          urn,
          message:
            "minCapacity must be at least 2 so autoscaling never takes the endpoint below 2 replicas; it is 1.",
        },
      ]);
    });
  });

  describe("endpoint-autoscaling", () => {
    it("passes endpoints with an autoscaler on every cloud", async () => {
      expect(await check(endpointAutoscaling, prodPlan())).to.deep.equal([]);
    });

    it("fails a SageMaker variant with no scaling target", async () => {
      const resources = planWith(
        "aws-endpoint-iris-scaling",
        (r) => (r.dependencies = []),
      ).resources;
      expect(await check(endpointAutoscaling, resources)).to.deep.equal([
        {
          urn: urnOf(resources, "aws-endpoint-iris-config"),
          message:
            "production variant primary must have an Application Auto Scaling target (aws:appautoscaling/target:Target, namespace sagemaker); it has none.",
        },
      ]);
    });

    it("fails an Azure deployment whose autoscale setting is disabled", async () => {
      const resources = planWith(
        "azure-endpoint-iris-autoscale",
        (r) => (r.inputs.enabled = false),
      ).resources;
      expect(await check(endpointAutoscaling, resources)).to.deep.equal([
        {
          urn: urnOf(resources, "azure-endpoint-iris-deployment"),
          message:
            "the online deployment must have an Azure Monitor autoscale setting (azure-native:monitor:AutoscaleSetting) on it, or target-utilization scale settings; it has neither.",
        },
      ]);
    });

    it("passes an Azure deployment that scales on target utilization", async () => {
      const resources = planWith("azure-endpoint-iris-deployment", (r) => {
        (r.inputs.properties as Inputs).scaleSettings = {
          scaleType: "TargetUtilization",
          minInstances: 2,
          maxInstances: 6,
        };
        r.urn = r.urn.replace(
          "azure-endpoint-iris-deployment",
          "azure-endpoint-iris-deployment-tu",
        );
      }).resources;
      expect(await check(endpointAutoscaling, resources)).to.deep.equal([]);
    });

    it("fails a Vertex AI deployment with no maximum", async () => {
      const { resources, urn } = planWith(
        "gcp-endpoint-iris-deployment",
        (r) => delete r.inputs.maxReplicas,
      );
      expect(await check(endpointAutoscaling, resources)).to.deep.equal([
        {
          urn,
          message:
            "maxReplicas must be set so Vertex AI scales the deployment with load; it is not set.",
        },
      ]);
    });
  });

  describe("stateful-resources-protected", () => {
    it("passes a prod plan whose stateful resources are protected", async () => {
      expect(await check(statefulResourcesProtected, prodPlan())).to.deep.equal([]);
    });

    it("fails an unprotected bucket", async () => {
      const { resources, urn } = planWith("gcp-storage-bucket", (r) => delete r.protect);
      expect(await check(statefulResourcesProtected, resources)).to.deep.equal([
        {
          urn,
          message:
            "the resource holds data or keys and must be protected (the protect resource option) so pulumi destroy or a replacement cannot delete it; it is not protected.",
        },
      ]);
    });

    it("fails every stateful resource of a plan that protects none, and nothing else", async () => {
      const resources = devPlan();
      const findings = await check(statefulResourcesProtected, resources);
      const stateful = resources.filter((r) => STATEFUL_TYPES.includes(r.type));
      expect(findings.map((f) => f.urn)).to.deep.equal(stateful.map((r) => r.urn));
      expect(new Set(stateful.map((r) => r.type)).size).to.equal(14);
    });
  });

  describe("stateful-resources-recoverable", () => {
    it("passes buckets with versioning, an account with blob soft delete, a vault with soft delete", async () => {
      expect(await check(statefulResourcesRecoverable, prodPlan())).to.deep.equal([]);
    });

    it("fails an S3 bucket whose versioning is suspended", async () => {
      const resources = planWith("aws-storage-versioning", (r) => {
        r.inputs.versioningConfiguration = { status: "Suspended" };
      }).resources;
      expect(await check(statefulResourcesRecoverable, resources)).to.deep.equal([
        {
          urn: urnOf(resources, "aws-storage-bucket"),
          message:
            'the S3 bucket must have versioning enabled (versioningConfiguration.status "Enabled") so overwritten or deleted objects can be restored; its status is "Suspended".',
        },
      ]);
    });

    it("fails an S3 bucket with no versioning configuration", async () => {
      const resources = planWith("aws-storage-versioning", (r) => (r.dependencies = [])).resources;
      expect(await check(statefulResourcesRecoverable, resources)).to.deep.equal([
        {
          urn: urnOf(resources, "aws-storage-bucket"),
          message:
            'the S3 bucket must have versioning enabled (an aws:s3/bucketVersioning:BucketVersioning with versioningConfiguration.status "Enabled") so overwritten or deleted objects can be restored; it has no versioning configuration.',
        },
      ]);
    });

    it("fails a GCS bucket without versioning or soft delete", async () => {
      const { resources, urn } = planWith("gcp-storage-bucket", (r) => {
        r.inputs.versioning = { enabled: false };
      });
      expect(await check(statefulResourcesRecoverable, resources)).to.deep.equal([
        {
          urn,
          message:
            "the bucket must keep deleted objects, with versioning.enabled true or softDeletePolicy.retentionDurationSeconds above 0; versioning.enabled is false and softDeletePolicy.retentionDurationSeconds is not set.",
        },
      ]);
    });

    it("passes a GCS bucket with soft delete alone", async () => {
      const { resources } = planWith("gcp-storage-bucket", (r) => {
        r.inputs.versioning = { enabled: false };
        r.inputs.softDeletePolicy = { retentionDurationSeconds: 604800 };
      });
      expect(await check(statefulResourcesRecoverable, resources)).to.deep.equal([]);
    });

    it("fails a storage account whose blob service keeps nothing", async () => {
      const resources = planWith("azure-storage-blob-service", (r) => {
        r.inputs.isVersioningEnabled = false;
        r.inputs.deleteRetentionPolicy = { enabled: false };
      }).resources;
      expect(await check(statefulResourcesRecoverable, resources)).to.deep.equal([
        {
          urn: urnOf(resources, "azure-storage-account"),
          message:
            "the storage account must have blob versioning or blob soft delete on (an azure-native:storage:BlobServiceProperties with isVersioningEnabled true or deleteRetentionPolicy.enabled true); it has neither.",
        },
      ]);
    });

    it("fails a storage account with no blob service properties", async () => {
      const resources = planWith(
        "azure-storage-blob-service",
        (r) => (r.dependencies = []),
      ).resources;
      expect(await check(statefulResourcesRecoverable, resources)).to.deep.equal([
        {
          urn: urnOf(resources, "azure-storage-account"),
          message:
            "the storage account must have blob versioning or blob soft delete on (an azure-native:storage:BlobServiceProperties with isVersioningEnabled true or deleteRetentionPolicy.enabled true); it has no blob service properties.",
        },
      ]);
    });

    it("fails a key vault with soft delete off", async () => {
      const { resources, urn } = planWith("azure-workspace-vault", (r) => {
        (r.inputs.properties as Inputs).enableSoftDelete = false;
      });
      expect(await check(statefulResourcesRecoverable, resources)).to.deep.equal([
        {
          urn,
          message:
            "properties.enableSoftDelete must not be false, so deleted keys and secrets can be recovered; it is false.",
        },
      ]);
    });
  });
});
