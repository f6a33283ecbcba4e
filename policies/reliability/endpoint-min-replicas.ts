import type { StackValidationPolicy } from "@pulumi/policy";
import { StackGraph } from "../lib/stack";

interface MinReplicasConfig {
  minReplicas: number;
}

export const endpointMinReplicas: StackValidationPolicy = {
  name: "endpoint-min-replicas",
  description:
    "Checks whether every online endpoint (SageMaker production variant, Azure ML online deployment, Vertex AI deployment) keeps at least minReplicas replicas, in its own settings and in its autoscaler's minimum, so one failed instance or zone leaves it serving (AWS Config sagemaker-endpoint-config-prod-instance-count).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minReplicas: {
        type: "integer",
        minimum: 1,
        default: 2,
        description: "The fewest replicas an online endpoint may run.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const { minReplicas } = args.getConfig<MinReplicasConfig>();
    const graph = new StackGraph(args.resources);
    for (const { resource, groups } of graph.compute) {
      for (const group of groups) {
        if (group.block !== "endpoint" || group.machines === undefined) continue;
        if (group.machines.min < minReplicas) {
          reportViolation(
            `${group.minPath} must be at least ${minReplicas} so the endpoint keeps serving when a replica fails; it is ${group.machines.min}.`,
            resource.urn,
          );
        }
        const autoscaler = graph.autoscalerOf(resource, group);
        if (autoscaler !== undefined && autoscaler.range.min < minReplicas) {
          reportViolation(
            `${autoscaler.minPath} must be at least ${minReplicas} so autoscaling never takes the endpoint below ${minReplicas} replicas; it is ${autoscaler.range.min}.`,
            autoscaler.resource.urn,
          );
        }
      }
    }
  },
};
