import { instanceFor, scaledBounds } from "../catalog";
import * as vertex from "@pulumi/gcp/vertex";
import * as pulumi from "@pulumi/pulumi";
import type { TrainingClusterArgs, TrainingClusterOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { blockTags } from "../tags";
import { type GcpEncryption, type GcpPlacement, machineSpec } from "./common";

/** The id of the one resource pool inside the persistent resource. */
export const TRAINING_POOL_ID = "training";

export interface GcpTrainingClusterArgs extends TrainingClusterArgs, GcpPlacement, GcpEncryption {}

/**
 * The autoscaling training cluster: a Vertex AI persistent resource with one resource pool of
 * the catalog's training machine type, scaling between the spec's node bounds (never below one
 * replica, which Vertex AI requires), encrypted with the platform's key. Jobs on it must run as
 * a user-managed service account (the workspace's runtime account), never the default agent.
 *
 * Vertex AI persistent resources have no spot capacity or idle timeout: `spot` and
 * `idleMinutes` do not apply here, and the pool scales in on Vertex AI's own schedule.
 *
 * The machine spec and the autoscaling spec cannot change in place: a new size or new bounds
 * replace the persistent resource. Its id therefore carries the size and the bounds
 * (`<project>-<stack>-training-cpu-4x16-1-4`), so the replacement gets a new id and is created
 * before the old one is deleted. Labels cannot change in place either, and a tag edit alone must
 * not replace the cluster and kill the jobs running on it, so label changes are ignored after
 * creation: a changed tag reaches the cluster with its next replacement.
 */
export class GcpTrainingCluster extends pulumi.ComponentResource implements TrainingClusterOutputs {
  /** The persistent resource id. */
  public readonly clusterName: pulumi.Output<string>;
  /** The catalog's machine type for the size. */
  public readonly instanceType: string;
  public readonly minNodes: number;
  public readonly maxNodes: number;

  constructor(
    name: string,
    args: GcpTrainingClusterArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("mlplatform:gcp:TrainingCluster", name, {}, opts);

    const row = instanceFor("gcp", args.size, "training");
    const bounds = scaledBounds("gcp", "training", args.minNodes, args.maxNodes);
    // Vertex AI refuses an autoscaling spec whose maximum is not above its minimum; a pool with
    // equal bounds is a fixed-size pool.
    const autoscaling =
      bounds.max > bounds.min
        ? {
            autoscalingSpec: {
              minReplicaCount: String(bounds.min),
              maxReplicaCount: String(bounds.max),
            },
          }
        : {};

    const cluster = new vertex.AiPersistentResource(
      `${name}-cluster`,
      {
        project: args.project,
        location: args.region,
        // A size or bounds change replaces the resource: a new id lets the new one be created
        // before the old one goes.
        name: physicalName(
          [...args.nameParts, "training", args.size, `${bounds.min}-${bounds.max}`],
          NAME_RULES.gcpResourceId,
        ),
        displayName: physicalName([...args.nameParts, "training"], NAME_RULES.gcpResourceId),
        resourcePools: [
          {
            id: TRAINING_POOL_ID,
            machineSpec: machineSpec(row),
            replicaCount: String(bounds.min),
            ...autoscaling,
          },
        ],
        resourceRuntimeSpec: { serviceAccountSpec: { enableCustomServiceAccount: true } },
        encryptionSpec: { kmsKeyName: args.kmsKeyName },
        labels: blockTags(args.tags, "training", args.size),
      },
      {
        parent: this,
        dependsOn: [args.keyAccess],
        // Labels force a replacement, which would delete the cluster and kill its running jobs
        // for a tag edit; the labels are set when the cluster is created.
        ignoreChanges: ["labels"],
      },
    );

    this.clusterName = cluster.name;
    this.instanceType = row.instanceType;
    this.minNodes = bounds.min;
    this.maxNodes = bounds.max;
    this.registerOutputs({
      clusterName: this.clusterName,
      instanceType: this.instanceType,
      minNodes: this.minNodes,
      maxNodes: this.maxNodes,
    });
  }
}
