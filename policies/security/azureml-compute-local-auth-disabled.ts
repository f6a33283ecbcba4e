import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { show } from "../lib/values";

interface ComputeProps {
  properties?: { disableLocalAuth?: boolean };
}

export const azuremlComputeLocalAuthDisabled: ResourceValidationPolicy = {
  name: "azureml-compute-local-auth-disabled",
  description:
    'Checks whether every Azure Machine Learning compute disables local authentication, so only Microsoft Entra identities reach it (Azure Policy "Azure Machine Learning Computes should have local authentication methods disabled").',
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<ComputeProps>(T.azureMlCompute, (props, _, reportViolation) => {
      const disabled = props.properties?.disableLocalAuth;
      if (disabled !== true) {
        reportViolation(
          `properties.disableLocalAuth must be true so only Microsoft Entra identities can use the compute; it is ${show(disabled)}.`,
        );
      }
    }),
  ),
};
