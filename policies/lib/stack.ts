import type { PolicyResource } from "@pulumi/policy";
import { type ComputeGroup, type Range, computeGroups } from "./compute";
import { T } from "./types";
import { listOf, toNumber } from "./values";

/** A compute resource of the stack with its machine groups. */
export interface ComputeResource {
  resource: PolicyResource;
  groups: ComputeGroup[];
}

/** An autoscaler and the bounds it keeps a compute group within. */
export interface Autoscaler {
  resource: PolicyResource;
  range: Range;
  /** Property of the autoscaler that holds the lower bound, for messages. */
  minPath: string;
}

interface AutoscalingTargetProps {
  serviceNamespace?: string;
  resourceId?: string;
  minCapacity?: number;
  maxCapacity?: number;
}

interface AutoscaleSettingProps {
  enabled?: boolean;
  profiles?: { capacity?: { minimum?: string; maximum?: string } }[];
}

/**
 * The stack as a graph: which resources depend on which, and its compute resources. Built once
 * per stack validation, so every lookup is linear in the stack's size.
 */
export class StackGraph {
  private readonly dependents = new Map<string, PolicyResource[]>();
  private computeResources?: ComputeResource[];

  constructor(readonly resources: readonly PolicyResource[]) {
    for (const resource of resources) {
      for (const dependency of resource.dependencies) {
        const list = this.dependents.get(dependency.urn);
        if (list === undefined) {
          this.dependents.set(dependency.urn, [resource]);
        } else {
          list.push(resource);
        }
      }
    }
  }

  /**
   * The stack's compute resources, read on first use: a policy that never asks does not read
   * (and cannot stumble on an unknown value in) any compute property.
   */
  get compute(): ComputeResource[] {
    this.computeResources ??= this.resources
      .map((resource) => ({ resource, groups: computeGroups(resource.type, resource.props) }))
      .filter((c) => c.groups.length > 0);
    return this.computeResources;
  }

  /** The resources that depend on `resource`. */
  dependentsOf(resource: PolicyResource): PolicyResource[] {
    return this.dependents.get(resource.urn) ?? [];
  }

  /**
   * The autoscaler of a compute group, if one is attached: an Application Auto Scaling target of
   * a SageMaker variant (which depends on the endpoint, which depends on its configuration) or
   * an Azure Monitor autoscale setting of an Azure ML online deployment.
   */
  autoscalerOf(resource: PolicyResource, group: ComputeGroup): Autoscaler | undefined {
    if (resource.type === T.awsSagemakerEndpointConfiguration) {
      return this.sagemakerTarget(resource, group);
    }
    if (resource.type === T.azureMlOnlineDeployment) {
      return this.azureAutoscaleSetting(resource);
    }
    return undefined;
  }

  private sagemakerTarget(config: PolicyResource, group: ComputeGroup): Autoscaler | undefined {
    const endpoints = this.dependentsOf(config).filter((r) => r.type === T.awsSagemakerEndpoint);
    const candidates = [config, ...endpoints]
      .flatMap((r) => this.dependentsOf(r))
      .filter((r) => r.type === T.awsAutoscalingTarget);
    const variants = listOf(
      (config.props as { productionVariants?: unknown[] }).productionVariants,
    );
    const target = candidates.find((r) => {
      const props = r.props as AutoscalingTargetProps;
      if (props.serviceNamespace !== "sagemaker") return false;
      // Only a configuration with several variants needs the target's resource id to tell them
      // apart; it is `endpoint/<endpoint>/variant/<variant>`.
      return (
        variants.length <= 1 || (props.resourceId ?? "").endsWith(`/variant/${group.variantName}`)
      );
    });
    if (target === undefined) return undefined;
    const props = target.props as AutoscalingTargetProps;
    return {
      resource: target,
      range: { min: props.minCapacity ?? 0, max: props.maxCapacity ?? 0 },
      minPath: "minCapacity",
    };
  }

  private azureAutoscaleSetting(deployment: PolicyResource): Autoscaler | undefined {
    const setting = this.dependentsOf(deployment).find(
      (r) =>
        r.type === T.azureAutoscaleSetting && (r.props as AutoscaleSettingProps).enabled !== false,
    );
    if (setting === undefined) return undefined;
    const capacities = listOf((setting.props as AutoscaleSettingProps).profiles).map((p) => ({
      min: toNumber(p.capacity?.minimum) ?? 0,
      max: toNumber(p.capacity?.maximum) ?? 0,
    }));
    if (capacities.length === 0) return undefined;
    return {
      resource: setting,
      range: {
        min: Math.min(...capacities.map((c) => c.min)),
        max: Math.max(...capacities.map((c) => c.max)),
      },
      minPath: "profiles[].capacity.minimum",
    };
  }
}
