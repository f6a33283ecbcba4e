import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { show } from "../lib/values";

interface WorkspaceProps {
  publicNetworkAccess?: string;
}

export const azuremlWorkspaceNoPublicAccess: ResourceValidationPolicy = {
  name: "azureml-workspace-no-public-access",
  description:
    'Checks whether every Azure Machine Learning workspace disables public network access, so it is reached only through private endpoints (Azure Policy "Azure Machine Learning Workspaces should disable public network access").',
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<WorkspaceProps>(T.azureMlWorkspace, (props, _, reportViolation) => {
      if (props.publicNetworkAccess !== "Disabled") {
        reportViolation(
          `publicNetworkAccess must be "Disabled" so the workspace is reachable only through private endpoints; it is ${show(props.publicNetworkAccess)}.`,
        );
      }
    }),
  ),
};
