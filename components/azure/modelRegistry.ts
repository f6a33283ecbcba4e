import * as ml from "@pulumi/azure-native/machinelearningservices";
import * as pulumi from "@pulumi/pulumi";
import type { ModelRegistryArgs, ModelRegistryOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import type { Tier } from "../../policies/platform";
import type { AzurePlacement } from "./common";

/** Storage redundancy of the registry's system-created storage account. */
export const REGISTRY_STORAGE_SKU: Record<Tier, string> = {
  dev: "Standard_LRS",
  prod: "Standard_ZRS",
};

/** The registry's system-created container registry: Premium, as Azure ML registries require. */
export const REGISTRY_ACR_SKU = "Premium";

/**
 * Public network access of the registry in every tier: on, with access by Entra ID and RBAC only.
 * Turning it off needs a private endpoint to the registry from every network that uses it.
 */
export const REGISTRY_PUBLIC_NETWORK_ACCESS = "Enabled";

export interface AzureModelRegistryArgs extends ModelRegistryArgs, AzurePlacement {
  /** Stable random suffix of the registry's name. */
  uniqueSuffix: pulumi.Input<string>;
}

/**
 * An Azure Machine Learning registry: models, environments and components shared across
 * workspaces, with one model container per endpoint's model. It has a system-assigned identity
 * and creates its own storage account and container registry (anonymous blob access off); in
 * prod the registry and its model containers are protected and retained on delete.
 *
 * The prod workspace's managed network reaches the registry through a private endpoint of its own
 * (an outbound rule of the workspace). Public network access stays on in every tier, with access
 * by Microsoft Entra ID and Azure RBAC only, because the machines that publish models (`pulumi up`,
 * release pipelines) are outside that network; closing it needs a private endpoint from theirs.
 */
export class AzureModelRegistry extends pulumi.ComponentResource implements ModelRegistryOutputs {
  /** The Azure ML registry's name. */
  public readonly modelRegistryName: pulumi.Output<string>;
  /** ARM id of the registry, the target of the workspace's private outbound rule. */
  public readonly modelRegistryId: pulumi.Output<string>;

  constructor(
    name: string,
    args: AzureModelRegistryArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("mlplatform:azure:ModelRegistry", name, {}, opts);

    const tags = blockTags(args.tags, "model-registry");
    const registry = new ml.Registry(
      `${name}-registry`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        registryName: pulumi
          .output(args.uniqueSuffix)
          .apply((suffix) => physicalName(args.nameParts, NAME_RULES.azureMlRegistry, suffix)),
        identity: { type: "SystemAssigned" },
        publicNetworkAccess: REGISTRY_PUBLIC_NETWORK_ACCESS,
        regionDetails: [
          {
            location: args.location,
            storageAccountDetails: [
              {
                systemCreatedStorageAccount: {
                  storageAccountType: REGISTRY_STORAGE_SKU[args.tier],
                  storageAccountHnsEnabled: false,
                  allowBlobPublicAccess: false,
                },
              },
            ],
            acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: REGISTRY_ACR_SKU } }],
          },
        ],
        tags,
      },
      statefulOptions(args.tier, this),
    );

    for (const modelName of args.modelNames) {
      new ml.RegistryModelContainer(
        `${name}-${modelName}`,
        {
          resourceGroupName: args.resourceGroupName,
          registryName: registry.name,
          modelName,
          properties: { description: `Versions of the ${modelName} model`, tags },
        },
        // The container holds every version of the model: as stateful as the registry.
        statefulOptions(args.tier, this),
      );
    }

    this.modelRegistryName = registry.name;
    this.modelRegistryId = registry.id;
    this.registerOutputs({
      modelRegistryName: this.modelRegistryName,
      modelRegistryId: this.modelRegistryId,
    });
  }
}
