import { instanceFor, scaledBounds } from "../../policies/catalog";
import * as vertex from "@pulumi/gcp/vertex";
import * as pulumi from "@pulumi/pulumi";
import { type TrainingClusterArgs, type TrainingClusterOutputs, DeclaringBlock } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { blockTags } from "../tags";
import { type GcpEncryption, type GcpPlacement, machineSpec } from "./common";

/** The id of the one resource pool inside the persistent resource. */
export const TRAINING_POOL_ID = "training";

/** `clusterName` when training has no standing cluster: jobs run as serverless custom jobs. */
export const SERVERLESS_CLUSTER_NAME = "serverless";

export interface GcpTrainingClusterArgs extends TrainingClusterArgs, GcpPlacement, GcpEncryption {
  /** Email of the service account training jobs run as (the workspace's runtime account). */
  serviceAccount: pulumi.Input<string>;
}

/**
 * How training jobs are submitted: the fields of a Vertex AI `CustomJob` the platform fixes
 * (`jobSpec.workerPoolSpecs[].machineSpec`, `jobSpec.scheduling`, `jobSpec.serviceAccount`,
 * `encryptionSpec`, and `jobSpec.persistentResourceId` when there is a standing cluster), plus the
 * spec's settings that this mode cannot honour, each with the reason.
 */
export interface TrainingJobSettings {
  /** `serverless`: each job gets its own machines; `persistent-resource`: jobs share the cluster. */
  mode: "serverless" | "persistent-resource";
  project: string;
  region: string;
  machineSpec: ReturnType<typeof machineSpec>;
  /** Most replicas a job's worker pool should ask for: the spec's `maxNodes`. */
  maxReplicaCount: number;
  /** `jobSpec.scheduling.strategy`: `SPOT` where the spec asks for spot and the mode allows it. */
  schedulingStrategy: "SPOT" | "STANDARD";
  serviceAccount: string;
  kmsKeyName: string;
  /** The persistent resource jobs run on (`jobSpec.persistentResourceId`). */
  persistentResourceId?: string;
  /** Spec settings this mode does not apply, with the reason. */
  notApplied: string[];
}

/**
 * The training block on Vertex AI, in one of two shapes chosen by the spec's floor:
 *
 * - `minNodes: 0` (training may scale to zero): no standing cluster. A persistent resource keeps
 *   at least one replica running and billing around the clock (its autoscaling minimum must be
 *   at least 1; terraform-provider-google's schema says so for `min_replica_count`), so jobs run
 *   as serverless custom jobs instead: machines exist only while a job runs, on Spot VMs where
 *   the spec asks for `spot`. `idleMinutes` has nothing to apply to.
 * - `minNodes` of 1 or more: a Vertex AI persistent resource with one pool of the catalog's
 *   training machine type between the spec's bounds, encrypted with the platform's key, running
 *   jobs only as a user-managed service account. Persistent resources have no Spot capacity and
 *   no idle timeout, so `spot` and `idleMinutes` do not apply and `jobSettings` says so.
 *
 * Either way `jobSettings` says how jobs are submitted, and the stack exports it.
 *
 * The gcp provider replaces a persistent resource when its machine spec or its autoscaling spec
 * changes (both are ForceNew in its schema); only `replicaCount` changes in place. The id carries
 * the size, and the bounds when the pool autoscales (`<project>-<stack>-training-cpu-4x16-1-4`),
 * so a replacement gets a new id and is created before the old one is deleted; a fixed-size pool
 * (`...-cpu-4x16-fixed`) keeps its id, so a new node count is an in-place update. Labels are set
 * at creation and ignored afterwards, so a tag edit never replaces a cluster with running jobs.
 */
export class GcpTrainingCluster extends DeclaringBlock implements TrainingClusterOutputs {
  /** The persistent resource id, or `serverless` when training has no standing cluster. */
  public readonly clusterName: pulumi.Output<string>;
  /** The catalog's machine type for the size. */
  public readonly instanceType: string;
  public readonly minNodes: number;
  public readonly maxNodes: number;
  /** How training jobs are submitted; exported by the stack. */
  public readonly jobSettings: pulumi.Output<TrainingJobSettings>;

