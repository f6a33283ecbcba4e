import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import type * as inputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import { type WorkspaceArgs, type WorkspaceOutputs, DeclaringBlock } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import type { AzurePrincipalType, TeamMemberSpec, TeamSpec, Tier } from "../../policies/platform";
import { type AzurePlacement, type BuiltInRoleGrant, builtInRoleAssignment } from "./common";
import { workspaceAccess } from "./access";
import { ManagedNetworkProvisioning } from "./managedNetwork";

/**
 * How the prod workspace's managed network lets traffic out. `AllowOnlyApprovedOutbound` sends
 * only the outbound traffic Azure ML itself needs (private endpoints to the workspace's storage,
 * key vault and container registry, and Azure service tags) and the approved rules: a private
 * endpoint to the ML registry and the package hosts the serving environment's image build needs.
 */
export const PROD_ISOLATION_MODE = "AllowOnlyApprovedOutbound";

/** Days a deleted key vault (and its secrets) can be recovered; 7 is the least Azure allows. */
export const KEY_VAULT_SOFT_DELETE_DAYS: Record<Tier, number> = { dev: 7, prod: 90 };

/** Days Log Analytics keeps the workspace's logs and telemetry. */
export const LOG_RETENTION_DAYS: Record<Tier, number> = { dev: 30, prod: 90 };

/** The datastore that names the storage block's container in the workspace. */
export const MODEL_DATASTORE_NAME = "platform_artifacts";

/** Name of the managed network's outbound rule to the platform's ML registry. */
export const REGISTRY_OUTBOUND_RULE = "model-registry";

/**
 * Hosts the prod managed network lets out to, so that Azure ML can build the pinned serving
 * environment's image (conda-forge and PyPI packages): the recommended package hosts of
 * how-to-managed-network.md, "Access public machine learning packages". FQDN rules make Azure ML
 * create an Azure Firewall, of the Basic SKU here (FIREWALL_SKU).
 */
export const PACKAGE_HOSTS = ["*.anaconda.org", "pypi.org", "*.pythonhosted.org"] as const;

/** The Azure Firewall SKU behind the FQDN rules: Basic, the cheaper of the two. */
export const FIREWALL_SKU = "Basic";

/** Private-link sub-resource of an Azure ML registry (how-to-registry-network-isolation.md). */
export const REGISTRY_PRIVATE_LINK_TARGET = "amlregistry";

export interface AzureWorkspaceArgs extends WorkspaceArgs, AzurePlacement {
  /** Stable random suffix of the key vault's globally unique name. */
  uniqueSuffix: pulumi.Input<string>;
  /** Entra tenant of the key vault. */
  tenantId: pulumi.Input<string>;
  /** Subscription whose built-in role definitions the team assignments use. */
  subscriptionId: pulumi.Input<string>;
  /** ARM id of the storage account the workspace keeps its artifacts in. */
  storageAccountId: pulumi.Input<string>;
  /** Name of that storage account. */
  storageAccountName: pulumi.Input<string>;
  /** Container of that account registered as the platform's datastore. */
  dataContainerName: pulumi.Input<string>;
  /** ARM id of the container registry the workspace builds and pulls images from. */
  containerRegistryId: pulumi.Input<string>;
  /** ARM id of that container, where team members read and write data. */
  dataContainerId: pulumi.Input<string>;
  /** ARM id of the platform's Azure ML registry, which the managed network reaches privately. */
  modelRegistryId: pulumi.Input<string>;
  /**
   * Bearer token for Azure Resource Manager, to provision the prod managed network. Required in
   * prod; unused in dev, which has no managed network.
   */
  armAccessToken?: pulumi.Input<string>;
}

/**
 * The workspace's managed network: in prod, only approved outbound traffic, with a private
 * endpoint to the ML registry and FQDN rules to the package hosts behind a Basic firewall; none in
 * dev. Each rule's `type` is known when the plan is made, even while the registry's id is not.
 */
export function managedNetworkSettings(
  tier: Tier,
  modelRegistryId: pulumi.Input<string>,
): inputs.machinelearningservices.ManagedNetworkSettingsArgs {
  if (tier !== "prod") return { isolationMode: "Disabled" };
  return {
    isolationMode: PROD_ISOLATION_MODE,
    firewallSku: FIREWALL_SKU,
    // The registry is not one of the workspace's own resources, so the managed network reaches
    // it only through a private endpoint of its own (how-to-managed-network.md).
    outboundRules: {
      [REGISTRY_OUTBOUND_RULE]: {
        type: "PrivateEndpoint",
        category: "UserDefined",
        destination: {
          serviceResourceId: modelRegistryId,
          subresourceTarget: REGISTRY_PRIVATE_LINK_TARGET,
          sparkEnabled: false,
        },
      },
      ...Object.fromEntries(
        PACKAGE_HOSTS.map((host) => [
          `packages-${host.replace(/[^a-z0-9]+/g, "-").replace(/^-/, "")}`,
          { type: "FQDN", category: "UserDefined", destination: host },
        ]),
      ),
    },
  };
}

