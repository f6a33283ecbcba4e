import type { PolicyResource } from "@pulumi/policy";
import { type InstanceType, findInstanceType } from "../catalog";
import type { Block, Cloud, Use } from "../platform";
import { T } from "./types";
import { type Props, isRecord, listOf, peek, show, toNumber } from "./values";

/** A lower and an upper bound, inclusive. */
export interface Range {
  min: number;
  max: number;
}

/**
 * The input in which each endpoint block declares the replicas the spec asked for, before its
 * cloud's floor (`scaledBounds`): a hosting resource alone cannot tell a minimum of 1 that the
 * spec asked for from one its cloud raised from 0.
 */
export const REQUESTED_REPLICAS = "requestedReplicas";

/** The least replicas the spec asked of the block a resource belongs to, where it declares them. */
export function requestedMinimum(resource: PolicyResource): number | undefined {
  const requested = peek(resource.parent?.props, REQUESTED_REPLICAS);
  const min = isRecord(requested) ? requested.min : undefined;
  return typeof min === "number" ? min : undefined;
}

/** An instance type a compute group runs, with where the resource sets it. */
export interface InstanceTypeRef {
  /** The type as the cloud names it, or `undefined` when the resource leaves it to the cloud. */
  value: string | undefined;
  /** Property path, for messages: `productionVariants[0].instanceType`. */
  path: string;
  /** GCP: the accelerator attached to the machine type, which names the catalog entry with it. */
  acceleratorType?: string;
  acceleratorCount?: number;
}

/**
 * A set of identical machines a compute resource runs: a SageMaker production variant, a Batch
 * compute environment, an Azure ML compute cluster or online deployment, a Vertex AI resource
 * pool or model deployment.
 */
export interface ComputeGroup {
  cloud: Cloud;
  use: Use;
  block: Block;
  /** The types the group may run: Batch lists several, every other service one. */
  instanceTypes: InstanceTypeRef[];
  /** How many machines the resource itself asks for, before any autoscaler attached to it. */
  machines?: Range;
  /** Batch sizes its environments in vCPUs, not machines. */
  vcpus?: Range;
  /** The SageMaker production variant's name, which autoscaling targets name. */
  variantName?: string;
  /** Whether the resource carries its own autoscaling range (Vertex AI, Azure ML target utilization). */
  selfScaling: boolean;
  /** The property that holds the lower bound of `machines`, for messages. */
  minPath: string;
  /** Whether the group runs on spot (AWS) or low-priority (Azure ML) capacity. */
  spot?: boolean;
  /** Why `machines.max` is a convention the cloud does not enforce, where it is one. */
  unenforcedCeiling?: string;
}

interface EndpointConfigurationProps {
  productionVariants?: {
    variantName?: string;
    instanceType?: string;
    initialInstanceCount?: number;
    serverlessConfig?: unknown;
  }[];
}

interface ComputeEnvironmentProps {
  computeResources?: {
    type?: string;
    instanceTypes?: string[];
    minVcpus?: number;
    maxVcpus?: number;
  };
}

interface MlComputeProps {
  properties?: {
    computeType?: string;
    properties?: {
      vmSize?: string;
      vmPriority?: string;
      scaleSettings?: { minNodeCount?: number; maxNodeCount?: number };
    };
  };
}

interface OnlineDeploymentProps {
  sku?: { capacity?: number };
  properties?: {
    endpointComputeType?: string;
    instanceType?: string;
    scaleSettings?: { scaleType?: string; minInstances?: number; maxInstances?: number };
  };
}

/** A Vertex AI machine spec: the machine type and the accelerators attached to it. */
interface MachineSpec {
  machineType?: string;
  acceleratorType?: string;
  acceleratorCount?: number;
}

interface DeploymentResourcePoolProps {
  dedicatedResources?: {
    machineSpec?: MachineSpec;
    minReplicaCount?: number;
    maxReplicaCount?: number;
  };
}

interface PersistentResourceProps {
  resourcePools?: {
    machineSpec?: MachineSpec;
    replicaCount?: string | number;
    autoscalingSpec?: { minReplicaCount?: string | number; maxReplicaCount?: string | number };
  }[];
}

/** The inputs of the dynamic resource that deploys a model onto a Vertex AI endpoint. */
interface VertexModelDeploymentProps extends MachineSpec {
  minReplicas?: number;
  maxReplicas?: number;
}

/** A Vertex AI machine spec as an instance type reference; `path` is the spec's own path. */
function vertexRef(spec: MachineSpec | undefined, path: string): InstanceTypeRef {
  const ref: InstanceTypeRef = {
    value: spec?.machineType,
    path: path === "" ? "machineType" : `${path}.machineType`,
  };
  if (spec?.acceleratorType !== undefined) ref.acceleratorType = spec.acceleratorType;
  if (spec?.acceleratorCount !== undefined) ref.acceleratorCount = spec.acceleratorCount;
  return ref;
}

