import { expect } from "chai";
import { isoDuration } from "../../components/azure/common";
import { AzureTrainingCluster, trainingComputeName } from "../../components/azure/training";
import { SIZE_NAMES, resolveInstance, unavailableReason } from "../../policies/catalog";
import { blockTags } from "../../components/tags";
import type { Tier, TrainingSpec } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, registered, single, unwrap } from "../harness";
import {
  AZURE_NAMES,
  COMPUTE_PRINCIPAL,
  PLACEMENT,
  SUBSCRIPTION,
  TAGS,
  azureOutputs,
  component,
} from "./fixtures";

const COMPUTE = "azure-native:machinelearningservices:Compute";
const ROLE = "azure-native:authorization:RoleAssignment";
const CONTAINER_ID =
  "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a/blobServices/default/containers/artifacts";
const TRAINING: TrainingSpec = {
  size: "cpu-4x16",
  minNodes: 0,
  maxNodes: 4,
  idleMinutes: 30,
  spot: true,
};

type AmlProperties = {
  vmSize: string;
  vmPriority: string;
  scaleSettings: Record<string, unknown>;
  enableNodePublicIp: boolean;
  remoteLoginPortPublicAccess: string;
};

function amlProperties(compute: Registration): AmlProperties {
  return (compute.inputs.properties as { properties: AmlProperties }).properties;
}