/**
 * What a managed network bills by: its isolation mode, firewall SKU and each rule's type, without
 * the rules' destinations. The workspace block declares it as its own input and output for the
 * cost model, since the provider lifts the workspace's `managedNetwork` into one value, unknown at
 * preview while the ML registry's id is. Without that id the block registers at once rather than
 * after the registry is created.
 */
function billedNetwork(
  settings: inputs.machinelearningservices.ManagedNetworkSettingsArgs,
): Record<string, unknown> {
  // managedNetworkSettings builds plain values, so its rules can be read back.
  const rules = settings.outboundRules as
    Record<string, { type: string; category: string }> | undefined;
  return {
    isolationMode: settings.isolationMode,
    ...(settings.firewallSku === undefined ? {} : { firewallSku: settings.firewallSku }),
    ...(rules === undefined
      ? {}
      : {
          outboundRules: Object.fromEntries(
            Object.entries(rules).map(([rule, { type, category }]) => [rule, { type, category }]),
          ),
        }),
  };
}

/** A member's object id names a user unless the spec says it names a group. */
const DEFAULT_PRINCIPAL_TYPE: AzurePrincipalType = "User";

/** A team member's Entra principal, with the team the member belongs to. */
interface TeamPrincipal {
  team: string;
  member: string;
  principalId: string;
  principalType: AzurePrincipalType;
}

/**
 * Every team member of the spec with their Entra object id. The spec requires `azurePrincipalId`
 * of every member when Azure is listed (components/spec.ts), so the filter drops no member: it
 * only narrows the type.
 */
export function teamPrincipals(teams: readonly TeamSpec[]): TeamPrincipal[] {
  return teams.flatMap((team) =>
    team.members
      .filter(
        (member): member is TeamMemberSpec & { azurePrincipalId: string } =>
          member.azurePrincipalId !== undefined,
      )
      .map((member) => ({
        team: team.name,
        member: member.name,
        principalId: member.azurePrincipalId,
        principalType: member.azurePrincipalType ?? DEFAULT_PRINCIPAL_TYPE,
      })),
  );
}

/**
 * The Azure Machine Learning workspace and what it depends on: a system-assigned identity, a key
 * vault (RBAC authorization, soft delete, purge protection), a workspace-based Application
 * Insights with its Log Analytics workspace, the storage account and registry of the storage and
 * registry blocks, and the storage block's container as a datastore. In prod public network
 * access is off and the workspace runs in a managed network that allows only approved outbound
 * traffic. Each team member gets the AzureML Data Scientist role on the workspace.
 */
export class AzureWorkspace extends DeclaringBlock implements WorkspaceOutputs {
  public readonly workspaceName: pulumi.Output<string>;
  /** Name of the datastore over the storage block's container. */
  public readonly datastoreName: pulumi.Output<string>;
  /**
   * What a managed online deployment must wait for: in prod the provisioned managed network;
   * nothing in dev, which has no managed network.
   */
  public readonly deploymentPrerequisites: pulumi.Resource[];

