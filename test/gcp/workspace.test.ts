import { expect } from "chai";
import { GCP_PLACEHOLDERS } from "../../engine/placeholders/gcp";
import type { Recorder } from "../../engine/monitor";
import { IAM_PROPAGATION_SECONDS } from "../../components/gcp/propagationWait";
import { GcpWorkspace } from "../../components/gcp/workspace";
import { blockTags } from "../../components/tags";
import type { TeamSpec, Tier } from "../../policies/platform";
import { type Registration, mockPulumi, ofType, registered, single, specWith } from "../harness";
import {
  AGENT_MEMBERS,
  PLACEMENT,
  PROJECT,
  REGION,
  SUFFIX,
  TAGS,
  component,
  gcpOutputs,
  labelsAreValid,
  named,
  serviceAccountOutputs,
} from "./fixtures";

const TEAMS: TeamSpec[] = [
  {
    name: "fraud",
    members: [
      { name: "alice", gcpMember: "user:alice@example.com" },
      { name: "bob", gcpMember: "group:ml-bob@example.com" },
    ],
  },
  { name: "vision", members: [{ name: "carol", gcpMember: "user:carol@example.com" }] },
];

const STORAGE_AGENT =
  "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com";

describe("gcp workspace", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({ calls: GCP_PLACEHOLDERS, outputs: gcpOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(tier: Tier = "dev", teams: TeamSpec[] = TEAMS): Promise<Registration[]> {
    new GcpWorkspace("ws", { ...PLACEMENT, tier, tags: TAGS, teams, uniqueSuffix: SUFFIX });
    return registered(rec);
  }

  it("enables the six APIs, IAM and Resource Manager included, and leaves them enabled on destroy", async () => {
    const apis = ofType(await build(), "gcp:projects/service:Service");
    expect(apis.map((a) => a.inputs.service)).to.have.members([
      "iam.googleapis.com",
      "cloudresourcemanager.googleapis.com",
      "aiplatform.googleapis.com",
      "artifactregistry.googleapis.com",
      "storage.googleapis.com",
      "cloudkms.googleapis.com",
    ]);
    for (const api of apis) {
      expect(api.inputs).to.include({ project: PROJECT, disableOnDestroy: false });
    }
  });

  it("creates a regional key ring and a key that rotates every 90 days", async () => {
    const regs = await build();
    const ring = single(regs, "gcp:kms/keyRing:KeyRing");
    expect(ring.inputs).to.deep.equal({
      project: PROJECT,
      location: REGION,
      name: `mlplatform-test-${SUFFIX}`,
    });
    const key = single(regs, "gcp:kms/cryptoKey:CryptoKey");
    expect(key.inputs.rotationPeriod).to.equal("7776000s");
    expect(key.inputs.purpose).to.equal("ENCRYPT_DECRYPT");
    expect(key.inputs.keyRing).to.equal("ws-keyring-id");
    expect(key.inputs.labels).to.deep.equal(blockTags(TAGS, "workspace"));
    expect(labelsAreValid(key.inputs.labels as Record<string, unknown>)).to.equal(true);
  });

  it("creates service accounts and IAM bindings only after the IAM and Resource Manager APIs", async () => {
    const regs = await build();
    const apiUrn = (service: string) =>
      ofType(regs, "gcp:projects/service:Service").find((a) => a.inputs.service === service)?.urn;
    const iam = apiUrn("iam.googleapis.com");
    const resourceManager = apiUrn("cloudresourcemanager.googleapis.com");
    for (const account of ofType(regs, "gcp:serviceaccount/account:Account")) {
      expect(account.dependencies, account.name).to.include(iam);
    }
    for (const binding of ofType(regs, "gcp:projects/iAMMember:IAMMember")) {
      expect(binding.dependencies, binding.name).to.include.members([iam, resourceManager]);
    }
  });

  it("keeps the key ring and key on destroy in every tier, since the metadata store they encrypt is kept; protects them in prod", async () => {
    const prod = await build("prod");
    for (const type of ["gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKey:CryptoKey"]) {
      expect(single(prod, type)).to.include({ protect: true, retainOnDelete: true });
    }
    rec.reset();
    const dev = await build("dev");
    for (const type of ["gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKey:CryptoKey"]) {
      expect(single(dev, type)).to.include({ protect: false, retainOnDelete: true });
    }
    const grants = ofType(dev, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    expect(
      grants.map((g) => [g.inputs.member, g.retainOnDelete]),
      "the Vertex AI agent keeps its grant on the kept key",
    ).to.have.deep.members([
      [AGENT_MEMBERS["aiplatform.googleapis.com"], true],
      [AGENT_MEMBERS["artifactregistry.googleapis.com"], false],
      [STORAGE_AGENT, false],
    ]);
  });

  it("waits for the key grants to propagate before anything uses the key", async () => {
    const regs = await build();
    const wait = single(regs, "pulumi-nodejs:dynamic/gcp:IamPropagationWait");
    const grants = ofType(regs, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    expect(wait.dependencies).to.include.members(grants.map((g) => g.urn));
    expect(wait.inputs.seconds).to.equal(IAM_PROPAGATION_SECONDS);
    expect(IAM_PROPAGATION_SECONDS).to.be.at.least(120);
    for (const type of [
      "gcp:vertex/aiMetadataStore:AiMetadataStore",
      "gcp:vertex/aiTensorboard:AiTensorboard",
    ]) {
      expect(single(regs, type).dependencies, type).to.include(wait.urn);
    }
  });

  it("lets exactly the Vertex AI, Cloud Storage and Artifact Registry agents use the key", async () => {
    const regs = await build();
    const grants = ofType(regs, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    expect(grants.map((g) => g.inputs.member)).to.have.members([
      AGENT_MEMBERS["aiplatform.googleapis.com"],
      AGENT_MEMBERS["artifactregistry.googleapis.com"],
      STORAGE_AGENT,
    ]);
    for (const grant of grants) {
      expect(grant.inputs).to.include({
        role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        cryptoKeyId: "ws-key-id",
      });
    }
  });

  it("creates the agents Google makes on first use after their APIs are enabled", async () => {
    const regs = await build();
    const apiUrns = ofType(regs, "gcp:projects/service:Service").map((a) => a.urn);
    const identities = ofType(regs, "gcp:projects/serviceIdentity:ServiceIdentity");
    expect(identities.map((i) => i.inputs.service)).to.have.members([
      "aiplatform.googleapis.com",
      "artifactregistry.googleapis.com",
    ]);
    for (const identity of identities) {
      expect(identity.dependencies).to.include.members(apiUrns);
    }
    const lookup = rec.calls.filter(
      (c) => c.token === "gcp:storage/getProjectServiceAccount:getProjectServiceAccount",
    );
    expect(lookup.map((c) => c.inputs)).to.deep.equal([{ project: PROJECT }]);
  });

  it("gives the runtime service account only the predefined roles it needs, and no keys", async () => {
    const regs = await build();
    const account = named(regs, "ws-runtime");
    const accountId = account.inputs.accountId as string;
    expect(accountId).to.equal("mlplatform-test-runtime");
    expect(accountId).to.match(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    const member = `serviceAccount:${accountId}@${PROJECT}.iam.gserviceaccount.com`;
    const roles = ofType(regs, "gcp:projects/iAMMember:IAMMember").filter(
      (b) => b.inputs.member === member,
    );
    expect(roles.map((r) => r.inputs.role)).to.have.members([
      "roles/aiplatform.user",
      "roles/logging.logWriter",
      "roles/monitoring.metricWriter",
    ]);
    for (const binding of ofType(regs, "gcp:projects/iAMMember:IAMMember")) {
      expect(binding.inputs.role).to.not.be.oneOf(["roles/owner", "roles/editor", "roles/viewer"]);
    }
    expect(regs.filter((r) => r.type === "gcp:serviceaccount/key:Key")).to.deep.equal([]);
  });

  it("gives serving an account of its own that may only write logs and metrics in the project", async () => {
    const regs = await build();
    const accountId = named(regs, "ws-serving").inputs.accountId as string;
    expect(accountId).to.equal("mlplatform-test-serving");
    expect(accountId).to.match(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    const member = `serviceAccount:${accountId}@${PROJECT}.iam.gserviceaccount.com`;
    const roles = ofType(regs, "gcp:projects/iAMMember:IAMMember").filter(
      (b) => b.inputs.member === member,
    );
    expect(roles.map((r) => r.inputs.role)).to.have.members([
      "roles/logging.logWriter",
      "roles/monitoring.metricWriter",
    ]);
  });

  it("keeps metadata and Tensorboard data under the key, after the Vertex AI agent may use it", async () => {
    const regs = await build();
    const vertexGrant = single(regs, "pulumi-nodejs:dynamic/gcp:IamPropagationWait");
    const store = single(regs, "gcp:vertex/aiMetadataStore:AiMetadataStore");
    expect(store.inputs).to.deep.include({
      project: PROJECT,
      region: REGION,
      name: "default",
      encryptionSpec: { kmsKeyName: "ws-key-id" },
    });
    const board = single(regs, "gcp:vertex/aiTensorboard:AiTensorboard");
    expect(board.inputs).to.deep.include({
      project: PROJECT,
      region: REGION,
      encryptionSpec: { kmsKeyName: "ws-key-id" },
      labels: blockTags(TAGS, "workspace"),
    });
    for (const resource of [store, board]) {
      expect(resource.dependencies).to.include(vertexGrant?.urn);
    }
  });

  it("protects the metadata store and Tensorboard in prod", async () => {
    const regs = await build("prod");
    for (const type of [
      "gcp:vertex/aiMetadataStore:AiMetadataStore",
      "gcp:vertex/aiTensorboard:AiTensorboard",
    ]) {
      expect(single(regs, type)).to.include({ protect: true, retainOnDelete: true });
    }
  });

  it("never deletes the project's shared metadata store, in dev either", async () => {
    const dev = await build("dev");
    expect(single(dev, "gcp:vertex/aiMetadataStore:AiMetadataStore")).to.include({
      protect: false,
      retainOnDelete: true,
    });
    expect(single(dev, "gcp:vertex/aiTensorboard:AiTensorboard")).to.include({
      protect: false,
      retainOnDelete: false,
    });
  });

  it("gives every team member the Vertex AI user role and the right to run as the runtime account", async () => {
    const regs = await build();
    const principals = [
      "user:alice@example.com",
      "group:ml-bob@example.com",
      "user:carol@example.com",
    ];
    const users = ofType(regs, "gcp:projects/iAMMember:IAMMember").filter(
      (b) =>
        b.inputs.role === "roles/aiplatform.user" && principals.includes(b.inputs.member as string),
    );
    expect(users.map((u) => u.inputs.member)).to.have.members(principals);
    expect(users.map((u) => u.name)).to.have.members([
      "ws-member-alice",
      "ws-member-bob",
      "ws-member-carol",
    ]);
    const runAs = ofType(regs, "gcp:serviceaccount/iAMMember:IAMMember");
    expect(runAs.map((r) => r.inputs.member)).to.have.members(principals);
    for (const binding of runAs) {
      expect(binding.inputs).to.include({
        role: "roles/iam.serviceAccountUser",
        serviceAccountId: `projects/${PROJECT}/serviceAccounts/mlplatform-test-runtime@${PROJECT}.iam.gserviceaccount.com`,
      });
    }
  });

  it("grants nothing to anyone when there are no teams", async () => {
    const regs = await build("dev", []);
    expect(regs.filter((r) => r.type === "gcp:serviceaccount/iAMMember:IAMMember")).to.deep.equal(
      [],
    );
    expect(ofType(regs, "gcp:projects/iAMMember:IAMMember")).to.have.length(5);
  });

  it("names each member's bindings after the member alone, so team and member names cannot collide", async () => {
    const teams: TeamSpec[] = [
      { name: "ml-ops", members: [{ name: "eve", gcpMember: "user:eve@example.com" }] },
      { name: "ml", members: [{ name: "ops-eve", gcpMember: "user:ops-eve@example.com" }] },
    ];
    const regs = await build("dev", teams);
    const users = ofType(regs, "gcp:projects/iAMMember:IAMMember").filter(
      (b) => b.inputs.role === "roles/aiplatform.user" && b.name.startsWith("ws-member-"),
    );
    expect(users.map((u) => [u.name, u.inputs.member])).to.have.deep.members([
      ["ws-member-eve", "user:eve@example.com"],
      ["ws-member-ops-eve", "user:ops-eve@example.com"],
    ]);
    const runAs = ofType(regs, "gcp:serviceaccount/iAMMember:IAMMember");
    expect(runAs.map((r) => [r.name, r.inputs.member])).to.have.deep.members([
      ["ws-runas-eve", "user:eve@example.com"],
      ["ws-runas-ops-eve", "user:ops-eve@example.com"],
    ]);
  });

  it("relies on the spec to refuse a team member without a Google principal, naming the key", () => {
    expect(() =>
      specWith({
        "mlplatform:clouds": ["gcp"],
        "mlplatform:teams": [{ name: "fraud", members: [{ name: "dave" }] }],
      }),
    ).to.throw(
      "mlplatform:teams[0].members[0].gcpMember: is required because gcp is listed; use an IAM member such as user:alice@contoso.com or group:ml-team@contoso.com",
    );
  });

  it("binds the runtime account through its own outputs, so no binding exists before or after it", async () => {
    const regs = await build();
    const account = named(regs, "ws-runtime");
    const runtime = serviceAccountOutputs(PROJECT, "mlplatform-test-runtime");
    const roles = ofType(regs, "gcp:projects/iAMMember:IAMMember").filter((b) =>
      b.name.startsWith("ws-runtime-"),
    );
    expect(roles).to.have.length(3);
    for (const binding of roles) {
      expect(binding.inputs.member, binding.name).to.equal(runtime.member);
      expect(binding.propertyDependencies.member, binding.name).to.include(account.urn);
    }
    const runAs = ofType(regs, "gcp:serviceaccount/iAMMember:IAMMember");
    expect(runAs).to.have.length(3);
    for (const binding of runAs) {
      expect(binding.inputs.serviceAccountId, binding.name).to.equal(runtime.name);
      expect(binding.propertyDependencies.serviceAccountId, binding.name).to.include(account.urn);
    }
  });

  it("parents every resource to the workspace", async () => {
    const regs = await build();
    const workspace = component(regs, "mlplatform:gcp:Workspace");
    const children = regs.filter((r) => r !== workspace);
    expect(children.length).to.be.greaterThan(10);
    for (const child of children) {
      expect(child.parent, child.name).to.equal(workspace.urn);
      expect(child.name.startsWith("ws-"), child.name).to.equal(true);
    }
  });
});