describe("azure training cluster", () => {
  let rec: Recorder;
  let count = 0;

  before(async () => {
    rec = await mockPulumi({ outputs: azureOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(
    training: Partial<TrainingSpec> = {},
    tier: Tier = "dev",
  ): Promise<{ cluster: AzureTrainingCluster; regs: Registration[] }> {
    count += 1;
    const cluster = new AzureTrainingCluster(`train-${count}`, {
      ...PLACEMENT,
      ...TRAINING,
      ...training,
      tier,
      tags: TAGS,
      workspaceName: "mlplatform-test",
      dataContainerId: CONTAINER_ID,
      subscriptionId: SUBSCRIPTION,
    });
    return { cluster, regs: await registered(rec) };
  }

  it("runs the catalog's training type for every size Azure offers", async () => {
    const sizes = SIZE_NAMES.filter(
      (size) => unavailableReason(size, "azure", "training") === undefined,
    );
    expect(sizes.length).to.be.greaterThan(3);
    for (const size of sizes) {
      rec.reset();
      const { cluster, regs } = await build({ size });
      const expected = resolveInstance(size, "azure", "training").instanceType;
      expect(amlProperties(single(regs, COMPUTE)).vmSize, size).to.equal(expected);
      expect(cluster.instanceType).to.equal(expected);
    }
  });

  it("refuses a size the catalog does not know, or that Azure has no type for", () => {
    const attempt = (size: string) => () =>
      new AzureTrainingCluster(`refused-${size}`, {
        ...PLACEMENT,
        ...TRAINING,
        size,
        tier: "dev",
        tags: TAGS,
        workspaceName: "w",
        dataContainerId: CONTAINER_ID,
        subscriptionId: SUBSCRIPTION,
      });
    expect(attempt("cpu-3x7")).to.throw(/cpu-3x7 is not a size the catalog knows/);
    for (const size of SIZE_NAMES.filter((s) => unavailableReason(s, "azure", "training"))) {
      expect(attempt(size)).to.throw(new RegExp(`${size} is not available for training on azure`));
    }
  });

  it("scales between the spec's node bounds and scales down after the idle time", async () => {
    const compute = single(
      (await build({ minNodes: 1, maxNodes: 12, idleMinutes: 90 })).regs,
      COMPUTE,
    );
    expect(amlProperties(compute).scaleSettings).to.deep.equal({
      minNodeCount: 1,
      maxNodeCount: 12,
      nodeIdleTimeBeforeScaleDown: "PT1H30M",
    });
  });

  it("keeps a minimum of zero nodes: an idle cluster costs nothing", async () => {
    const compute = single(
      (await build({ minNodes: 0, maxNodes: 4, idleMinutes: 30 })).regs,
      COMPUTE,
    );
    expect(amlProperties(compute).scaleSettings).to.deep.equal({
      minNodeCount: 0,
      maxNodeCount: 4,
      nodeIdleTimeBeforeScaleDown: "PT30M",
    });
  });

  it("writes idle times as ISO 8601 durations", () => {
    expect(isoDuration(1)).to.equal("PT1M");
    expect(isoDuration(20)).to.equal("PT20M");
    expect(isoDuration(60)).to.equal("PT1H");
    expect(isoDuration(125)).to.equal("PT2H5M");
    expect(isoDuration(1440)).to.equal("P1D");
    expect(isoDuration(1501)).to.equal("P1DT1H1M");
    expect(isoDuration(10080)).to.equal("P7D");
    expect(() => isoDuration(0)).to.throw(/whole minutes greater than 0/);
    expect(() => isoDuration(1.5)).to.throw(/whole minutes greater than 0/);
  });

  it("runs on low-priority capacity when spot, dedicated otherwise", async () => {
    expect(amlProperties(single((await build({ spot: true })).regs, COMPUTE)).vmPriority).to.equal(
      "LowPriority",
    );
    rec.reset();
    expect(amlProperties(single((await build({ spot: false })).regs, COMPUTE)).vmPriority).to.equal(
      "Dedicated",
    );
  });

  it("disables local auth and SSH and uses a system-assigned identity", async () => {
    const compute = single((await build()).regs, COMPUTE);
    expect(compute.inputs.identity).to.deep.equal({ type: "SystemAssigned" });
    expect(compute.inputs.properties).to.deep.include({
      computeType: "AmlCompute",
      disableLocalAuth: true,
      computeLocation: PLACEMENT.location,
    });
    expect(amlProperties(compute).remoteLoginPortPublicAccess).to.equal("Disabled");
    expect(compute.inputs).to.include({
      workspaceName: "mlplatform-test",
      resourceGroupName: PLACEMENT.resourceGroupName,
      location: PLACEMENT.location,
    });
  });

  it("gives nodes no public IP in prod, where the managed network holds them", async () => {
    expect(
      amlProperties(single((await build({}, "prod")).regs, COMPUTE)).enableNodePublicIp,
    ).to.equal(false);
    rec.reset();
    expect(
      amlProperties(single((await build({}, "dev")).regs, COMPUTE)).enableNodePublicIp,
    ).to.equal(true);
  });

  it("names the cluster from its size and priority, within Azure ML's compute name rules", async () => {
    const { cluster, regs } = await build({ size: "gpu-a100x8", spot: true });
    const name = single(regs, COMPUTE).inputs.computeName as string;
    expect(name).to.equal("gpu-a100x8-spot");
    expect(name).to.match(AZURE_NAMES.mlCompute);
    expect(await unwrap(cluster.clusterName)).to.equal(name);
  });

  it("names a spot and a dedicated cluster apart: Azure ML cannot change a cluster's priority", async () => {
    const spot = single((await build({ size: "cpu-4x16", spot: true })).regs, COMPUTE);
    rec.reset();
    const dedicated = single((await build({ size: "cpu-4x16", spot: false })).regs, COMPUTE);
    expect(spot.inputs.computeName).to.equal("cpu-4x16-spot");
    expect(dedicated.inputs.computeName).to.equal("cpu-4x16-ded");
  });

  it("fits every size and priority in the compute name without shortening it", () => {
    for (const size of SIZE_NAMES) {
      expect(trainingComputeName(size, true), size).to.equal(`${size}-spot`);
      expect(trainingComputeName(size, false), size).to.equal(`${size}-ded`);
      expect(trainingComputeName(size, true)).to.match(AZURE_NAMES.mlCompute);
      expect(trainingComputeName(size, false)).to.match(AZURE_NAMES.mlCompute);
    }
  });

  it("lets the cluster's identity read and write the platform container only", async () => {
    const regs = await build();
    const role = single(regs.regs, ROLE);
    expect(role.inputs).to.include({
      scope: CONTAINER_ID,
      principalId: COMPUTE_PRINCIPAL,
      principalType: "ServicePrincipal",
      roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
    });
  });

  it("tags the cluster with the training block and its canonical size", async () => {
    const compute = single((await build({ size: "cpu-16x64" })).regs, COMPUTE);
    expect(compute.inputs.tags).to.deep.equal(blockTags(TAGS, "training", "cpu-16x64"));
    expect(compute.inputs.tags).to.have.property("mlplatform-size", "cpu-16x64");
  });

  it("parents the cluster and its role assignment to the component", async () => {
    const { regs } = await build();
    const parent = component(regs, "mlplatform:azure:TrainingCluster").urn;
    expect(single(regs, COMPUTE).parent).to.equal(parent);
    expect(single(regs, ROLE).parent).to.equal(parent);
  });
});
