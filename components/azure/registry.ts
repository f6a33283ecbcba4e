import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerRegistryArgs, ContainerRegistryOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import type { Tier } from "../../policies/platform";
import type { AzurePlacement } from "./common";

/**
 * Premium in prod: the only tier that takes private endpoints, which the workspace's managed
 * network needs once public access is off. Basic in dev.
 */
export const REGISTRY_SKU: Record<Tier, string> = { dev: "Basic", prod: "Premium" };

export interface AzureContainerRegistryArgs extends ContainerRegistryArgs, AzurePlacement {}

/**
 * The Azure ML workspace's container registry (ACR): the admin user and anonymous pull off, so
 * only Entra identities with a role on it pull or push; Premium with public network access
 * disabled in prod. Its name is globally unique through the platform's stable random suffix.
 */
export class AzureContainerRegistry
  extends pulumi.ComponentResource
  implements ContainerRegistryOutputs
{
  /** Login server, `<name>.azurecr.io`. */
  public readonly registryUrl: pulumi.Output<string>;
  /** ARM id of the registry, which the workspace is bound to. */
  public readonly registryId: pulumi.Output<string>;

  constructor(
    name: string,
    args: AzureContainerRegistryArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("mlplatform:azure:ContainerRegistry", name, {}, opts);

    const prod = args.tier === "prod";
    const registry = new containerregistry.Registry(
      `${name}-acr`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        registryName: pulumi
          .output(args.uniqueSuffix)
          .apply((suffix) =>
            physicalName(args.nameParts, NAME_RULES.azureContainerRegistry, suffix),
          ),
        sku: { name: REGISTRY_SKU[args.tier] },
        adminUserEnabled: false,
        anonymousPullEnabled: false,
        publicNetworkAccess: prod ? "Disabled" : "Enabled",
        // Lets Azure ML's trusted services build and pull images while public access is off.
        networkRuleBypassOptions: "AzureServices",
        tags: blockTags(args.tags, "registry"),
      },
      statefulOptions(args.tier, this),
    );

    this.registryUrl = registry.loginServer;
    this.registryId = registry.id;
    this.registerOutputs({ registryUrl: this.registryUrl, registryId: this.registryId });
  }
}
