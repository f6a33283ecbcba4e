import * as pulumi from "@pulumi/pulumi";
import type { EndpointDetails } from "./endpointDetails";
import type { Tags } from "./tags";
import { REQUESTED_REPLICAS } from "../policies/lib/compute";
import type { EndpointSpec, TeamSpec, Tier, TrainingSpec } from "../policies/platform";

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

/** What an endpoint block declares for the cost model: the replicas the spec asked for. */
export function endpointDeclarations(args: OnlineEndpointArgs): pulumi.Inputs {
  return { [REQUESTED_REPLICAS]: { min: args.minReplicas, max: args.maxReplicas } };
}

/**
 * A block that declares to the policies what no cloud resource says (the replicas the spec asked
 * for, a managed network's billing, the jobs a serverless cluster runs). It registers the
 * declarations as its inputs and, with whatever else it registers, among its outputs: a stack
 * export keeps a component's outputs, and the gate reads those.
 */
export abstract class DeclaringBlock extends pulumi.ComponentResource {
  private readonly declared: pulumi.Inputs;

  constructor(
    type: string,
    name: string,
    declared: pulumi.Inputs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(type, name, declared, opts);
    this.declared = declared;
  }

  protected override registerOutputs(outputs: pulumi.Inputs = {}): void {
    super.registerOutputs({ ...this.declared, ...outputs });
  }
}

/**
 * The outputs of the building blocks. Each cloud's component of a block implements its interface,
 * so the three files of a block expose the same names; a component adds only the wiring a sibling
 * block on its cloud needs. Values the catalog or the spec fix are plain; values the cloud
 * assigns are outputs.
 */
export interface WorkspaceOutputs {
  /** The workspace: the SageMaker domain, the Azure ML workspace, the Vertex AI metadata store. */
  workspaceName: pulumi.Output<string>;
}

export interface TrainingClusterOutputs {
  /** The cluster's name: the Batch compute environment, the AmlCompute, the persistent resource. */
  clusterName: pulumi.Output<string>;
  /** The instance type the catalog maps the canonical size to on this cloud. */
  instanceType: string;
  /** Fewest nodes the cluster scales to, after the cloud's scale floor. */
  minNodes: number;
  /** Most nodes the cluster scales to. */
  maxNodes: number;
}

export interface StorageOutputs {
  /** The storage's name: the S3 bucket, the storage account, the GCS bucket. */
  storageName: pulumi.Output<string>;
}

export interface ContainerRegistryOutputs {
  /**
   * Where images are pushed and pulled: the ECR repository URL, the ACR login server, the
   * Artifact Registry repository path.
   */
  registryUrl: pulumi.Output<string>;
}

export interface ModelRegistryOutputs {
  /**
   * The model registry: the model package groups, comma-separated (SageMaker has no registry
   * object), or the Azure ML registry's name.
   */
  modelRegistryName: pulumi.Output<string>;
}

export interface OnlineEndpointOutputs {
  /** The endpoint's name as its cloud addresses it (on Vertex AI, its numeric id). */
  endpointName: pulumi.Output<string>;
  /** The HTTPS URL that answers scoring requests. */
  scoringUrl: pulumi.Output<string>;
  /** The hosting instance type the catalog maps the canonical size to on this cloud. */
  instanceType: string;
  /** Fewest replicas the endpoint scales to, after the cloud's scale floor. */
  minReplicas: number;
  /** Most replicas the endpoint scales to. */
  maxReplicas: number;
}

/** The outputs every cloud's Platform exposes under the same names. */
export interface PlatformOutputs {
  workspaceName: pulumi.Output<string>;
  trainingClusterName: pulumi.Output<string>;
  storageName: pulumi.Output<string>;
  containerRegistryUrl: pulumi.Output<string>;
  modelRegistryName: pulumi.Output<string>;
  /** Endpoint name to its scoring URL or resource name. */
  endpoints: Record<string, pulumi.Output<string>>;
  /** Endpoint name to what a caller needs to invoke and price it (`npm run probe`). */
  endpointDetails: Record<string, EndpointDetails>;
  /**
   * How training jobs are submitted, where the cluster name alone does not say it (Vertex AI:
   * serverless custom jobs or a persistent resource, with the spec settings not applied).
   */
  trainingJobSettings?: pulumi.Output<unknown>;
  /** Where the endpoints' alarms notify, on a cloud whose alarms need a topic (AWS: SNS). */
  alertTopicArn?: pulumi.Output<string>;
}
