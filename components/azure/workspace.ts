import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as pulumi from "@pulumi/pulumi";
import type { WorkspaceArgs, WorkspaceOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import type { AzurePrincipalType, TeamMemberSpec, TeamSpec, Tier } from "../types";
import { type AzurePlacement, BUILT_IN_ROLES, roleDefinitionId } from "./common";

/**
 * How the prod workspace's managed network lets traffic out. `AllowOnlyApprovedOutbound` sends
 * only the outbound traffic Azure ML itself needs (private endpoints to the workspace's storage,
 * key vault and container registry, and Azure service tags); the platform's workloads need nothing else,
 * so no FQDN rule and hence no billed Azure Firewall is created.
 */
export const PROD_ISOLATION_MODE = "AllowOnlyApprovedOutbound";

/** Days a deleted key vault (and its secrets) can be recovered; 7 is the least Azure allows. */
export const KEY_VAULT_SOFT_DELETE_DAYS: Record<Tier, number> = { dev: 7, prod: 90 };

/** Days Log Analytics keeps the workspace's logs and telemetry. */
export const LOG_RETENTION_DAYS: Record<Tier, number> = { dev: 30, prod: 90 };

/** The datastore that names the storage block's container in the workspace. */
export const MODEL_DATASTORE_NAME = "platform_artifacts";

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
export class AzureWorkspace extends pulumi.ComponentResource implements WorkspaceOutputs {
  public readonly workspaceName: pulumi.Output<string>;
  /** Name of the datastore over the storage block's container. */
  public readonly datastoreName: pulumi.Output<string>;

  constructor(name: string, args: AzureWorkspaceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("mlplatform:azure:Workspace", name, {}, opts);

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
        workspaceName: physicalName(args.nameParts, NAME_RULES.azureMlWorkspace),
        friendlyName: args.nameParts.join(" "),
        kind: "Default",
        sku: { name: "Basic", tier: "Basic" },
        identity: { type: "SystemAssigned" },
        storageAccount: args.storageAccountId,
        keyVault: vault.id,
        applicationInsights: insights.id,
        containerRegistry: args.containerRegistryId,
        publicNetworkAccess: prod ? "Disabled" : "Enabled",
        managedNetwork: { isolationMode: prod ? PROD_ISOLATION_MODE : "Disabled" },
        // Builds the managed network with the workspace rather than with its first compute.
        provisionNetworkNow: prod,
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

    const dataScientist = roleDefinitionId(
      args.subscriptionId,
      BUILT_IN_ROLES.azureMlDataScientist,
    );
    // Named from the member alone: member names are unique across teams (the spec checks it),
    // while team and member names joined by hyphens could repeat.
    for (const person of teamPrincipals(args.teams)) {
      new authorization.RoleAssignment(
        `${name}-${person.member}`,
        {
          scope: workspace.id,
          principalId: person.principalId,
          principalType: person.principalType,
          roleDefinitionId: dataScientist,
          description: `AzureML Data Scientist for ${person.member} of team ${person.team}`,
        },
        { parent: this },
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
