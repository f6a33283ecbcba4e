import type { StackValidationPolicy } from "@pulumi/policy";
import type { ComputeGroup } from "../lib/compute";
import { StackGraph } from "../lib/stack";
import { T } from "../lib/types";

/** What a group without an autoscaler needs, by the service that runs it. */
function missingAutoscaler(type: string, group: ComputeGroup): string {
  switch (type) {
    case T.awsSagemakerEndpointConfiguration:
      return `production variant ${group.variantName ?? "(unnamed)"} must have an Application Auto Scaling target (${T.awsAutoscalingTarget}, namespace sagemaker); it has none`;
    case T.azureMlOnlineDeployment:
      return `the online deployment must have an Azure Monitor autoscale setting (${T.azureAutoscaleSetting}) on it, or target-utilization scale settings; it has neither`;
    case T.gcpVertexDeploymentResourcePool:
      return "dedicatedResources.maxReplicaCount must be set so Vertex AI scales the pool with load; it is not set";
    default:
      return "maxReplicas must be set so Vertex AI scales the deployment with load; it is not set";
  }
}

export const endpointAutoscaling: StackValidationPolicy = {
  name: "endpoint-autoscaling",
  description:
    "Checks whether every online endpoint has an autoscaler: an Application Auto Scaling target on each SageMaker production variant, an Azure Monitor autoscale setting on each Azure ML online deployment, a maximum replica count on each Vertex AI deployment.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const graph = new StackGraph(args.resources);
    for (const { resource, groups } of graph.compute) {
      for (const group of groups) {
        if (group.block !== "endpoint" || group.selfScaling) continue;
        if (graph.autoscalerOf(resource, group) !== undefined) continue;
        reportViolation(`${missingAutoscaler(resource.type, group)}.`, resource.urn);
      }
    }
  },
};