  constructor(name: string, args: AzureWorkspaceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const managedNetwork = managedNetworkSettings(args.tier, args.modelRegistryId);
    const billed = billedNetwork(managedNetwork);
    super("mlplatform:azure:Workspace", name, { managedNetwork: billed }, opts);

    const prod = args.tier === "prod";
    const tags = blockTags(args.tags, "workspace");
    const placement = { resourceGroupName: args.resourceGroupName, location: args.location };

    const vault = new keyvault.Vault(
      `${name}-vault`,
      {
        ...placement,
        vaultName: pulumi
          .output(args.uniqueSuffix)
          .apply((suffix) => physicalName(args.nameParts, NAME_RULES.azureKeyVault, suffix)),
        properties: {
          tenantId: args.tenantId,
          sku: { family: "A", name: "standard" },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: KEY_VAULT_SOFT_DELETE_DAYS[args.tier],
          enablePurgeProtection: true,
          publicNetworkAccess: prod ? "Disabled" : "Enabled",
          networkAcls: { defaultAction: prod ? "Deny" : "Allow", bypass: "AzureServices" },
        },
        tags,
      },
      statefulOptions(args.tier, this),
    );

    const logs = new operationalinsights.Workspace(
      `${name}-logs`,
      {
        ...placement,
        workspaceName: physicalName([...args.nameParts, "logs"], NAME_RULES.azureMonitor),
        sku: { name: "PerGB2018" },
        retentionInDays: LOG_RETENTION_DAYS[args.tier],
        tags,
      },
      { parent: this },
    );

    const insights = new applicationinsights.Component(
      `${name}-insights`,
      {
        ...placement,
        resourceName: physicalName([...args.nameParts, "insights"], NAME_RULES.azureMonitor),
        kind: "web",
        applicationType: "web",
        ingestionMode: "LogAnalytics",
        workspaceResourceId: logs.id,
        tags,
      },
      { parent: this },
    );

    const workspace = new ml.Workspace(
      `${name}-ml`,
      {
        ...placement,
        // A deleted workspace stays soft-deleted for 14 days and holds its name
        // (concept-soft-delete.md), so a dev stack's `destroy` then `up` needs a new name: the
        // platform's random suffix, drawn anew with the stack. Prod keeps its name and is protected.
        workspaceName: prod
          ? physicalName(args.nameParts, NAME_RULES.azureMlWorkspace)
          : pulumi
              .output(args.uniqueSuffix)
              .apply((suffix) => physicalName(args.nameParts, NAME_RULES.azureMlWorkspace, suffix)),
        friendlyName: args.nameParts.join(" "),
        kind: "Default",
        sku: { name: "Basic", tier: "Basic" },
        identity: { type: "SystemAssigned" },
        storageAccount: args.storageAccountId,
        keyVault: vault.id,
        applicationInsights: insights.id,
        containerRegistry: args.containerRegistryId,
        publicNetworkAccess: prod ? "Disabled" : "Enabled",
        managedNetwork,
        tags,
      },
      statefulOptions(args.tier, this),
    );

    const datastore = new ml.Datastore(
      `${name}-datastore`,
      {
        resourceGroupName: args.resourceGroupName,
        workspaceName: workspace.name,
        name: MODEL_DATASTORE_NAME,
        properties: {
          datastoreType: "AzureBlob",
          accountName: args.storageAccountName,
          containerName: args.dataContainerName,
          // Identity-based: no account key or SAS is stored; each caller's identity is checked.
          credentials: { credentialsType: "None" },
          serviceDataAccessAuthIdentity: "WorkspaceSystemAssignedIdentity",
          description: "The platform's models, scoring code and data",
          tags,
        },
      },
      { parent: this },
    );

    // Named from the member alone: member names are unique across teams (the spec checks it),
    // while team and member names joined by hyphens could repeat. Member names never hold `_`,
    // so `<member>_data` cannot be another member's name.
    for (const person of teamPrincipals(args.teams)) {
      const member = (
        suffix: string,
        scope: pulumi.Input<string>,
        role: BuiltInRoleGrant["role"],
        what: string,
      ) =>
        builtInRoleAssignment(
          `${name}-${person.member}${suffix}`,
          {
            subscriptionId: args.subscriptionId,
            role,
            scope,
            principalId: person.principalId,
            principalType: person.principalType,
            description: `${what} for ${person.member} of team ${person.team}`,
          },
          this,
        );
      member("", workspace.id, "azureMlDataScientist", "AzureML Data Scientist");
      // The datastore is identity-based: jobs and the studio read and write its data as the
      // member, who needs a data role on the container (how-to-datastore.md, identity-based access).
      member(
        "_data",
        args.dataContainerId,
        "storageBlobDataContributor",
        "Storage Blob Data Contributor",
      );
    }

    this.deploymentPrerequisites = [];
    if (prod) {
      // Public access is off in prod: team members come in through a private endpoint.
      workspaceAccess(
        name,
        { ...placement, nameParts: args.nameParts, workspaceId: workspace.id, tags },
        this,
      );
      if (args.armAccessToken === undefined) {
        throw new pulumi.RunError(
          "a prod workspace needs armAccessToken to provision its managed network",
        );
      }
      this.deploymentPrerequisites.push(
        new ManagedNetworkProvisioning(
          `${name}-managed-network`,
          { workspaceId: workspace.id, accessToken: args.armAccessToken },
          { parent: this },
        ),
      );
    }

    this.workspaceName = workspace.name;
    this.datastoreName = datastore.name;
    this.registerOutputs({
      workspaceName: this.workspaceName,
      datastoreName: this.datastoreName,
    });
  }
}
