import type * as pulumi from "@pulumi/pulumi";
import { type ArmCallOptions, ML_API_VERSION, armAction } from "./armApi";

/*
 * The provider behind `ManagedNetworkProvisioning` (managedNetwork.ts), which bundles this module
 * into the stack's state (components/dynamicProvider.ts): it imports nothing but ./armApi.
 */

/**
 * Minutes `provisionManagedNetwork` may take. Azure ML documents about 30 minutes for a new
 * managed network, about 10 more for the first FQDN rule, and longer with many outbound rules
 * (how-to-managed-network.md, "Manually provision a managed VNet").
 */
export const PROVISION_TIMEOUT_MINUTES = 60;

/** Longest wait between two polls of the provisioning operation, in milliseconds. */
export const MAX_POLL_MS = 30_000;

interface ProvisionInputs {
  workspaceId: string;
  accessToken: string;
  armEndpoint: string;
}

/** What the provider keeps in the state: the workspace and the network's status, not the token. */
interface ProvisionState {
  workspaceId: string;
  armEndpoint: string;
  status: string;
  sparkReady: boolean;
}

export interface ManagedNetworkProviderOptions {
  /** @default PROVISION_TIMEOUT_MINUTES */
  timeoutMs?: number;
  /** @default MAX_POLL_MS */
  maxPollMs?: number;
}

/**
 * Calls the workspace's documented `provisionManagedNetwork` action and waits for it, then
 * reports the network's status (`Active` once provisioned).
 */
export async function provisionManagedNetwork(
  inputs: ProvisionInputs,
  options: Required<ManagedNetworkProviderOptions>,
): Promise<ProvisionState> {
  const call: ArmCallOptions = {
    accessToken: inputs.accessToken,
    endpoint: inputs.armEndpoint,
    timeoutMs: options.timeoutMs,
    maxPollMs: options.maxPollMs,
  };
  const result = await armAction(
    `provisioning the managed network of ${inputs.workspaceId}`,
    `${inputs.workspaceId}/provisionManagedNetwork?api-version=${ML_API_VERSION}`,
    call,
    { includeSpark: false },
  );
  const status = typeof result.status === "string" ? result.status : "Active";
  if (status !== "Active") {
    throw new Error(
      `provisioning the managed network of ${inputs.workspaceId} ended with status ${status}, not Active`,
    );
  }
  return {
    workspaceId: inputs.workspaceId,
    armEndpoint: inputs.armEndpoint,
    status,
    sparkReady: result.sparkReady === true,
  };
}

/**
 * The dynamic provider behind `ManagedNetworkProvisioning`. Creating it provisions the network;
 * a new token or endpoint changes nothing; another workspace is provisioned anew. Deleting it
 * leaves the network, which Azure deletes with its workspace.
 */
export function managedNetworkProvider(
  options: ManagedNetworkProviderOptions = {},
): pulumi.dynamic.ResourceProvider {
  const settings = {
    timeoutMs: options.timeoutMs ?? PROVISION_TIMEOUT_MINUTES * 60_000,
    maxPollMs: options.maxPollMs ?? MAX_POLL_MS,
  };
  return {
    async diff(_id: string, olds: ProvisionState, news: ProvisionInputs) {
      const replaces = olds.workspaceId === news.workspaceId ? [] : ["workspaceId"];
      return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
    },
    async create(inputs: ProvisionInputs) {
      const outs = await provisionManagedNetwork(inputs, settings);
      return { id: `${inputs.workspaceId}/managedNetwork`, outs };
    },
    async delete() {
      // Nothing to undo: the managed network lives and dies with its workspace.
    },
  };
}
