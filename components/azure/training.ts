import { instanceFor } from "../../policies/catalog";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import * as pulumi from "@pulumi/pulumi";
import type { TrainingClusterArgs, TrainingClusterOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { blockTags } from "../tags";
import {
  type AzurePlacement,
  builtInRoleAssignment,
  isoDuration,
  systemPrincipalId,
} from "./common";

/**
 * The part of the cluster's name that tells its VM priority. Short, so that the longest catalog
 * size and the part fit Azure ML's 16-character compute names (`gpu-a100x8-spot`).
 */
export const PRIORITY_NAME_PART = { spot: "spot", dedicated: "ded" } as const;

/**
 * The cluster's compute name: its size and VM priority. Azure ML can change neither the VM size
 * nor the VM priority of an existing cluster, so a change of either names a new cluster, which
 * Pulumi creates before it deletes the old one.
 */
export function trainingComputeName(size: string, spot: boolean): string {
  const priority = spot ? PRIORITY_NAME_PART.spot : PRIORITY_NAME_PART.dedicated;
  return physicalName([size, priority], NAME_RULES.azureMlCompute);
}

export interface AzureTrainingClusterArgs extends TrainingClusterArgs, AzurePlacement {
  /** The workspace the cluster belongs to. */
  workspaceName: pulumi.Input<string>;
  /** ARM id of the storage block's container, which the cluster's identity reads and writes. */
  dataContainerId: pulumi.Input<string>;
  /** Subscription whose built-in role definitions the assignment uses. */
  subscriptionId: pulumi.Input<string>;
}

/**
 * An Azure ML compute cluster (`AmlCompute`) of the catalog's training type for the size,
 * scaling between `minNodes` and `maxNodes` and releasing a node after `idleMinutes` idle, on
 * low-priority capacity when `spot`. Local (key) authentication is off, and its system-assigned
 * identity may read and write the storage block's container and nothing else. In prod the nodes
 * get no public IP: they live in the workspace's managed network. The cluster is named from its
 * size and VM priority, so changing `size` or `spot` replaces it with a new cluster.
 */
export class AzureTrainingCluster
  extends pulumi.ComponentResource
  implements TrainingClusterOutputs
{
  /** The AmlCompute cluster's name. */
  public readonly clusterName: pulumi.Output<string>;
  /** The VM size the catalog maps the canonical size to. */
  public readonly instanceType: string;
  public readonly minNodes: number;
  public readonly maxNodes: number;

  constructor(
    name: string,
    args: AzureTrainingClusterArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("mlplatform:azure:TrainingCluster", name, {}, opts);

    const prod = args.tier === "prod";
    const row = instanceFor("azure", args.size, "training");
    const compute = new ml.Compute(
      `${name}-cluster`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        workspaceName: args.workspaceName,
        computeName: trainingComputeName(args.size, args.spot),
        identity: { type: "SystemAssigned" },
        properties: {
          computeType: "AmlCompute",
          computeLocation: args.location,
          disableLocalAuth: true,
          description: `${args.size} training cluster, ${args.minNodes}..${args.maxNodes} nodes`,
          properties: {
            vmSize: row.instanceType,
            vmPriority: args.spot ? "LowPriority" : "Dedicated",
            osType: "Linux",
            scaleSettings: {
              minNodeCount: args.minNodes,
              maxNodeCount: args.maxNodes,
              nodeIdleTimeBeforeScaleDown: isoDuration(args.idleMinutes),
            },
            enableNodePublicIp: !prod,
            remoteLoginPortPublicAccess: "Disabled",
          },
        },
        tags: blockTags(args.tags, "training", args.size),
      },
      { parent: this },
    );

    builtInRoleAssignment(
      `${name}-data-access`,
      {
        subscriptionId: args.subscriptionId,
        role: "storageBlobDataContributor",
        scope: args.dataContainerId,
        principalId: systemPrincipalId(compute.identity),
        principalType: "ServicePrincipal",
        description: "Training jobs read their data and write their outputs",
      },
      this,
    );

    this.clusterName = compute.name;
    this.instanceType = row.instanceType;
    this.minNodes = args.minNodes;
    this.maxNodes = args.maxNodes;
    this.registerOutputs({
      clusterName: this.clusterName,
      instanceType: this.instanceType,
      minNodes: this.minNodes,
      maxNodes: this.maxNodes,
    });
  }
}