/** Azure ML's default bounds of a target-utilization deployment. */
const AZURE_DEFAULT_INSTANCES = 1;

/** A SageMaker variant on serverless inference: no instances, billed per request. */
export function isServerlessVariant(variant: {
  serverlessConfig?: unknown;
  instanceType?: unknown;
}): boolean {
  return variant.serverlessConfig !== undefined && variant.instanceType === undefined;
}

function endpointConfigurationGroups(props: EndpointConfigurationProps): ComputeGroup[] {
  return listOf(props.productionVariants).flatMap((variant, i): ComputeGroup[] => {
    if (isServerlessVariant(variant)) return [];
    const count = variant.initialInstanceCount ?? 1;
    return [
      {
        cloud: "aws",
        use: "hosting",
        block: "endpoint",
        instanceTypes: [
          { value: variant.instanceType, path: `productionVariants[${i}].instanceType` },
        ],
        machines: { min: count, max: count },
        variantName: variant.variantName,
        selfScaling: false,
        minPath: `productionVariants[${i}].initialInstanceCount`,
      },
    ];
  });
}

function computeEnvironmentGroups(props: ComputeEnvironmentProps): ComputeGroup[] {
  const resources = props.computeResources;
  // Fargate environments run containers, not instances the catalog prices.
  if (resources === undefined || (resources.type ?? "").startsWith("FARGATE")) return [];
  const types: readonly (string | undefined)[] = listOf(resources.instanceTypes);
  return [
    {
      cloud: "aws",
      use: "training",
      block: "training",
      instanceTypes: (types.length === 0 ? [undefined] : types).map((value, i) => ({
        value,
        path: `computeResources.instanceTypes[${i}]`,
      })),
      vcpus: { min: resources.minVcpus ?? 0, max: resources.maxVcpus ?? 0 },
      selfScaling: true,
      minPath: "computeResources.minVcpus",
      spot: resources.type === "SPOT",
    },
  ];
}

function mlComputeGroups(props: MlComputeProps): ComputeGroup[] {
  const compute = props.properties;
  const type = compute?.computeType;
  if (type !== "AmlCompute" && type !== "ComputeInstance") return [];
  const scale = compute?.properties?.scaleSettings;
  const machines =
    type === "ComputeInstance"
      ? { min: 1, max: 1 }
      : { min: scale?.minNodeCount ?? 0, max: scale?.maxNodeCount ?? 0 };
  return [
    {
      cloud: "azure",
      use: "training",
      block: "training",
      instanceTypes: [{ value: compute?.properties?.vmSize, path: "properties.properties.vmSize" }],
      machines,
      selfScaling: type === "AmlCompute",
      minPath: "properties.properties.scaleSettings.minNodeCount",
      spot: compute?.properties?.vmPriority === "LowPriority",
    },
  ];
}

function onlineDeploymentGroups(props: OnlineDeploymentProps): ComputeGroup[] {
  const deployment = props.properties;
  // Kubernetes deployments run on a cluster attached to the workspace, priced with that cluster.
  if (deployment?.endpointComputeType !== "Managed") return [];
  const scale = deployment.scaleSettings;
  const targetUtilization = scale?.scaleType === "TargetUtilization";
  const capacity = props.sku?.capacity ?? 1;
  return [
    {
      cloud: "azure",
      use: "hosting",
      block: "endpoint",
      instanceTypes: [{ value: deployment.instanceType, path: "properties.instanceType" }],
      machines: targetUtilization
        ? {
            min: scale?.minInstances ?? AZURE_DEFAULT_INSTANCES,
            max: scale?.maxInstances ?? AZURE_DEFAULT_INSTANCES,
          }
        : { min: capacity, max: capacity },
      selfScaling: targetUtilization,
      minPath: targetUtilization ? "properties.scaleSettings.minInstances" : "sku.capacity",
    },
  ];
}

function deploymentResourcePoolGroups(props: DeploymentResourcePoolProps): ComputeGroup[] {
  const dedicated = props.dedicatedResources;
  if (dedicated === undefined) return [];
  const min = dedicated.minReplicaCount ?? 1;
  return [
    {
      cloud: "gcp",
      use: "hosting",
      block: "endpoint",
      instanceTypes: [vertexRef(dedicated.machineSpec, "dedicatedResources.machineSpec")],
      machines: { min, max: dedicated.maxReplicaCount ?? min },
      selfScaling: dedicated.maxReplicaCount !== undefined,
      minPath: "dedicatedResources.minReplicaCount",
    },
  ];
}

