import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import type { StorageArgs, StorageOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import type { Tier } from "../../policies/platform";
import type { AzurePlacement } from "./common";

/** The container that holds the platform's models, scoring code and data. */
export const DATA_CONTAINER_NAME = "artifacts";

/** Days a deleted blob or container can still be restored (soft delete): longer in prod. */
export const SOFT_DELETE_DAYS: Record<Tier, number> = { dev: 7, prod: 30 };
/** Days an overwritten or deleted blob version is kept before the lifecycle deletes it. */
export const NONCURRENT_VERSION_DAYS = 30;
/** Days after its last change a blob under `data/` moves to the cool tier. */
export const DATA_COOL_AFTER_DAYS = 30;

/** Zone-redundant storage in prod, so one zone's failure loses no data; locally redundant in dev. */
export const STORAGE_SKU: Record<Tier, string> = { dev: "Standard_LRS", prod: "Standard_ZRS" };

export interface AzureStorageArgs extends StorageArgs, AzurePlacement {}

/**
 * The lifecycle of the platform's blobs: old versions are pruned, data cools down; current
 * models and code are never touched.
 */
export const LIFECYCLE_RULES: storage.ManagementPolicyArgs["policy"] = {
  rules: [
    {
      name: "prune-noncurrent-versions",
      enabled: true,
      type: "Lifecycle",
      definition: {
        filters: { blobTypes: ["blockBlob"] },
        actions: {
          version: { delete: { daysAfterCreationGreaterThan: NONCURRENT_VERSION_DAYS } },
        },
      },
    },
    {
      name: "cool-data",
      enabled: true,
      type: "Lifecycle",
      definition: {
        filters: { blobTypes: ["blockBlob"], prefixMatch: [`${DATA_CONTAINER_NAME}/data/`] },
        actions: {
          baseBlob: { tierToCool: { daysAfterModificationGreaterThan: DATA_COOL_AFTER_DAYS } },
        },
      },
    },
  ],
};

/**
 * The Azure ML workspace's storage account, hardened: no anonymous blob access, HTTPS and TLS 1.2
 * only, Microsoft-managed encryption of blobs and files, blob versioning, blob and container soft
 * delete, a lifecycle policy, and one container for models, scoring code and data. Its name is
 * globally unique through the platform's stable random suffix.
 */
export class AzureStorage extends pulumi.ComponentResource implements StorageOutputs {
  /** The storage account's name. */
  public readonly storageName: pulumi.Output<string>;
  /** ARM id of the storage account, which the workspace is bound to. */
  public readonly accountId: pulumi.Output<string>;
  /** The account's blob endpoint, `https://<account>.blob.core.windows.net/`. */
  public readonly blobEndpoint: pulumi.Output<string>;
  public readonly containerName: pulumi.Output<string>;
  /** ARM id of the container, the scope of data-plane role assignments. */
  public readonly containerId: pulumi.Output<string>;

  constructor(name: string, args: AzureStorageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("mlplatform:azure:Storage", name, {}, opts);

    const tags = blockTags(args.tags, "storage");
    const account = new storage.StorageAccount(
      `${name}-account`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        accountName: pulumi
          .output(args.uniqueSuffix)
          .apply((suffix) => physicalName(args.nameParts, NAME_RULES.azureStorageAccount, suffix)),
        kind: "StorageV2",
        sku: { name: STORAGE_SKU[args.tier] },
        accessTier: "Hot",
        // Azure ML cannot use an account with a hierarchical namespace as workspace storage.
        isHnsEnabled: false,
        allowBlobPublicAccess: false,
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowCrossTenantReplication: false,
        defaultToOAuthAuthentication: true,
        encryption: {
          keySource: "Microsoft.Storage",
          services: {
            blob: { enabled: true, keyType: "Account" },
            file: { enabled: true, keyType: "Account" },
          },
        },
        // Reachable over the network (anonymous access is off) so that `pulumi up` can upload
        // the model and scoring code; in prod the workspace reaches it through the private
        // endpoint its managed network creates.
        publicNetworkAccess: "Enabled",
        networkRuleSet: { defaultAction: "Allow", bypass: "AzureServices" },
        tags,
      },
      statefulOptions(args.tier, this),
    );

    const days = SOFT_DELETE_DAYS[args.tier];
    const blobService = new storage.BlobServiceProperties(
      `${name}-blob-service`,
      {
        resourceGroupName: args.resourceGroupName,
        accountName: account.name,
        blobServicesName: "default",
        isVersioningEnabled: true,
        deleteRetentionPolicy: { enabled: true, days },
        containerDeleteRetentionPolicy: { enabled: true, days },
      },
      { parent: this },
    );

    new storage.ManagementPolicy(
      `${name}-lifecycle`,
      {
        resourceGroupName: args.resourceGroupName,
        accountName: account.name,
        managementPolicyName: "default",
        policy: LIFECYCLE_RULES,
      },
      { parent: this, dependsOn: [blobService] },
    );

    const container = new storage.BlobContainer(
      `${name}-artifacts`,
      {
        resourceGroupName: args.resourceGroupName,
        accountName: account.name,
        containerName: DATA_CONTAINER_NAME,
        publicAccess: "None",
      },
      statefulOptions(args.tier, this, { dependsOn: [blobService] }),
    );

    this.storageName = account.name;
    this.accountId = account.id;
    this.blobEndpoint = account.primaryEndpoints.blob;
    this.containerName = container.name;
    this.containerId = container.id;
    this.registerOutputs({
      storageName: this.storageName,
      accountId: this.accountId,
      blobEndpoint: this.blobEndpoint,
      containerName: this.containerName,
      containerId: this.containerId,
    });
  }
}
