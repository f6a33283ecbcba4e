import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { inlineVersioningEnabled } from "../lib/s3";
import { StackGraph } from "../lib/stack";
import { T } from "../lib/types";
import { show } from "../lib/values";

interface S3VersioningProps {
  versioningConfiguration?: { status?: string };
}

interface GcsBucketProps {
  versioning?: { enabled?: boolean };
  softDeletePolicy?: { retentionDurationSeconds?: number };
}

interface BlobServiceProps {
  isVersioningEnabled?: boolean;
  deleteRetentionPolicy?: { enabled?: boolean };
}

interface VaultProps {
  properties?: { enableSoftDelete?: boolean };
}

const S3_VERSIONING = new Set<string>([T.awsBucketVersioning, T.awsBucketVersioningV2]);

/** Why a resource's data could not be restored after an overwrite or delete, if so. */
function unrecoverable(resource: PolicyResource, graph: StackGraph): string | undefined {
  switch (resource.type) {
    case T.awsBucket:
    case T.awsBucketV2: {
      if (inlineVersioningEnabled(resource.props)) return undefined;
      const statuses = graph
        .dependentsOf(resource)
        .filter((r) => S3_VERSIONING.has(r.type))
        .map((r) => (r.props as S3VersioningProps).versioningConfiguration?.status);
      if (statuses.includes("Enabled")) return undefined;
      return statuses.length === 0
        ? `the S3 bucket must have versioning enabled (an ${T.awsBucketVersioning} with versioningConfiguration.status "Enabled") so overwritten or deleted objects can be restored; it has no versioning configuration`
        : `the S3 bucket must have versioning enabled (versioningConfiguration.status "Enabled") so overwritten or deleted objects can be restored; its status is ${statuses.map(show).join(", ")}`;
    }
    case T.gcpBucket: {
      const props = resource.props as GcsBucketProps;
      const retention = props.softDeletePolicy?.retentionDurationSeconds;
      if (props.versioning?.enabled === true || (retention ?? 0) > 0) return undefined;
      return `the bucket must keep deleted objects, with versioning.enabled true or softDeletePolicy.retentionDurationSeconds above 0; versioning.enabled is ${show(props.versioning?.enabled)} and softDeletePolicy.retentionDurationSeconds is ${show(retention)}`;
    }
    case T.azureStorageAccount: {
      const blobServices = graph
        .dependentsOf(resource)
        .filter((r) => r.type === T.azureBlobServiceProperties)
        .map((r) => r.props as BlobServiceProps);
      if (
        blobServices.some(
          (b) => b.isVersioningEnabled === true || b.deleteRetentionPolicy?.enabled === true,
        )
      ) {
        return undefined;
      }
      return `the storage account must have blob versioning or blob soft delete on (an ${T.azureBlobServiceProperties} with isVersioningEnabled true or deleteRetentionPolicy.enabled true); it has ${blobServices.length === 0 ? "no blob service properties" : "neither"}`;
    }
    case T.azureKeyVault: {
      const softDelete = (resource.props as VaultProps).properties?.enableSoftDelete;
      return softDelete === false
        ? "properties.enableSoftDelete must not be false, so deleted keys and secrets can be recovered; it is false"
        : undefined;
    }
    default:
      return undefined;
  }
}

export const statefulResourcesRecoverable: StackValidationPolicy = {
  name: "stateful-resources-recoverable",
  description:
    'Checks whether every bucket and storage account keeps overwritten or deleted data (versioning or soft delete) and every key vault keeps soft delete on (Security Hub S3.14, Azure Policy "Key vaults should have soft delete enabled").',
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const graph = new StackGraph(args.resources);
    for (const resource of args.resources) {
      const problem = unrecoverable(resource, graph);
      if (problem !== undefined) {
        reportViolation(`${problem}.`, resource.urn);
      }
    }
  },
};
