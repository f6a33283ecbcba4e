import { expect } from "chai";
import { AzureStorage, DATA_CONTAINER_NAME, LIFECYCLE_RULES } from "../../components/azure/storage";
import { NAME_RULES, physicalName } from "../../components/naming";
import { blockTags } from "../../components/tags";
import type { Tier } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, registered, single } from "../harness";
import { AZURE_NAMES, PLACEMENT, SUFFIX, TAGS, azureOutputs, component } from "./fixtures";

const ACCOUNT = "azure-native:storage:StorageAccount";
const BLOB_SERVICE = "azure-native:storage:BlobServiceProperties";
const POLICY = "azure-native:storage:ManagementPolicy";
const CONTAINER = "azure-native:storage:BlobContainer";

describe("azure storage", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({ outputs: azureOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(
    tier: Tier = "dev",
    nameParts: readonly string[] = PLACEMENT.nameParts,
  ): Promise<Registration[]> {
    new AzureStorage(`store-${tier}`, {
      ...PLACEMENT,
      nameParts,
      tier,
      tags: TAGS,
      uniqueSuffix: SUFFIX,
    });
    return registered(rec);
  }

  it("names the account from the project and stack with the stable suffix", async () => {
    const account = single(await build(), ACCOUNT);
    expect(account.inputs.accountName).to.equal(`mlplatformtest${SUFFIX}`);
    expect(account.inputs.accountName).to.match(AZURE_NAMES.storageAccount);
  });

  it("keeps a long, odd project and stack name a valid account name ending in the suffix", async () => {
    const parts = ["Machine_Learning-Platform", "Prod.West-Europe/Team_42-with-a-long-name"];
    const name = single(await build("dev", parts), ACCOUNT).inputs.accountName as string;
    expect(name).to.match(AZURE_NAMES.storageAccount);
    expect(name.endsWith(SUFFIX)).to.equal(true);
    expect(name).to.equal(physicalName(parts, NAME_RULES.azureStorageAccount, SUFFIX));
  });

  it("is hardened: no anonymous blob access, HTTPS and TLS 1.2 only, encrypted", async () => {
    const account = single(await build(), ACCOUNT);
    expect(account.inputs).to.include({
      kind: "StorageV2",
      allowBlobPublicAccess: false,
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      allowCrossTenantReplication: false,
      isHnsEnabled: false,
      resourceGroupName: PLACEMENT.resourceGroupName,
      location: PLACEMENT.location,
    });
    expect(account.inputs.encryption).to.deep.equal({
      keySource: "Microsoft.Storage",
      services: {
        blob: { enabled: true, keyType: "Account" },
        file: { enabled: true, keyType: "Account" },
      },
    });
  });

  it("is zone-redundant, protected and retained in prod", async () => {
    const account = single(await build("prod"), ACCOUNT);
    expect(account.inputs.sku).to.deep.equal({ name: "Standard_ZRS" });
    expect(account.protect).to.equal(true);
    expect(account.retainOnDelete).to.equal(true);
  });

  it("is locally redundant and neither protected nor retained in dev", async () => {
    const account = single(await build("dev"), ACCOUNT);
    expect(account.inputs.sku).to.deep.equal({ name: "Standard_LRS" });
    expect(account.protect).to.equal(false);
    expect(account.retainOnDelete).to.equal(false);
  });

  it("versions blobs and soft-deletes blobs and containers, longer in prod", async () => {
    for (const [tier, days] of [
      ["dev", 7],
      ["prod", 30],
    ] as const) {
      rec.reset();
      const service = single(await build(tier), BLOB_SERVICE);
      expect(service.inputs).to.deep.include({
        accountName: `mlplatformtest${SUFFIX}`,
        blobServicesName: "default",
        isVersioningEnabled: true,
        deleteRetentionPolicy: { enabled: true, days },
        containerDeleteRetentionPolicy: { enabled: true, days },
      });
    }
  });

  it("prunes noncurrent versions after 30 days and cools data after 30 days", async () => {
    const policy = single(await build(), POLICY);
    expect(policy.inputs.policy).to.deep.equal(LIFECYCLE_RULES);
    expect(policy.inputs.policy).to.deep.equal({
      rules: [
        {
          name: "prune-noncurrent-versions",
          enabled: true,
          type: "Lifecycle",
          definition: {
            filters: { blobTypes: ["blockBlob"] },
            actions: { version: { delete: { daysAfterCreationGreaterThan: 30 } } },
          },
        },
        {
          name: "cool-data",
          enabled: true,
          type: "Lifecycle",
          definition: {
            filters: { blobTypes: ["blockBlob"], prefixMatch: ["artifacts/data/"] },
            actions: { baseBlob: { tierToCool: { daysAfterModificationGreaterThan: 30 } } },
          },
        },
      ],
    });
  });

  it("has one private container for models and data, protected in prod", async () => {
    const regs = await build("prod");
    const container = single(regs, CONTAINER);
    expect(container.inputs).to.include({
      containerName: DATA_CONTAINER_NAME,
      publicAccess: "None",
      accountName: `mlplatformtest${SUFFIX}`,
    });
    expect(container.protect).to.equal(true);
    expect(container.retainOnDelete).to.equal(true);
    expect(container.dependencies).to.include(single(regs, BLOB_SERVICE).urn);
  });

  it("tags the account with the storage block", async () => {
    const account = single(await build(), ACCOUNT);
    expect(account.inputs.tags).to.deep.equal(blockTags(TAGS, "storage"));
    expect(account.inputs.tags).to.have.property("mlplatform-block", "storage");
  });

  it("parents every resource to the component", async () => {
    const regs = await build();
    const parent = component(regs, "mlplatform:azure:Storage").urn;
    for (const type of [ACCOUNT, BLOB_SERVICE, POLICY, CONTAINER]) {
      expect(single(regs, type).parent, type).to.equal(parent);
    }
  });
});
