import type { CallHandler } from "../monitor";

/** Answers to the azure data-source calls the program makes, for the offline plan. */
export const AZURE_PLACEHOLDERS: Record<string, CallHandler> = {
  /**
   * The identity `pulumi up` runs as and where: the subscription (role definition ids, the
   * model's datastore URI) and the tenant (the key vault). All-zero GUIDs stand for the real ones.
   */
  "azure-native:authorization:getClientConfig": () => ({
    clientId: "00000000-0000-0000-0000-000000000000",
    objectId: "00000000-0000-0000-0000-000000000000",
    subscriptionId: "00000000-0000-0000-0000-000000000000",
    tenantId: "00000000-0000-0000-0000-000000000000",
  }),
  /**
   * The Azure Resource Manager token of `pulumi up`'s login, which provisions a prod workspace's
   * managed network. The offline plan calls nothing with it.
   */
  "azure-native:authorization:getClientToken": () => ({ token: "offline-plan-placeholder-token" }),
};
