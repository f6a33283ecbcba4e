import { expect } from "chai";
import fc from "fast-check";
import { AzurePlatform } from "../../components/azure";
import { resolveInstance } from "../../policies/catalog";
import { NAME_RULES, physicalName } from "../../components/naming";
import { type PlatformSpec, TAG } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { AZURE_PLACEHOLDERS } from "../../engine/placeholders/azure";
import {
  type Registration,
  mockPulumi,
  ofType,
  registered,
  single,
  specWith,
  unwrap,
} from "../harness";
import {
  AZURE_NAMES,
  CLIENT_CONFIG,
  ENDPOINT_PRINCIPAL,
  RESOURCE_GROUP,
  SUBSCRIPTION,
  SUFFIX,
  azureOutputs,
  component,
} from "./fixtures";

/** The Azure resource types that take tags, and the property they take them in. */
const TAGGED_TYPES = [
  "azure-native:resources:ResourceGroup",
  "azure-native:storage:StorageAccount",
  "azure-native:keyvault:Vault",
  "azure-native:containerregistry:Registry",
  "azure-native:operationalinsights:Workspace",
  "azure-native:applicationinsights:Component",
  "azure-native:machinelearningservices:Workspace",
  "azure-native:machinelearningservices:Registry",
  "azure-native:machinelearningservices:Compute",
  "azure-native:machinelearningservices:OnlineEndpoint",
  "azure-native:machinelearningservices:OnlineDeployment",
  "azure-native:resources:Deployment",
  "azure-native:monitor:AutoscaleSetting",
  "azure-native:network:VirtualNetwork",
  "azure-native:network:PrivateEndpoint",
  "azure-native:privatedns:PrivateZone",
  "azure-native:privatedns:VirtualNetworkLink",
];
/** Types whose tags live in their `properties` (Azure ML assets and datastores). */
const PROPERTY_TAGGED_TYPES = [
  "azure-native:machinelearningservices:Datastore",
  "azure-native:machinelearningservices:RegistryModelContainer",
  "azure-native:machinelearningservices:ModelVersion",
  "azure-native:machinelearningservices:CodeVersion",
  "azure-native:machinelearningservices:EnvironmentVersion",
];
/** Types Azure gives no tags: sub-resources of the storage account and role assignments. */
const UNTAGGABLE_TYPES = [
  "azure-native:storage:BlobServiceProperties",
  "azure-native:storage:ManagementPolicy",
  "azure-native:storage:BlobContainer",
  "azure-native:storage:Blob",
  "azure-native:authorization:RoleAssignment",
  "random:index/randomString:RandomString",
  "pulumi-nodejs:dynamic/azure:ManagedNetworkProvisioning",
  "azure-native:network:PrivateDnsZoneGroup",
];
/** The stateful resources a prod platform protects and retains on delete. */
const STATEFUL_TYPES = [
  "azure-native:resources:ResourceGroup",
  "azure-native:storage:StorageAccount",
  "azure-native:storage:BlobContainer",
  "azure-native:keyvault:Vault",
  "azure-native:containerregistry:Registry",
  "azure-native:machinelearningservices:Workspace",
  "azure-native:machinelearningservices:Registry",
  "azure-native:machinelearningservices:RegistryModelContainer",
];

const TWO_ENDPOINTS = [
  { name: "iris", size: "cpu-2x8", minReplicas: 2, maxReplicas: 4 },
  { name: "churn", size: "cpu-8x32", minReplicas: 3, maxReplicas: 10 },
];

function azureSpec(overrides: Record<string, unknown> = {}): PlatformSpec {
  return specWith({ "mlplatform:clouds": ["azure"], ...overrides });
}