  constructor(
    name: string,
    args: GcpTrainingClusterArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    const row = instanceFor("gcp", args.size, "training");
    const serverless = args.minNodes === 0;
    const bounds = serverless
      ? { min: 0, max: args.maxNodes }
      : scaledBounds("gcp", "training", args.minNodes, args.maxNodes);
    const jobs = {
      machineSpec: machineSpec(row),
      maxReplicaCount: bounds.max,
      schedulingStrategy: args.spot ? ("SPOT" as const) : ("STANDARD" as const),
    };
    // Without a standing cluster no cloud resource says what training may run: the component's
    // own input and outputs do, for the cost model's ceiling (policies/lib/compute.ts,
    // `jobGroups`); `jobSettings` holds the same but is unknown at preview as a whole.
    const declared = serverless ? { serverlessJobs: jobs } : {};
    super("mlplatform:gcp:TrainingCluster", name, declared, opts);

    const settings = {
      project: args.project,
      region: args.region,
      machineSpec: jobs.machineSpec,
      maxReplicaCount: jobs.maxReplicaCount,
      serviceAccount: args.serviceAccount,
      kmsKeyName: args.kmsKeyName,
    };

    if (serverless) {
      this.clusterName = pulumi.output(SERVERLESS_CLUSTER_NAME);
      this.jobSettings = pulumi.output({
        ...settings,
        mode: "serverless" as const,
        schedulingStrategy: jobs.schedulingStrategy,
        notApplied: [
          `idleMinutes (${args.idleMinutes}): a serverless job's machines are released when the job ends`,
        ],
      });
    } else {
      // Vertex AI refuses an autoscaling spec whose maximum is not above its minimum; a pool with
      // equal bounds is a fixed-size pool.
      const autoscales = bounds.max > bounds.min;
      const cluster = new vertex.AiPersistentResource(
        `${name}-cluster`,
        {
          project: args.project,
          location: args.region,
          name: physicalName(
            [
              ...args.nameParts,
              "training",
              args.size,
              autoscales ? `${bounds.min}-${bounds.max}` : "fixed",
            ],
            NAME_RULES.gcpResourceId,
          ),
          displayName: physicalName([...args.nameParts, "training"], NAME_RULES.gcpResourceId),
          resourcePools: [
            {
              id: TRAINING_POOL_ID,
              machineSpec: jobs.machineSpec,
              replicaCount: String(bounds.min),
              ...(autoscales
                ? {
                    autoscalingSpec: {
                      minReplicaCount: String(bounds.min),
                      maxReplicaCount: String(bounds.max),
                    },
                  }
                : {}),
            },
          ],
          resourceRuntimeSpec: { serviceAccountSpec: { enableCustomServiceAccount: true } },
          encryptionSpec: { kmsKeyName: args.kmsKeyName },
          labels: blockTags(args.tags, "training", args.size),
        },
        {
          parent: this,
          dependsOn: [args.keyAccess],
          // A tag edit must not replace the cluster and kill its running jobs.
          ignoreChanges: ["labels"],
        },
      );
      this.clusterName = cluster.name;
      this.jobSettings = pulumi.output({
        ...settings,
        mode: "persistent-resource" as const,
        schedulingStrategy: "STANDARD" as const,
        persistentResourceId: cluster.name,
        notApplied: [
          ...(args.spot ? ["spot: a persistent resource has no Spot capacity"] : []),
          `idleMinutes (${args.idleMinutes}): a persistent resource has no idle timeout`,
        ],
      });
    }

    this.instanceType = row.instanceType;
    this.minNodes = bounds.min;
    this.maxNodes = bounds.max;
    this.registerOutputs({
      clusterName: this.clusterName,
      instanceType: this.instanceType,
      minNodes: this.minNodes,
      maxNodes: this.maxNodes,
      jobSettings: this.jobSettings,
    });
  }
}
