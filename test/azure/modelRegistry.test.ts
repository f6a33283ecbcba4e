import { expect } from "chai";
import { AzureModelRegistry } from "../../components/azure/modelRegistry";
import { blockTags } from "../../components/tags";
import type { Tier } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, ofType, registered, single } from "../harness";
import { AZURE_NAMES, PLACEMENT, SUFFIX, TAGS, azureOutputs, component } from "./fixtures";

const REGISTRY = "azure-native:machinelearningservices:Registry";
const MODEL = "azure-native:machinelearningservices:RegistryModelContainer";

describe("azure model registry", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({ outputs: azureOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(
    tier: Tier = "dev",
    modelNames: string[] = ["iris", "churn"],
    nameParts: readonly string[] = PLACEMENT.nameParts,
  ): Promise<Registration[]> {
    new AzureModelRegistry(`models-${tier}`, {
      ...PLACEMENT,
      nameParts,
      tier,
      tags: TAGS,
      modelNames,
      uniqueSuffix: SUFFIX,
    });
    return registered(rec);
  }

  it("is an Azure ML registry in the platform's region with a system identity", async () => {
    const registry = single(await build(), REGISTRY);
    expect(registry.inputs).to.deep.include({
      registryName: `mlplatform-test-${SUFFIX}`,
      identity: { type: "SystemAssigned" },
      location: PLACEMENT.location,
      resourceGroupName: PLACEMENT.resourceGroupName,
      publicNetworkAccess: "Enabled",
    });
    expect(registry.inputs.registryName).to.match(AZURE_NAMES.mlRegistry);
    expect(registry.inputs.regionDetails).to.deep.equal([
      {
        location: PLACEMENT.location,
        storageAccountDetails: [
          {
            systemCreatedStorageAccount: {
              storageAccountType: "Standard_LRS",
              storageAccountHnsEnabled: false,
              allowBlobPublicAccess: false,
            },
          },
        ],
        acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: "Premium" } }],
      },
    ]);
  });

  it("is zone-redundant, protected and retained in prod", async () => {
    const registry = single(await build("prod"), REGISTRY);
    const region = (registry.inputs.regionDetails as Record<string, unknown>[])[0];
    expect(region.storageAccountDetails).to.deep.equal([
      {
        systemCreatedStorageAccount: {
          storageAccountType: "Standard_ZRS",
          storageAccountHnsEnabled: false,
          allowBlobPublicAccess: false,
        },
      },
    ]);
    expect(registry.protect).to.equal(true);
    expect(registry.retainOnDelete).to.equal(true);
  });

  it("keeps public network access on in every tier: no private endpoint reaches it", async () => {
    for (const tier of ["dev", "prod"] as const) {
      rec.reset();
      const registry = single(await build(tier), REGISTRY);
      expect(registry.inputs.publicNetworkAccess, tier).to.equal("Enabled");
    }
  });

  it("is neither protected nor retained in dev", async () => {
    const registry = single(await build("dev"), REGISTRY);
    expect(registry.protect).to.equal(false);
    expect(registry.retainOnDelete).to.equal(false);
  });

  it("holds one model container per endpoint model, in the registry", async () => {
    const regs = await build("dev", ["iris", "churn", "fraud-score"]);
    const models = ofType(regs, MODEL);
    expect(models.map((m) => m.inputs.modelName)).to.deep.equal(["iris", "churn", "fraud-score"]);
    for (const model of models) {
      expect(model.inputs).to.include({
        registryName: `mlplatform-test-${SUFFIX}`,
        resourceGroupName: PLACEMENT.resourceGroupName,
      });
      expect((model.inputs.properties as { tags: unknown }).tags).to.deep.equal(
        blockTags(TAGS, "model-registry"),
      );
    }
  });

  it("protects and retains the model containers in prod only, like the registry", async () => {
    const prod = ofType(await build("prod", ["iris", "churn"]), MODEL);
    expect(prod).to.have.length(2);
    for (const model of prod) {
      expect(model.protect, model.name).to.equal(true);
      expect(model.retainOnDelete, model.name).to.equal(true);
    }
    rec.reset();
    const dev = ofType(await build("dev", ["iris", "churn"]), MODEL);
    expect(dev).to.have.length(2);
    for (const model of dev) {
      expect(model.protect, model.name).to.equal(false);
      expect(model.retainOnDelete, model.name).to.equal(false);
    }
  });

  it("keeps a long, odd project and stack name a valid registry name", async () => {
    const parts = ["Big.Corp_ML Platform", "prod/us-east-2/with-a-rather-long-team-name"];
    const name = single(await build("dev", ["iris"], parts), REGISTRY).inputs
      .registryName as string;
    expect(name).to.match(AZURE_NAMES.mlRegistry);
    expect(name.endsWith(`-${SUFFIX}`)).to.equal(true);
  });

  it("is tagged with the model-registry block and parented to the component", async () => {
    const regs = await build();
    const registry = single(regs, REGISTRY);
    expect(registry.inputs.tags).to.deep.equal(blockTags(TAGS, "model-registry"));
    const parent = component(regs, "mlplatform:azure:ModelRegistry").urn;
    for (const child of regs.filter((r) => r.custom)) {
      expect(child.parent, child.name).to.equal(parent);
    }
  });
});
