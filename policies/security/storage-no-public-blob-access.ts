import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { show } from "../lib/values";

interface StorageAccountProps {
  allowBlobPublicAccess?: boolean;
}

export const storageNoPublicBlobAccess: ResourceValidationPolicy = {
  name: "storage-no-public-blob-access",
  description:
    'Checks whether every Azure storage account disallows anonymous public access to its blobs (Azure Policy "Storage account public access should be disallowed").',
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<StorageAccountProps>(T.azureStorageAccount, (props, _, reportViolation) => {
      if (props.allowBlobPublicAccess !== false) {
        reportViolation(
          `allowBlobPublicAccess must be false so no container can be opened to anonymous reads; it is ${show(props.allowBlobPublicAccess)}.`,
        );
      }
    }),
  ),
};
