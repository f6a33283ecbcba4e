import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";

interface RegistryProps {
  adminUserEnabled?: boolean;
}

export const acrAdminUserDisabled: ResourceValidationPolicy = {
  name: "acr-admin-user-disabled",
  description:
    'Checks whether every Azure container registry keeps its shared admin account off, so pulls and pushes use Microsoft Entra identities (Azure Policy "Container registries should have local admin account disabled", Checkov CKV_AZURE_137).',
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<RegistryProps>(T.azureContainerRegistry, (props, _, reportViolation) => {
      if (props.adminUserEnabled === true) {
        reportViolation(
          "adminUserEnabled must be false so no shared password can push or pull images; it is true.",
        );
      }
    }),
  ),
};