function persistentResourceGroups(props: PersistentResourceProps): ComputeGroup[] {
  return listOf(props.resourcePools).map((pool, i): ComputeGroup => {
    const fixed = toNumber(pool.replicaCount) ?? 1;
    const autoscaling = pool.autoscalingSpec;
    const min = toNumber(autoscaling?.minReplicaCount) ?? fixed;
    return {
      cloud: "gcp",
      use: "training",
      block: "training",
      instanceTypes: [vertexRef(pool.machineSpec, `resourcePools[${i}].machineSpec`)],
      machines: { min, max: toNumber(autoscaling?.maxReplicaCount) ?? Math.max(min, fixed) },
      selfScaling: autoscaling !== undefined,
      minPath:
        autoscaling === undefined
          ? `resourcePools[${i}].replicaCount`
          : `resourcePools[${i}].autoscalingSpec.minReplicaCount`,
    };
  });
}

function vertexModelDeploymentGroups(props: VertexModelDeploymentProps): ComputeGroup[] {
  const min = props.minReplicas ?? 1;
  return [
    {
      cloud: "gcp",
      use: "hosting",
      block: "endpoint",
      instanceTypes: [vertexRef(props, "")],
      machines: { min, max: props.maxReplicas ?? min },
      selfScaling: props.maxReplicas !== undefined,
      minPath: "minReplicas",
    },
  ];
}

/** What a GCP training block of this platform without a standing cluster declares itself. */
interface ServerlessTrainingProps {
  serverlessJobs?: {
    machineSpec?: MachineSpec;
    maxReplicaCount?: number;
    schedulingStrategy?: string;
  };
}

/**
 * Why the ceiling of serverless Vertex AI training is a convention: each custom job names its own
 * machine spec and replica count (`workerPoolSpecs`), @pulumi/gcp 9.37 has no custom-job resource,
 * and its only cap, `serviceusage.ConsumerQuotaOverride`, lowers a Vertex AI quota for every job of
 * the whole project.
 */
export const UNENFORCED_VERTEX_JOB_CEILING =
  "Vertex AI does not enforce it: jobs are submitted with the settings of the gcp.trainingJobSettings output, and nothing stops a job that asks for more replicas or a larger machine";

function serverlessTrainingGroups(props: ServerlessTrainingProps): ComputeGroup[] {
  const jobs = props.serverlessJobs;
  if (jobs === undefined) return [];
  return [
    {
      cloud: "gcp",
      use: "training",
      block: "training",
      instanceTypes: [vertexRef(jobs.machineSpec, "serverlessJobs.machineSpec")],
      machines: { min: 0, max: jobs.maxReplicaCount ?? 0 },
      selfScaling: true,
      minPath: "serverlessJobs",
      spot: jobs.schedulingStrategy === "SPOT",
      unenforcedCeiling: UNENFORCED_VERTEX_JOB_CEILING,
    },
  ];
}

/**
 * Machines a block of this platform submits jobs onto without any standing cloud resource: the
 * GCP training block at `minNodes` 0 (Vertex AI custom jobs). The cost model prices them (nothing
 * idle, the bound the jobs are submitted with at peak); the mapping and tagging policies, which
 * judge cloud resources, do not read them.
 */
export function jobGroups(type: string, props: Props): ComputeGroup[] {
  return type === T.gcpTrainingBlock ? serverlessTrainingGroups(props) : [];
}

const EXTRACTORS: Record<string, (props: Props) => ComputeGroup[]> = {
  [T.awsSagemakerEndpointConfiguration]: endpointConfigurationGroups,
  [T.awsBatchComputeEnvironment]: computeEnvironmentGroups,
  [T.azureMlCompute]: mlComputeGroups,
  [T.azureMlOnlineDeployment]: onlineDeploymentGroups,
  [T.gcpVertexDeploymentResourcePool]: deploymentResourcePoolGroups,
  [T.gcpVertexPersistentResource]: persistentResourceGroups,
  [T.gcpVertexModelDeployment]: vertexModelDeploymentGroups,
};

/** The machines a resource runs, or none when it is not a compute resource. */
export function computeGroups(type: string, props: Props): ComputeGroup[] {
  return EXTRACTORS[type]?.(props) ?? [];
}

/** The catalog's entry for a referenced type, on GCP together with its accelerator. */
export function catalogEntry(group: ComputeGroup, ref: InstanceTypeRef): InstanceType | undefined {
  return ref.value === undefined
    ? undefined
    : findInstanceType(group.cloud, group.use, ref.value, ref.acceleratorType);
}

/** A referenced type as messages name it: `"n1-standard-4" with 1 NVIDIA_TESLA_T4`. */
export function describeRef(ref: InstanceTypeRef): string {
  return ref.acceleratorType === undefined
    ? show(ref.value)
    : `${show(ref.value)} with ${ref.acceleratorCount ?? 1} ${ref.acceleratorType}`;
}
