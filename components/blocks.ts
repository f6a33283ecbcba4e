import type * as pulumi from "@pulumi/pulumi";
import type { Tags } from "./tags";
import type { EndpointSpec, TeamSpec, Tier, TrainingSpec } from "./types";

/**
 * The cloud-neutral arguments of the building blocks. Each cloud's component of a block takes
 * these, plus the wiring only that cloud needs (subnets, a resource group, a key), so the three
 * files of a block read side by side.
 */
export interface BlockArgs {
  /** `prod` protects stateful resources and turns on private networking. */
  tier: Tier;
  /** The platform tags; each component adds its block (and size) mark. */
  tags: Tags;
}

export interface WorkspaceArgs extends BlockArgs {
  /** Teams whose members get access to the workspace. */
  teams: TeamSpec[];
}

export type TrainingClusterArgs = BlockArgs & TrainingSpec;

export interface StorageArgs extends BlockArgs {
  /** Stable random suffix for the globally unique name. */
  uniqueSuffix: pulumi.Input<string>;
}

export interface ContainerRegistryArgs extends BlockArgs {
  /** Stable random suffix, where the registry name is globally unique. */
  uniqueSuffix: pulumi.Input<string>;
}

export interface ModelRegistryArgs extends BlockArgs {
  /** Names of the models the registry holds: one per online endpoint. */
  modelNames: string[];
}

export type OnlineEndpointArgs = BlockArgs & EndpointSpec;

/** The outputs every cloud's Platform exposes under the same names. */
export interface PlatformOutputs {
  workspaceName: pulumi.Output<string>;
  trainingClusterName: pulumi.Output<string>;
  storageName: pulumi.Output<string>;
  containerRegistryUrl: pulumi.Output<string>;
  modelRegistryName: pulumi.Output<string>;
  /** Endpoint name to its scoring URL or resource name. */
  endpoints: Record<string, pulumi.Output<string>>;
}
