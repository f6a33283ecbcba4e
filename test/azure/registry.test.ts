import { expect } from "chai";
import { AzureContainerRegistry } from "../../components/azure/registry";
import { NAME_RULES, physicalName } from "../../components/naming";
import { blockTags } from "../../components/tags";
import type { Tier } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, registered, single, unwrap } from "../harness";
import { AZURE_NAMES, PLACEMENT, SUFFIX, TAGS, azureOutputs, component } from "./fixtures";

const ACR = "azure-native:containerregistry:Registry";

describe("azure container registry", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({ outputs: azureOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(
    tier: Tier = "dev",
    nameParts: readonly string[] = PLACEMENT.nameParts,
  ): Promise<{ registry: AzureContainerRegistry; regs: Registration[] }> {
    const registry = new AzureContainerRegistry(`acr-${tier}`, {
      ...PLACEMENT,
      nameParts,
      tier,
      tags: TAGS,
      uniqueSuffix: SUFFIX,
    });
    return { registry, regs: await registered(rec) };
  }

  it("turns the admin user and anonymous pull off", async () => {
    for (const tier of ["dev", "prod"] as const) {
      rec.reset();
      const acr = single((await build(tier)).regs, ACR);
      expect(acr.inputs, tier).to.include({ adminUserEnabled: false, anonymousPullEnabled: false });
    }
  });

  it("is Premium with public network access disabled, protected and retained in prod", async () => {
    const acr = single((await build("prod")).regs, ACR);
    expect(acr.inputs.sku).to.deep.equal({ name: "Premium" });
    expect(acr.inputs).to.include({
      publicNetworkAccess: "Disabled",
      networkRuleBypassOptions: "AzureServices",
    });
    expect(acr.protect).to.equal(true);
    expect(acr.retainOnDelete).to.equal(true);
  });

  it("is Basic and reachable, neither protected nor retained in dev", async () => {
    const acr = single((await build("dev")).regs, ACR);
    expect(acr.inputs.sku).to.deep.equal({ name: "Basic" });
    expect(acr.inputs.publicNetworkAccess).to.equal("Enabled");
    expect(acr.protect).to.equal(false);
    expect(acr.retainOnDelete).to.equal(false);
  });

  it("names the registry from the project and stack with the stable suffix", async () => {
    const { registry, regs } = await build();
    const acr = single(regs, ACR);
    expect(acr.inputs.registryName).to.equal(`mlplatformtest${SUFFIX}`);
    expect(await unwrap(registry.registryUrl)).to.equal(`mlplatformtest${SUFFIX}.azurecr.io`);
  });

  it("keeps a long, odd project and stack name a valid registry name", async () => {
    const parts = [
      "ML.Platform_2024",
      "stack/with spaces--and-a-name-far-longer-than-fifty-characters",
    ];
    const name = single((await build("dev", parts)).regs, ACR).inputs.registryName as string;
    expect(name).to.match(AZURE_NAMES.containerRegistry);
    expect(name.endsWith(SUFFIX)).to.equal(true);
    expect(name).to.equal(physicalName(parts, NAME_RULES.azureContainerRegistry, SUFFIX));
  });

  it("is tagged with the registry block and parented to the component", async () => {
    const { regs } = await build();
    const acr = single(regs, ACR);
    expect(acr.inputs.tags).to.deep.equal(blockTags(TAGS, "registry"));
    expect(acr.inputs).to.include({
      resourceGroupName: PLACEMENT.resourceGroupName,
      location: PLACEMENT.location,
    });
    expect(acr.parent).to.equal(component(regs, "mlplatform:azure:ContainerRegistry").urn);
  });
});
