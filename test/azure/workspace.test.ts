import { expect } from "chai";
import {
  AzureWorkspace,
  type AzureWorkspaceArgs,
  MODEL_DATASTORE_NAME,
  PROD_ISOLATION_MODE,
  REGISTRY_OUTBOUND_RULE,
  teamPrincipals,
} from "../../components/azure/workspace";
import { blockTags } from "../../components/tags";
import type { TeamSpec, Tier } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { parsePlatformSpec } from "../../components/spec";
import { BASE_CONFIG, type Registration, mockPulumi, ofType, registered, single } from "../harness";
import {
  ARM_TOKEN,
  AZURE_NAMES,
  PLACEMENT,
  SUBSCRIPTION,
  SUFFIX,
  TAGS,
  TENANT,
  azureOutputs,
  component,
} from "./fixtures";
import { type MonitorLog, watchMonitor } from "../gcp/fixtures";

const VAULT = "azure-native:keyvault:Vault";
const LOGS = "azure-native:operationalinsights:Workspace";
const INSIGHTS = "azure-native:applicationinsights:Component";
const WORKSPACE = "azure-native:machinelearningservices:Workspace";
const DATASTORE = "azure-native:machinelearningservices:Datastore";
const ROLE = "azure-native:authorization:RoleAssignment";
const NETWORK = "pulumi-nodejs:dynamic/azure:ManagedNetworkProvisioning";
const CONTAINER_ID =
  "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a/blobServices/default/containers/artifacts";
const ML_REGISTRY_ID =
  "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/registries/m";
const BLOB_DATA_CONTRIBUTOR = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`;

const STORAGE_ID =
  "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a";
const ACR_ID =
  "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/r";
const DATA_SCIENTIST = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/f6c7c914-8db3-469d-8ca1-694a8f32e121`;

const TEAMS: TeamSpec[] = [
  {
    name: "fraud",
    members: [
      { name: "alice", azurePrincipalId: "00000000-0000-0000-0000-0000000a11ce" },
      { name: "bob", azurePrincipalId: "00000000-0000-0000-0000-000000000b0b" },
    ],
  },
  {
    name: "search",
    members: [{ name: "carol", azurePrincipalId: "00000000-0000-0000-0000-0000000ca401" }],
  },
];

