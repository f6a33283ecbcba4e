import { expect } from "chai";
import {
  AzureWorkspace,
  MODEL_DATASTORE_NAME,
  PROD_ISOLATION_MODE,
  teamPrincipals,
} from "../../components/azure/workspace";
import { blockTags } from "../../components/tags";
import type { TeamSpec, Tier } from "../../components/types";
import type { Recorder } from "../../engine/monitor";
import { parsePlatformSpec } from "../../components/spec";
import { BASE_CONFIG, type Registration, mockPulumi, ofType, registered, single } from "../harness";
import {
  AZURE_NAMES,
  PLACEMENT,
  SUBSCRIPTION,
  SUFFIX,
  TAGS,
  TENANT,
  azureOutputs,
  component,
} from "./fixtures";

const VAULT = "azure-native:keyvault:Vault";
const LOGS = "azure-native:operationalinsights:Workspace";
const INSIGHTS = "azure-native:applicationinsights:Component";
const WORKSPACE = "azure-native:machinelearningservices:Workspace";
const DATASTORE = "azure-native:machinelearningservices:Datastore";
const ROLE = "azure-native:authorization:RoleAssignment";

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

  before(async () => {
    rec = await mockPulumi({ outputs: azureOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(
    tier: Tier = "dev",
    teams: TeamSpec[] = TEAMS,
    nameParts: readonly string[] = PLACEMENT.nameParts,
  ): Promise<Registration[]> {
    new AzureWorkspace(`ws-${tier}`, {
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
    });
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
      workspaceName: "mlplatform-test",
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
    expect(workspace.inputs.provisionNetworkNow).to.equal(true);
    expect(workspace.protect).to.equal(true);
    expect(workspace.retainOnDelete).to.equal(true);
  });

  it("is reachable without a managed network in dev", async () => {
    const workspace = single(await build("dev"), WORKSPACE);
    expect(workspace.inputs.publicNetworkAccess).to.equal("Enabled");
    expect(workspace.inputs.managedNetwork).to.deep.include({ isolationMode: "Disabled" });
    expect(workspace.inputs.provisionNetworkNow).to.equal(false);
    expect(workspace.protect).to.equal(false);
  });

  it("registers the storage block's container as an identity-based datastore", async () => {
    const datastore = single(await build(), DATASTORE);
    expect(datastore.inputs).to.deep.include({
      workspaceName: "mlplatform-test",
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
    const roles = ofType(regs, ROLE);
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
    const [role] = ofType(await build("dev", teams), ROLE);
    expect(role.inputs).to.include({
      principalId: "11111111-2222-3333-4444-555555555555",
      principalType: "Group",
    });
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
    expect(roles.map((r) => r.name).sort()).to.deep.equal(["ws-dev-b-c", "ws-dev-c"]);
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
    expect(children).to.have.length(8);
    for (const child of children) {
      expect(child.parent, child.name).to.equal(parent);
    }
  });
});
