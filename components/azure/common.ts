import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";

/** Where an Azure block is deployed: the wiring every Azure block takes besides the neutral args. */
export interface AzurePlacement {
  /** The platform's project and stack names: the start of every physical name. */
  nameParts: readonly string[];
  /** The platform's resource group, which holds every resource of the block. */
  resourceGroupName: pulumi.Input<string>;
  /** Azure region of every resource, such as `eastus`. */
  location: string;
}

const MINUTES_PER_HOUR = 60;
const MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR;

/**
 * A whole number of minutes as an ISO 8601 duration, the form Azure takes for idle times and
 * autoscale windows: 30 is `PT30M`, 90 is `PT1H30M`, 1440 is `P1D`.
 */
export function isoDuration(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes <= 0) {
    throw new pulumi.RunError(`${minutes} is not a duration in whole minutes greater than 0`);
  }
  const days = Math.floor(minutes / MINUTES_PER_DAY);
  const hours = Math.floor((minutes % MINUTES_PER_DAY) / MINUTES_PER_HOUR);
  const rest = minutes % MINUTES_PER_HOUR;
  const time = `${hours > 0 ? `${hours}H` : ""}${rest > 0 ? `${rest}M` : ""}`;
  return `P${days > 0 ? `${days}D` : ""}${time.length > 0 ? `T${time}` : ""}`;
}

/** Hex digits of a file's SHA-256 that make its asset version: 7 keep it under 2^31. */
const VERSION_HEX_DIGITS = 7;

/**
 * The Azure ML asset version of a file: a positive integer taken from its content hash. Asset
 * versions are immutable, so a file with new content registers a new version (and Pulumi
 * replaces the old one) instead of failing to overwrite it.
 */
export function contentVersion(file: string): string {
  return textVersion(readFileSync(file));
}

/** The Azure ML asset version of a text or file content, as `contentVersion` makes it. */
export function textVersion(content: string | Buffer): string {
  const digest = createHash("sha256").update(content).digest("hex");
  return String(Number.parseInt(digest.slice(0, VERSION_HEX_DIGITS), 16) + 1);
}

/** Azure built-in role definition ids (GUIDs), as listed in Azure's built-in roles reference. */
export const BUILT_IN_ROLES = {
  /**
   * AzureML Data Scientist: everything in a workspace except creating or deleting compute and
   * changing the workspace itself.
   * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/ai-machine-learning#azureml-data-scientist
   */
  azureMlDataScientist: "f6c7c914-8db3-469d-8ca1-694a8f32e121",
  /**
   * Storage Blob Data Contributor: read, write and delete blobs and containers.
   * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-contributor
   */
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  /**
   * Storage Blob Data Reader: read and list blobs and containers.
   * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-reader
   */
  storageBlobDataReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
} as const;

/** The full id of a built-in role definition in a subscription, as role assignments take it. */
function roleDefinitionId(subscriptionId: pulumi.Input<string>, role: string) {
  return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`;
}

/** A grant of one built-in role to one principal on one scope. */
export interface BuiltInRoleGrant {
  /** Subscription whose copy of the role definition is assigned. */
  subscriptionId: pulumi.Input<string>;
  role: keyof typeof BUILT_IN_ROLES;
  /** ARM id of the resource the role applies to. */
  scope: pulumi.Input<string>;
  principalId: pulumi.Input<string>;
  /** `ServicePrincipal` for a system-assigned identity; `User` or `Group` for a team member. */
  principalType: pulumi.Input<string>;
  /** Why the principal has the role, as the portal shows it. */
  description: pulumi.Input<string>;
}

/** A role assignment of `grant`, named `name` and parented to `parent`. */
export function builtInRoleAssignment(
  name: string,
  grant: BuiltInRoleGrant,
  parent: pulumi.Resource,
): authorization.RoleAssignment {
  return new authorization.RoleAssignment(
    name,
    {
      scope: grant.scope,
      principalId: grant.principalId,
      principalType: grant.principalType,
      roleDefinitionId: roleDefinitionId(grant.subscriptionId, BUILT_IN_ROLES[grant.role]),
      description: grant.description,
    },
    { parent },
  );
}

/**
 * The principal id of a resource's system-assigned identity. Azure reports it once it has created
 * the identity, so in a preview of a new resource it is unknown.
 */
export function systemPrincipalId(
  identity: pulumi.Output<{ principalId?: string } | undefined>,
): pulumi.Output<string> {
  return identity.apply((value): string => {
    if (value === undefined) {
      throw new pulumi.RunError("the resource has no system-assigned identity to grant a role to");
    }
    return value.principalId ?? (pulumi.unknown as string);
  });
}