describe("azure workspace", () => {
  let rec: Recorder;
  let log: MonitorLog;

  before(async () => {
    rec = await mockPulumi({ outputs: azureOutputs });
    log = watchMonitor();
  });
  beforeEach(() => rec.reset());

  /** The block's args for `tier`, with the wiring the platform would pass. */
  function workspaceArgs(
    tier: Tier,
    teams: TeamSpec[] = TEAMS,
    nameParts: readonly string[] = PLACEMENT.nameParts,
  ): AzureWorkspaceArgs {
    return {
      ...PLACEMENT,
      nameParts,
      tier,
      tags: TAGS,
      teams,
      uniqueSuffix: SUFFIX,
      tenantId: TENANT,
      subscriptionId: SUBSCRIPTION,
      storageAccountId: STORAGE_ID,
      storageAccountName: "mlplatformtestx7k2p9",
      dataContainerName: "artifacts",
      containerRegistryId: ACR_ID,
      dataContainerId: CONTAINER_ID,
      modelRegistryId: ML_REGISTRY_ID,
      armAccessToken: tier === "prod" ? ARM_TOKEN : undefined,
    };
  }

  async function build(
    tier: Tier = "dev",
    teams: TeamSpec[] = TEAMS,
    nameParts: readonly string[] = PLACEMENT.nameParts,
  ): Promise<Registration[]> {
    new AzureWorkspace(`ws-${tier}`, workspaceArgs(tier, teams, nameParts));
    return registered(rec);
  }

  it("has a key vault with RBAC authorization, soft delete and purge protection", async () => {
    const vault = single(await build(), VAULT);
    expect(vault.inputs.properties).to.deep.include({
      tenantId: TENANT,
      sku: { family: "A", name: "standard" },
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 7,
      enablePurgeProtection: true,
      publicNetworkAccess: "Enabled",
    });
    expect(vault.inputs.vaultName).to.equal(`mlplatform-test-${SUFFIX}`);
    expect(vault.inputs.vaultName).to.match(AZURE_NAMES.keyVault);
  });

  it("closes the key vault to public networks and protects it in prod", async () => {
    const vault = single(await build("prod"), VAULT);
    expect(vault.inputs.properties).to.deep.include({
      softDeleteRetentionInDays: 90,
      publicNetworkAccess: "Disabled",
      networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
    });
    expect(vault.protect).to.equal(true);
    expect(vault.retainOnDelete).to.equal(true);
  });

  it("has a workspace-based Application Insights on its own Log Analytics workspace", async () => {
    const regs = await build("prod");
    const logs = single(regs, LOGS);
    const insights = single(regs, INSIGHTS);
    expect(logs.inputs).to.deep.include({
      workspaceName: "mlplatform-test-logs",
      sku: { name: "PerGB2018" },
      retentionInDays: 90,
    });
    expect(logs.inputs.workspaceName).to.match(AZURE_NAMES.logAnalytics);
    expect(insights.inputs).to.include({
      kind: "web",
      applicationType: "web",
      ingestionMode: "LogAnalytics",
      workspaceResourceId: `${logs.name}-id`,
    });
  });

  it("binds the workspace to its storage, key vault, insights and registry with a system identity", async () => {
    const regs = await build();
    const workspace = single(regs, WORKSPACE);
    expect(workspace.inputs).to.deep.include({
      workspaceName: `mlplatform-test-${SUFFIX}`,
      identity: { type: "SystemAssigned" },
      storageAccount: STORAGE_ID,
      keyVault: `${single(regs, VAULT).name}-id`,
      applicationInsights: `${single(regs, INSIGHTS).name}-id`,
      containerRegistry: ACR_ID,
      resourceGroupName: PLACEMENT.resourceGroupName,
      location: PLACEMENT.location,
    });
    expect(workspace.inputs.workspaceName).to.match(AZURE_NAMES.mlWorkspace);
  });

  it("disables public access and isolates the managed network in prod", async () => {
    const workspace = single(await build("prod"), WORKSPACE);
    expect(PROD_ISOLATION_MODE).to.equal("AllowOnlyApprovedOutbound");
    expect(workspace.inputs.publicNetworkAccess).to.equal("Disabled");
    expect(workspace.inputs.managedNetwork).to.deep.include({
      isolationMode: "AllowOnlyApprovedOutbound",
    });
    expect(workspace.protect).to.equal(true);
    expect(workspace.retainOnDelete).to.equal(true);
  });

  it("keeps its name in prod and draws a new one with each dev stack", async () => {
    expect(single(await build("prod"), WORKSPACE).inputs.workspaceName).to.equal("mlplatform-test");
    rec.reset();
    const dev = single(await build("dev"), WORKSPACE).inputs.workspaceName as string;
    expect(dev).to.equal(`mlplatform-test-${SUFFIX}`);
    expect(dev).to.match(AZURE_NAMES.mlWorkspace);
  });

  it("provisions the prod managed network with the deployer's token before any deployment", async () => {
    const regs = await build("prod");
    const workspace = single(regs, WORKSPACE);
    const network = single(regs, NETWORK);
    expect(network.inputs.workspaceId).to.equal(`${workspace.name}-id`);
    expect(network.inputs.armEndpoint).to.equal("https://management.azure.com");
    expect(JSON.stringify(network.inputs.accessToken)).to.include(
      "1b47061264138c4ac30d75fd1eb44270",
    );
    expect(network.dependencies).to.include(workspace.urn);
    // The network is provisioned explicitly, once, rather than by a preview flag as well.
    expect(workspace.inputs).to.not.have.property("provisionNetworkNow");
  });

  it("lets team members in to the private prod workspace through a private endpoint", async () => {
    const regs = await build("prod");
    const workspace = single(regs, WORKSPACE);
    const vnet = single(regs, "azure-native:network:VirtualNetwork");
    const endpoint = single(regs, "azure-native:network:PrivateEndpoint");
    expect(endpoint.inputs.privateLinkServiceConnections).to.deep.equal([
      {
        name: "workspace",
        privateLinkServiceId: `${workspace.name}-id`,
        groupIds: ["amlworkspace"],
      },
    ]);
    expect(endpoint.inputs.subnet).to.deep.include({
      id: `${vnet.name}-id/subnets/private-endpoints`,
    });
    const zones = ofType(regs, "azure-native:privatedns:PrivateZone");
    expect(zones.map((z) => z.inputs.privateZoneName)).to.deep.equal([
      "privatelink.api.azureml.ms",
      "privatelink.notebooks.azure.net",
    ]);
    const links = ofType(regs, "azure-native:privatedns:VirtualNetworkLink");
    expect(links.map((l) => l.inputs.virtualNetwork)).to.deep.equal([
      { id: `${vnet.name}-id` },
      { id: `${vnet.name}-id` },
    ]);
    const group = single(regs, "azure-native:network:PrivateDnsZoneGroup");
    expect(group.inputs.privateDnsZoneConfigs).to.deep.equal(
      zones.map((z) => ({
        name: (z.inputs.privateZoneName as string).replace(/\./g, "-"),
        privateDnsZoneId: `${z.name}-id`,
      })),
    );
    rec.reset();
    const dev = await build("dev");
    expect(dev.filter((r) => r.type.startsWith("azure-native:network:"))).to.have.length(0);
  });

  it("reaches the ML registry from the prod managed network through a private endpoint", async () => {
    const workspace = single(await build("prod"), WORKSPACE);
    const rules = (workspace.inputs.managedNetwork as { outboundRules: Record<string, unknown> })
      .outboundRules;
    expect(rules[REGISTRY_OUTBOUND_RULE]).to.deep.equal({
      type: "PrivateEndpoint",
      category: "UserDefined",
      destination: {
        serviceResourceId: ML_REGISTRY_ID,
        subresourceTarget: "amlregistry",
        sparkEnabled: false,
      },
    });
  });

  it("declares the managed network as its own input too, where the cost model reads it rule by rule", async () => {
    const registrations = await build("prod");
    const block = single(registrations, "mlplatform:azure:Workspace");
    const workspace = single(registrations, WORKSPACE);
    const own = workspace.inputs.managedNetwork as {
      isolationMode: string;
      firewallSku: string;
      outboundRules: Record<string, { type: string; category: string }>;
    };
    expect(block.inputs.managedNetwork).to.deep.equal({
      isolationMode: own.isolationMode,
      firewallSku: own.firewallSku,
      outboundRules: Object.fromEntries(
        Object.entries(own.outboundRules).map(([rule, r]) => [
          rule,
          { type: r.type, category: r.category },
        ]),
      ),
    });
    // No destination, so the block does not wait for the ML registry it names.
    expect(JSON.stringify(block.inputs)).not.to.contain("registries");
    // Where a stack export records the component's outputs, the gate reads those instead.
    expect(log.outputs.get(block.urn)?.managedNetwork).to.deep.equal(block.inputs.managedNetwork);
    rec.reset();
    const dev = single(await build("dev"), "mlplatform:azure:Workspace");
    expect(dev.inputs).to.deep.equal({ managedNetwork: { isolationMode: "Disabled" } });
  });

  it("lets the prod image build reach the package hosts, through a Basic firewall", async () => {
    const workspace = single(await build("prod"), WORKSPACE);
    const managed = workspace.inputs.managedNetwork as {
      firewallSku: string;
      outboundRules: Record<string, { type: string; destination: unknown }>;
    };
    expect(managed.firewallSku).to.equal("Basic");
    const fqdn = Object.entries(managed.outboundRules).filter(([, r]) => r.type === "FQDN");
    expect(Object.fromEntries(fqdn.map(([key, r]) => [key, r.destination]))).to.deep.equal({
      "packages-anaconda-org": "*.anaconda.org",
      "packages-pypi-org": "pypi.org",
      "packages-pythonhosted-org": "*.pythonhosted.org",
    });
  });

  it("refuses a prod workspace without a token to provision its managed network", () => {
    expect(
      () =>
        new AzureWorkspace("no-token", {
          ...workspaceArgs("prod", []),
          armAccessToken: undefined,
        }),
    ).to.throw(/armAccessToken/);
  });

  it("is reachable without a managed network in dev", async () => {
    const regs = await build("dev");
    const workspace = single(regs, WORKSPACE);
    expect(workspace.inputs.publicNetworkAccess).to.equal("Enabled");
    expect(workspace.inputs.managedNetwork).to.deep.include({ isolationMode: "Disabled" });
    expect(workspace.inputs.managedNetwork).to.not.have.property("outboundRules");
    expect(regs.filter((r) => r.type === NETWORK)).to.have.length(0);
    expect(workspace.protect).to.equal(false);
  });

  it("registers the storage block's container as an identity-based datastore", async () => {
    const datastore = single(await build(), DATASTORE);
    expect(datastore.inputs).to.deep.include({
      workspaceName: `mlplatform-test-${SUFFIX}`,
      name: MODEL_DATASTORE_NAME,
    });
    expect(datastore.inputs.properties).to.deep.include({
      datastoreType: "AzureBlob",
      accountName: "mlplatformtestx7k2p9",
      containerName: "artifacts",
      credentials: { credentialsType: "None" },
      serviceDataAccessAuthIdentity: "WorkspaceSystemAssignedIdentity",
    });
  });

  it("gives every team member the AzureML Data Scientist role on the workspace", async () => {
    const regs = await build();
    const roles = ofType(regs, ROLE).filter((r) => r.inputs.roleDefinitionId === DATA_SCIENTIST);
    const workspaceId = `${single(regs, WORKSPACE).name}-id`;
    expect(roles.map((r) => r.name).sort()).to.deep.equal([
      "ws-dev-alice",
      "ws-dev-bob",
      "ws-dev-carol",
    ]);
    expect(roles.map((r) => r.inputs.principalId).sort()).to.deep.equal([
      "00000000-0000-0000-0000-000000000b0b",
      "00000000-0000-0000-0000-0000000a11ce",
      "00000000-0000-0000-0000-0000000ca401",
    ]);
    for (const role of roles) {
      expect(role.inputs).to.include({
        scope: workspaceId,
        roleDefinitionId: DATA_SCIENTIST,
        principalType: "User",
      });
    }
  });

  it("gives every team member data access on the identity-based datastore's container", async () => {
    const regs = await build("prod");
    const roles = ofType(regs, ROLE).filter((r) => r.inputs.scope === CONTAINER_ID);
    expect(roles.map((r) => r.name).sort()).to.deep.equal([
      "ws-prod-alice_data",
      "ws-prod-bob_data",
      "ws-prod-carol_data",
    ]);
    for (const role of roles) {
      expect(role.inputs).to.include({
        roleDefinitionId: BLOB_DATA_CONTRIBUTOR,
        principalType: "User",
      });
    }
  });

  it("declares a group member's role assignment as a group's", async () => {
    const teams: TeamSpec[] = [
      {
        name: "fraud",
        members: [
          {
            name: "ml-team",
            azurePrincipalId: "11111111-2222-3333-4444-555555555555",
            azurePrincipalType: "Group",
          },
        ],
      },
    ];
    const roles = ofType(await build("dev", teams), ROLE);
    expect(roles).to.have.length(2);
    for (const role of roles) {
      expect(role.inputs).to.include({
        principalId: "11111111-2222-3333-4444-555555555555",
        principalType: "Group",
      });
    }
  });

  it("assigns no role when there are no teams", async () => {
    const regs = await build("dev", []);
    expect(regs.filter((r) => r.type === ROLE)).to.have.length(0);
  });

  it("names each member's role assignment apart even where team-member joins would repeat", async () => {
    const teams: TeamSpec[] = [
      {
        name: "a-b",
        members: [{ name: "c", azurePrincipalId: "00000000-0000-0000-0000-00000000000c" }],
      },
      {
        name: "a",
        members: [{ name: "b-c", azurePrincipalId: "00000000-0000-0000-0000-0000000000bc" }],
      },
    ];
    const roles = ofType(await build("dev", teams), ROLE);
    expect(roles.map((r) => r.name).sort()).to.deep.equal([
      "ws-dev-b-c",
      "ws-dev-b-c_data",
      "ws-dev-c",
      "ws-dev-c_data",
    ]);
  });

  it("leaves the Entra object id to the spec, which refuses a member without one", () => {
    const teams = [{ name: "fraud", members: [{ name: "dave" }] }];
    expect(teamPrincipals(teams)).to.deep.equal([]);
    const config = {
      ...BASE_CONFIG,
      "mlplatform:clouds": JSON.stringify(["azure"]),
      "mlplatform:teams": JSON.stringify(teams),
    };
    const result = parsePlatformSpec(config, { project: "mlplatform", stack: "test" });
    expect(result.ok).to.equal(false);
    expect(result.ok ? [] : result.problems.map((p) => p.key)).to.deep.equal([
      "mlplatform:teams[0].members[0].azurePrincipalId",
    ]);
  });

  it("keeps long, odd names valid for the key vault, workspace and Log Analytics", async () => {
    const parts = ["Enterprise_ML.Platform--2024", "production/west-europe/team-forty-two-extra"];
    const regs = await build("dev", TEAMS, parts);
    expect(single(regs, VAULT).inputs.vaultName).to.match(AZURE_NAMES.keyVault);
    expect(single(regs, WORKSPACE).inputs.workspaceName).to.match(AZURE_NAMES.mlWorkspace);
    expect(single(regs, LOGS).inputs.workspaceName).to.match(AZURE_NAMES.logAnalytics);
  });

  it("tags every resource that takes tags with the workspace block", async () => {
    const regs = await build();
    for (const type of [VAULT, LOGS, INSIGHTS, WORKSPACE]) {
      expect(single(regs, type).inputs.tags, type).to.deep.equal(blockTags(TAGS, "workspace"));
    }
  });

  it("parents every resource to the component", async () => {
    const regs = await build();
    const parent = component(regs, "mlplatform:azure:Workspace").urn;
    const children = regs.filter((r) => r.custom);
    expect(children).to.have.length(11);
    for (const child of children) {
      expect(child.parent, child.name).to.equal(parent);
    }
  });
});
