import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { show } from "../lib/values";

interface ModelProps {
  enableNetworkIsolation?: boolean;
}

export const sagemakerModelNetworkIsolation: ResourceValidationPolicy = {
  name: "sagemaker-model-network-isolation",
  description:
    "Checks whether every SageMaker model runs its containers with network isolation, so serving code cannot reach the network (AWS Config sagemaker-model-isolation-enabled).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<ModelProps>(T.awsSagemakerModel, (props, _, reportViolation) => {
      if (props.enableNetworkIsolation !== true) {
        reportViolation(
          `enableNetworkIsolation must be true so the model's containers make no outbound calls; it is ${show(props.enableNetworkIsolation)}.`,
        );
      }
    }),
  ),
};
