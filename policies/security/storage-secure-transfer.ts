import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { show } from "../lib/values";

interface StorageAccountProps {
  enableHttpsTrafficOnly?: boolean;
  minimumTlsVersion?: string;
}

const ACCEPTED_TLS = ["TLS1_2", "TLS1_3"];

export const storageSecureTransfer: ResourceValidationPolicy = {
  name: "storage-secure-transfer",
  description:
    'Checks whether every Azure storage account accepts HTTPS only, with TLS 1.2 or later (Azure Policy "Secure transfer to storage accounts should be enabled" and "Storage accounts should have the specified minimum TLS version", Checkov CKV_AZURE_3 and CKV_AZURE_44).',
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<StorageAccountProps>(T.azureStorageAccount, (props, _, reportViolation) => {
      // HTTPS only is the service's default since API version 2019-04-01; only false turns it off.
      if (props.enableHttpsTrafficOnly === false) {
        reportViolation(
          "enableHttpsTrafficOnly must be true so the account refuses plain HTTP; it is false.",
        );
      }
      if (!ACCEPTED_TLS.includes(props.minimumTlsVersion ?? "")) {
        reportViolation(
          `minimumTlsVersion must be "TLS1_2" or later, since the service otherwise accepts TLS 1.0; it is ${show(props.minimumTlsVersion)}.`,
        );
      }
    }),
  ),
};