describe("azure platform", () => {
  let rec: Recorder;
  let count = 0;

  before(async () => {
    rec = await mockPulumi({ outputs: azureOutputs, calls: CLIENT_CONFIG });
  });
  beforeEach(() => rec.reset());

  async function build(
    spec: PlatformSpec,
  ): Promise<{ platform: AzurePlatform; regs: Registration[] }> {
    count += 1;
    const platform = new AzurePlatform(`azure${count}`, { spec });
    return { platform, regs: await registered(rec) };
  }

  it("composes every block once, and one endpoint per spec endpoint", async () => {
    const { regs } = await build(azureSpec({ "mlplatform:endpoints": TWO_ENDPOINTS }));
    const platform = component(regs, "mlplatform:azure:Platform");
    for (const type of [
      "mlplatform:azure:Storage",
      "mlplatform:azure:ContainerRegistry",
      "mlplatform:azure:Workspace",
      "mlplatform:azure:TrainingCluster",
      "mlplatform:azure:ModelRegistry",
    ]) {
      expect(component(regs, type).parent, type).to.equal(platform.urn);
    }
    const endpoints = ofType(regs, "mlplatform:azure:OnlineEndpoint");
    expect(endpoints.map((e) => e.name)).to.deep.equal([
      `azure${count}-endpoint-iris`,
      `azure${count}-endpoint-churn`,
    ]);
    expect(endpoints.every((e) => e.parent === platform.urn)).to.equal(true);
    expect(
      ofType(regs, "azure-native:machinelearningservices:RegistryModelContainer").map(
        (m) => m.inputs.modelName,
      ),
    ).to.deep.equal(["iris", "churn"]);
  });

  it("puts everything in one tagged resource group named from the project and stack", async () => {
    const { regs } = await build(azureSpec());
    const group = single(regs, "azure-native:resources:ResourceGroup");
    expect(group.inputs).to.deep.include({
      resourceGroupName: "mlplatform-test",
      location: "eastus",
      tags: {
        owner: "ml-platform",
        "cost-center": "cc-1234",
        [TAG.stack]: "test",
        [TAG.tier]: "dev",
        [TAG.block]: "workspace",
      },
    });
    const located = regs.filter((r) => r.custom && r.inputs.resourceGroupName !== undefined);
    expect(located.length).to.be.greaterThan(20);
    for (const resource of located) {
      expect(resource.inputs.resourceGroupName, resource.name).to.equal("mlplatform-test");
    }
  });

  it("draws one stable random suffix, of lowercase letters and digits", async () => {
    const { regs } = await build(azureSpec());
    const suffix = single(regs, "random:index/randomString:RandomString");
    expect(suffix.inputs).to.include({
      length: 6,
      lower: true,
      upper: false,
      numeric: true,
      special: false,
    });
    expect(single(regs, "azure-native:storage:StorageAccount").inputs.accountName).to.equal(
      `mlplatformtest${SUFFIX}`,
    );
  });

  it("asks for the client config once and uses its subscription and tenant", async () => {
    const { regs } = await build(azureSpec());
    expect(rec.calls.map((c) => c.token)).to.deep.equal([
      "azure-native:authorization:getClientConfig",
    ]);
    expect(single(regs, "azure-native:keyvault:Vault").inputs.properties).to.deep.include({
      tenantId: CLIENT_CONFIG["azure-native:authorization:getClientConfig"]().tenantId,
    });
    for (const role of ofType(regs, "azure-native:authorization:RoleAssignment")) {
      expect(role.inputs.roleDefinitionId as string).to.match(
        new RegExp(
          `^/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/`,
        ),
      );
    }
  });

  it("has an offline-plan answer for every data-source call it makes", () => {
    const calls: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> =
      CLIENT_CONFIG;
    for (const [token, answer] of Object.entries(calls)) {
      expect(AZURE_PLACEHOLDERS, token).to.have.property(token);
      expect(Object.keys(AZURE_PLACEHOLDERS[token]({})).sort()).to.deep.equal(
        Object.keys(answer({})).sort(),
      );
    }
  });

  it("sizes training and endpoints from the spec through the catalog", async () => {
    const spec = azureSpec({
      "mlplatform:training": {
        size: "gpu-t4x1",
        minNodes: 1,
        maxNodes: 3,
        idleMinutes: 45,
        spot: false,
      },
      "mlplatform:endpoints": TWO_ENDPOINTS,
    });
    const { regs } = await build(spec);
    const compute = single(regs, "azure-native:machinelearningservices:Compute");
    expect((compute.inputs.properties as { properties: unknown }).properties).to.deep.include({
      vmSize: resolveInstance("gpu-t4x1", "azure", "training").instanceType,
      vmPriority: "Dedicated",
      scaleSettings: { minNodeCount: 1, maxNodeCount: 3, nodeIdleTimeBeforeScaleDown: "PT45M" },
    });
    const deployments = ofType(regs, "azure-native:machinelearningservices:OnlineDeployment");
    expect(
      deployments.map((d) => (d.inputs.properties as { instanceType: string }).instanceType),
    ).to.deep.equal([
      resolveInstance("cpu-2x8", "azure", "hosting").instanceType,
      resolveInstance("cpu-8x32", "azure", "hosting").instanceType,
    ]);
    expect(deployments.map((d) => d.inputs.sku)).to.deep.equal([
      { name: "Default", capacity: 2 },
      { name: "Default", capacity: 3 },
    ]);
    const capacities = ofType(regs, "azure-native:monitor:AutoscaleSetting").map(
      (a) => (a.inputs.profiles as { capacity: unknown }[])[0].capacity,
    );
    expect(capacities).to.deep.equal([
      { minimum: "2", maximum: "4", default: "2" },
      { minimum: "3", maximum: "10", default: "3" },
    ]);
  });

  it("gives each team member the data-scientist role, and the cluster its data access", async () => {
    const { regs } = await build(azureSpec());
    const roles = ofType(regs, "azure-native:authorization:RoleAssignment");
    expect(roles.map((r) => r.inputs.principalId).sort()).to.deep.equal([
      "11111111-2222-3333-4444-555555555555",
      "11111111-2222-3333-4444-555555555555",
      "55555555-0000-0000-0000-666666666666",
      ENDPOINT_PRINCIPAL,
    ]);
  });

  it("in prod, deploys each endpoint only after the managed network is provisioned", async () => {
    const { regs } = await build(
      azureSpec({ "mlplatform:tier": "prod", "mlplatform:endpoints": TWO_ENDPOINTS }),
    );
    expect(rec.calls.map((c) => c.token).sort()).to.deep.equal([
      "azure-native:authorization:getClientConfig",
      "azure-native:authorization:getClientToken",
    ]);
    const network = single(regs, "pulumi-nodejs:dynamic/azure:ManagedNetworkProvisioning");
    const deployments = ofType(regs, "azure-native:machinelearningservices:OnlineDeployment");
    expect(deployments).to.have.length(2);
    for (const deployment of deployments) {
      expect(deployment.dependencies, deployment.name).to.include(network.urn);
    }
    const registry = single(regs, "azure-native:machinelearningservices:Registry");
    const workspace = single(regs, "azure-native:machinelearningservices:Workspace");
    const rules = (workspace.inputs.managedNetwork as { outboundRules: Record<string, unknown> })
      .outboundRules;
    expect(JSON.stringify(rules)).to.include(`${registry.name}-id`);
  });

  it("protects the resource group in prod: deleting it would delete what is retained in it", async () => {
    const { regs } = await build(azureSpec({ "mlplatform:tier": "prod" }));
    const group = single(regs, "azure-native:resources:ResourceGroup");
    expect(group.protect).to.equal(true);
    expect(group.retainOnDelete).to.equal(true);
  });

  it("tags every resource that takes tags with the stack, tier and block", async () => {
    const { regs } = await build(
      azureSpec({ "mlplatform:tier": "prod", "mlplatform:endpoints": TWO_ENDPOINTS }),
    );
    const custom = regs.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    for (const resource of custom) {
      const known = [...TAGGED_TYPES, ...PROPERTY_TAGGED_TYPES, ...UNTAGGABLE_TYPES];
      expect(known, `${resource.type} is tagged or known to take no tags`).to.include(
        resource.type,
      );
      if (UNTAGGABLE_TYPES.includes(resource.type)) continue;
      const tags = (
        TAGGED_TYPES.includes(resource.type)
          ? resource.inputs.tags
          : (resource.inputs.properties as { tags: unknown }).tags
      ) as Record<string, string>;
      expect(tags, resource.name).to.include({
        [TAG.stack]: "test",
        [TAG.tier]: "prod",
        owner: "ml-platform",
      });
      expect(tags[TAG.block], resource.name).to.be.a("string");
    }
    const compute = single(regs, "azure-native:machinelearningservices:Compute");
    expect(compute.inputs.tags).to.include({ [TAG.block]: "training", [TAG.size]: "cpu-4x16" });
    const sizes = ofType(regs, "azure-native:machinelearningservices:OnlineDeployment").map(
      (d) => (d.inputs.tags as Record<string, string>)[TAG.size],
    );
    expect(sizes).to.deep.equal(["cpu-2x8", "cpu-8x32"]);
  });

  it("protects and retains the stateful resources in prod only", async () => {
    const prod = (await build(azureSpec({ "mlplatform:tier": "prod" }))).regs;
    for (const type of STATEFUL_TYPES) {
      expect(single(prod, type).protect, type).to.equal(true);
      expect(single(prod, type).retainOnDelete, type).to.equal(true);
    }
    expect(
      prod
        .filter((r) => r.protect)
        .map((r) => r.type)
        .sort(),
    ).to.deep.equal([...STATEFUL_TYPES].sort());
    rec.reset();
    const dev = (await build(azureSpec({ "mlplatform:tier": "dev" }))).regs;
    expect(dev.filter((r) => r.protect || r.retainOnDelete)).to.have.length(0);
  });

  it("exposes the platform outputs", async () => {
    const { platform } = await build(azureSpec());
    expect(await unwrap(platform.workspaceName)).to.equal(`mlplatform-test-${SUFFIX}`);
    expect(await unwrap(platform.trainingClusterName)).to.equal("cpu-4x16-spot");
    expect(await unwrap(platform.storageName)).to.equal(`mlplatformtest${SUFFIX}`);
    expect(await unwrap(platform.containerRegistryUrl)).to.equal(
      `mlplatformtest${SUFFIX}.azurecr.io`,
    );
    expect(await unwrap(platform.modelRegistryName)).to.equal(`mlplatform-test-${SUFFIX}`);
    expect(Object.keys(platform.endpoints)).to.deep.equal(["iris"]);
    expect(await unwrap(platform.endpoints.iris)).to.equal(
      `https://iris-${SUFFIX}.eastus.inference.ml.azure.com/score`,
    );
  });

  it("exports what a caller needs to invoke and price each endpoint, with its ARM id", async () => {
    const { platform } = await build(azureSpec({ "mlplatform:endpoints": TWO_ENDPOINTS }));
    const row = resolveInstance("cpu-8x32", "azure", "hosting");
    const workspace = await unwrap(platform.workspaceName);
    expect(await unwrap(platform.endpointDetails.churn)).to.deep.equal({
      cloud: "azure",
      region: "eastus",
      endpointName: `churn-${SUFFIX}`,
      scoringUrl: `https://churn-${SUFFIX}.eastus.inference.ml.azure.com/score`,
      auth: "key",
      size: "cpu-8x32",
      instanceType: row.instanceType,
      hourlyUsd: row.hourlyUsd,
      priceRegion: row.region,
      minReplicas: 3,
      maxReplicas: 10,
      resourceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.MachineLearningServices/workspaces/${workspace}/onlineEndpoints/churn-${SUFFIX}`,
    });
  });

  it("refuses a spec without an Azure location", () => {
    const spec = { ...azureSpec(), azure: undefined };
    expect(() => new AzurePlatform("no-location", { spec })).to.throw(
      /azure-native:location is required/,
    );
  });

  it("gives valid Azure names for any project and stack name", async () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_.\- /]{1,80}$/);
    await fc.assert(
      fc.asyncProperty(word, word, async (project, stack) => {
        rec.reset();
        const { regs } = await build({ ...azureSpec(), project, stack });
        const input = (type: string, key: string) => single(regs, type).inputs[key] as string;
        expect(input("azure-native:resources:ResourceGroup", "resourceGroupName")).to.match(
          AZURE_NAMES.resourceGroup,
        );
        expect(input("azure-native:resources:ResourceGroup", "resourceGroupName")).to.equal(
          physicalName([project, stack], NAME_RULES.azureResourceGroup),
        );
        expect(input("azure-native:storage:StorageAccount", "accountName")).to.match(
          AZURE_NAMES.storageAccount,
        );
        expect(input("azure-native:keyvault:Vault", "vaultName")).to.match(AZURE_NAMES.keyVault);
        expect(input("azure-native:containerregistry:Registry", "registryName")).to.match(
          AZURE_NAMES.containerRegistry,
        );
        expect(input("azure-native:machinelearningservices:Workspace", "workspaceName")).to.match(
          AZURE_NAMES.mlWorkspace,
        );
        expect(input("azure-native:machinelearningservices:Registry", "registryName")).to.match(
          AZURE_NAMES.mlRegistry,
        );
        expect(input("azure-native:operationalinsights:Workspace", "workspaceName")).to.match(
          AZURE_NAMES.logAnalytics,
        );
        expect(input("azure-native:machinelearningservices:Compute", "computeName")).to.match(
          AZURE_NAMES.mlCompute,
        );
        expect(
          input("azure-native:machinelearningservices:OnlineEndpoint", "endpointName"),
        ).to.match(AZURE_NAMES.mlEndpoint);
      }),
      { numRuns: 15 },
    );
  });
});
