import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { show } from "../lib/values";

interface VaultProps {
  properties?: { enablePurgeProtection?: boolean };
}

export const keyVaultPurgeProtection: ResourceValidationPolicy = {
  name: "key-vault-purge-protection",
  description:
    'Checks whether every Azure key vault has purge protection on, so a deleted vault or key cannot be purged before its retention ends (Azure Policy "Key vaults should have deletion protection enabled", Checkov CKV_AZURE_110).',
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<VaultProps>(T.azureKeyVault, (props, _, reportViolation) => {
      const purgeProtection = props.properties?.enablePurgeProtection;
      if (purgeProtection !== true) {
        reportViolation(
          `properties.enablePurgeProtection must be true so deleted keys and secrets cannot be purged early; it is ${show(purgeProtection)}.`,
        );
      }
    }),
  ),
};
