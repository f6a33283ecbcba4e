import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";

/**
 * The types that hold data or keys: buckets, storage accounts, registries, key vaults, keys and
 * model registries. Losing one loses what is in it.
 */
export const STATEFUL_TYPES: readonly string[] = [
  T.awsBucket,
  T.awsBucketV2,
  T.awsEcrRepository,
  T.awsKmsKey,
  T.awsSagemakerModelPackageGroup,
  T.azureStorageAccount,
  T.azureKeyVault,
  T.azureContainerRegistry,
  T.azureMlRegistry,
  T.gcpBucket,
  T.gcpArtifactRepository,
  T.gcpKmsKeyRing,
  T.gcpKmsCryptoKey,
  T.gcpVertexMetadataStore,
  T.gcpVertexTensorboard,
];

const STATEFUL = new Set(STATEFUL_TYPES);

export const statefulResourcesProtected: ResourceValidationPolicy = {
  name: "stateful-resources-protected",
  description:
    "Checks whether every resource that holds data or keys (buckets, storage accounts, registries, key vaults, keys, model registries) is protected, so neither pulumi destroy nor a replacement can delete it; CrossGuard cannot see retainOnDelete, which the components set along with protect.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (STATEFUL.has(args.type) && !args.opts.protect) {
      reportViolation(
        "the resource holds data or keys and must be protected (the protect resource option) so pulumi destroy or a replacement cannot delete it; it is not protected.",
      );
    }
  },
};
