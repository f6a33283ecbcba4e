import { expect } from "chai";
import { resolveInstance } from "../../policies/catalog";
import { GcpPlatform, modelRegistryName } from "../../components/gcp";
import { TAG, type PlatformSpec } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { GCP_PLACEHOLDERS, PLACEHOLDER_PROJECT_NUMBER } from "../../engine/placeholders/gcp";
import {
  type Registration,
  mockPulumi,
  ofType,
  registered,
  single,
  specWith,
  unwrap,
} from "../harness";
import { definePlatform } from "../../components/platform";
import { AGENT_MEMBERS, SUFFIX, component, gcpOutputs, labelsAreValid, named } from "./fixtures";

const GCP_ONLY = {
  "mlplatform:clouds": ["gcp"],
  "mlplatform:training": { size: "cpu-8x32", minNodes: 0, maxNodes: 8 },
  "mlplatform:endpoints": [
    { name: "iris", size: "cpu-4x16", minReplicas: 2, maxReplicas: 6 },
    { name: "iris-gpu", size: "gpu-t4x1", minReplicas: 1, maxReplicas: 2 },
  ],
};

const STATEFUL = ["gcp:storage/bucket:Bucket", "gcp:artifactregistry/repository:Repository"];
/** Kept in every tier with the metadata store they encrypt. */
const KEY = ["gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKey:CryptoKey"];
/** A spec that keeps training nodes running, so training is a persistent resource. */
const STANDING_TRAINING = {
  "mlplatform:training": { size: "cpu-8x32", minNodes: 1, maxNodes: 8 },
};
const RUNTIME_EMAIL = "mlplatform-test-runtime@ml-platform-test.iam.gserviceaccount.com";
const SERVING_EMAIL = "mlplatform-test-serving@ml-platform-test.iam.gserviceaccount.com";

describe("gcp platform", () => {
  let rec: Recorder;
  let platform: GcpPlatform;

  before(async () => {
    rec = await mockPulumi({ calls: GCP_PLACEHOLDERS, outputs: gcpOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(overrides: Record<string, unknown> = {}): Promise<Registration[]> {
    const spec: PlatformSpec = specWith({ ...GCP_ONLY, ...overrides });
    platform = new GcpPlatform("gcp", { spec });
    return registered(rec);
  }

  it("composes the blocks under one platform component", async () => {
    const regs = await build();
    const root = component(regs, "mlplatform:gcp:Platform");
    for (const type of [
      "mlplatform:gcp:Workspace",
      "mlplatform:gcp:Storage",
      "mlplatform:gcp:ContainerRegistry",
      "mlplatform:gcp:TrainingCluster",
    ]) {
      expect(component(regs, type).parent, type).to.equal(root.urn);
    }
    const endpoints = regs.filter((r) => r.type === "mlplatform:gcp:OnlineEndpoint");
    expect(endpoints.map((e) => e.name)).to.have.members([
      "gcp-endpoint-iris",
      "gcp-endpoint-iris-gpu",
    ]);
    for (const endpoint of endpoints) expect(endpoint.parent).to.equal(root.urn);
    expect(single(regs, "random:index/randomString:RandomString").parent).to.equal(root.urn);
  });

  it("gives the bucket and the key ring the same stable suffix", async () => {
    const regs = await build();
    expect(single(regs, "random:index/randomString:RandomString").inputs).to.deep.equal({
      length: 6,
      lower: true,
      upper: false,
      numeric: true,
      special: false,
    });
    expect(single(regs, "gcp:storage/bucket:Bucket").inputs.name).to.equal(
      `mlplatform-test-${SUFFIX}`,
    );
    expect(single(regs, "gcp:kms/keyRing:KeyRing").inputs.name).to.equal(
      `mlplatform-test-${SUFFIX}`,
    );
  });

  it("encrypts every block with the workspace key, each once the agents' grants have propagated", async () => {
    const regs = await build(STANDING_TRAINING);
    const grants = ofType(regs, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    const wait = single(regs, "pulumi-nodejs:dynamic/gcp:IamPropagationWait");
    const storageAgent = `serviceAccount:service-${PLACEHOLDER_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com`;
    expect(grants.map((g) => g.inputs.member)).to.have.members([
      storageAgent,
      AGENT_MEMBERS["artifactregistry.googleapis.com"],
      AGENT_MEMBERS["aiplatform.googleapis.com"],
    ]);
    expect(wait.dependencies).to.include.members(grants.map((g) => g.urn));
    const key = "gcp-workspace-key-id";

    const bucket = single(regs, "gcp:storage/bucket:Bucket");
    expect(bucket.inputs.encryption).to.deep.equal({ defaultKmsKeyName: key });
    expect(bucket.dependencies).to.include(wait.urn);

    const repo = single(regs, "gcp:artifactregistry/repository:Repository");
    expect(repo.inputs.kmsKeyName).to.equal(key);
    expect(repo.dependencies).to.include(wait.urn);

    const vertexGrant = wait.urn;
    const cluster = single(regs, "gcp:vertex/aiPersistentResource:AiPersistentResource");
    expect(cluster.inputs.encryptionSpec).to.deep.equal({ kmsKeyName: key });
    expect(cluster.dependencies).to.include(vertexGrant);
    for (const endpoint of ofType(regs, "gcp:vertex/aiEndpoint:AiEndpoint")) {
      expect(endpoint.inputs.encryptionSpec).to.deep.equal({ kmsKeyName: key });
      expect(endpoint.dependencies).to.include(vertexGrant);
    }
    for (const deployment of ofType(regs, "pulumi-nodejs:dynamic/gcp:VertexModelDeployment")) {
      expect(deployment.dependencies).to.include(vertexGrant);
    }
  });

  it("lets the runtime account use the bucket's objects and pull images, and the serving account only read objects", async () => {
    const regs = await build();
    expect(
      ofType(regs, "gcp:storage/bucketIAMMember:BucketIAMMember").map((b) => [
        b.inputs.role,
        b.inputs.member,
      ]),
    ).to.have.deep.members([
      ["roles/storage.objectUser", `serviceAccount:${RUNTIME_EMAIL}`],
      ["roles/storage.objectViewer", `serviceAccount:${SERVING_EMAIL}`],
    ]);
    expect(
      single(regs, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").inputs.member,
    ).to.equal(`serviceAccount:${RUNTIME_EMAIL}`);
  });

  it("grants the bucket and repository to the runtime account only once the account exists", async () => {
    const regs = await build();
    const account = named(regs, "gcp-workspace-runtime");
    for (const binding of [
      named(regs, "gcp-storage-object-user-0"),
      single(regs, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"),
    ]) {
      expect(binding.dependencies, binding.name).to.include(account.urn);
      expect(binding.propertyDependencies.member, binding.name).to.include(account.urn);
    }
  });

  it("serves every endpoint's model as the serving account, not the runtime account with project-wide Vertex AI rights", async () => {
    const regs = await build();
    const account = named(regs, "gcp-workspace-serving");
    const deployments = ofType(regs, "pulumi-nodejs:dynamic/gcp:VertexModelDeployment");
    expect(deployments).to.have.length(2);
    for (const deployment of deployments) {
      expect(deployment.inputs.serviceAccount, deployment.name).to.equal(SERVING_EMAIL);
      expect(deployment.propertyDependencies.serviceAccount, deployment.name).to.include(
        account.urn,
      );
    }
  });

  it("sizes training and every endpoint from the spec through the catalog", async () => {
    const regs = await build(STANDING_TRAINING);
    const pool = (
      single(regs, "gcp:vertex/aiPersistentResource:AiPersistentResource").inputs.resourcePools as {
        machineSpec: { machineType: string };
        autoscalingSpec: unknown;
      }[]
    )[0];
    expect(pool.machineSpec.machineType).to.equal(
      resolveInstance("cpu-8x32", "gcp", "training").instanceType,
    );
    expect(pool.autoscalingSpec).to.deep.equal({ minReplicaCount: "1", maxReplicaCount: "8" });

    const deployments = ofType(regs, "pulumi-nodejs:dynamic/gcp:VertexModelDeployment");
    const iris = deployments.find((d) => d.name === "gcp-endpoint-iris-deployment");
    const gpu = deployments.find((d) => d.name === "gcp-endpoint-iris-gpu-deployment");
    const t4 = resolveInstance("gpu-t4x1", "gcp", "hosting");
    expect(iris?.inputs).to.include({
      machineType: resolveInstance("cpu-4x16", "gcp", "hosting").instanceType,
      minReplicas: 2,
      maxReplicas: 6,
    });
    expect(gpu?.inputs).to.include({
      machineType: t4.instanceType,
      acceleratorType: t4.accelerator?.type,
      acceleratorCount: t4.accelerator?.count,
      minReplicas: 1,
      maxReplicas: 2,
    });
  });

  it("uploads each endpoint's model to the platform bucket", async () => {
    const regs = await build();
    for (const object of ofType(regs, "gcp:storage/bucketObject:BucketObject")) {
      expect(object.inputs.bucket).to.equal(`mlplatform-test-${SUFFIX}`);
    }
    expect(named(regs, "gcp-endpoint-iris-model").inputs.name).to.match(
      /^models\/iris\/[0-9a-f]{12}\/model\.joblib$/,
    );
  });

  it("protects and retains the bucket, repository, key ring and key in prod; keeps the key in dev too", async () => {
    const prod = await build({ "mlplatform:tier": "prod" });
    for (const type of [...STATEFUL, ...KEY]) {
      expect(single(prod, type), type).to.include({ protect: true, retainOnDelete: true });
    }
    rec.reset();
    const dev = await build({ "mlplatform:tier": "dev" });
    for (const type of STATEFUL) {
      expect(single(dev, type), type).to.include({ protect: false, retainOnDelete: false });
    }
    for (const type of KEY) {
      expect(single(dev, type), type).to.include({ protect: false, retainOnDelete: true });
    }
  });

  it("protects and keeps endpoints and model deployments in prod only", async () => {
    const serving = [
      "gcp:vertex/aiEndpoint:AiEndpoint",
      "pulumi-nodejs:dynamic/gcp:VertexModelDeployment",
    ];
    const prod = await build({ "mlplatform:tier": "prod" });
    for (const type of serving) {
      for (const resource of ofType(prod, type))
        expect(resource, resource.name).to.include({ protect: true, retainOnDelete: true });
    }
    rec.reset();
    const dev = await build({ "mlplatform:tier": "dev" });
    for (const type of serving) {
      for (const resource of ofType(dev, type))
        expect(resource, resource.name).to.include({ protect: false, retainOnDelete: false });
    }
  });

  it("declares no standing training cluster when training may scale to zero, and exports how jobs run", async () => {
    const regs = await build({
      "mlplatform:training": { size: "cpu-8x32", minNodes: 0, maxNodes: 8, spot: true },
    });
    expect(
      regs.filter((r) => r.type === "gcp:vertex/aiPersistentResource:AiPersistentResource"),
    ).to.deep.equal([]);
    expect(await unwrap(platform.trainingClusterName)).to.equal("serverless");
    expect(await unwrap(platform.trainingJobSettings)).to.include({
      mode: "serverless",
      schedulingStrategy: "SPOT",
      maxReplicaCount: 8,
      serviceAccount: RUNTIME_EMAIL,
    });
    const outputs = definePlatform(specWith({ ...GCP_ONLY }));
    expect(await unwrap(outputs.gcp?.trainingJobSettings)).to.include({ mode: "serverless" });
  });

  it("labels every resource that takes labels with the stack, tier and block", async () => {
    const regs = await build({ "mlplatform:tier": "prod", ...STANDING_TRAINING });
    const labelled = regs.filter((r) => r.custom && r.inputs.labels !== undefined);
    expect(labelled.map((r) => r.type)).to.include.members([
      "gcp:kms/cryptoKey:CryptoKey",
      "gcp:vertex/aiTensorboard:AiTensorboard",
      "gcp:storage/bucket:Bucket",
      "gcp:artifactregistry/repository:Repository",
      "gcp:vertex/aiPersistentResource:AiPersistentResource",
      "gcp:vertex/aiEndpoint:AiEndpoint",
      "pulumi-nodejs:dynamic/gcp:VertexModelDeployment",
    ]);
    for (const resource of labelled) {
      const labels = resource.inputs.labels as Record<string, string>;
      expect(labelsAreValid(labels), resource.name).to.equal(true);
      expect(labels, resource.name).to.include({
        [TAG.stack]: "test",
        [TAG.tier]: "prod",
        owner: "ml-platform",
        "cost-center": "cc-1234",
      });
      expect(labels[TAG.block], resource.name).to.be.a("string");
    }
    const compute = labelled.filter((r) =>
      [
        "gcp:vertex/aiPersistentResource:AiPersistentResource",
        "gcp:vertex/aiEndpoint:AiEndpoint",
      ].includes(r.type),
    );
    expect(
      compute.map((r) => (r.inputs.labels as Record<string, string>)[TAG.size]),
    ).to.have.members(["cpu-8x32", "cpu-4x16", "gpu-t4x1"]);
  });

  it("exposes the platform outputs under the shared names", async () => {
    await build();
    expect(await unwrap(platform.storageName)).to.equal(`mlplatform-test-${SUFFIX}`);
    expect(await unwrap(platform.containerRegistryUrl)).to.equal(
      "us-central1-docker.pkg.dev/ml-platform-test/mlplatform-test",
    );
    expect(await unwrap(platform.trainingClusterName)).to.equal("serverless");
    expect(await unwrap(platform.workspaceName)).to.equal(
      "projects/ml-platform-test/locations/us-central1/metadataStores/default",
    );
    expect(await unwrap(platform.modelRegistryName)).to.equal(
      modelRegistryName("ml-platform-test", "us-central1"),
    );
    expect(Object.keys(platform.endpoints)).to.have.members(["iris", "iris-gpu"]);
    expect(await unwrap(platform.endpoints.iris)).to.match(
      /^https:\/\/us-central1-aiplatform\.googleapis\.com\/v1\/projects\/ml-platform-test\/locations\/us-central1\/endpoints\/[0-9]+:predict$/,
    );
  });

  it("exports what a caller needs to invoke and price each endpoint", async () => {
    await build();
    const details = await unwrap(platform.endpointDetails.iris);
    const row = resolveInstance("cpu-4x16", "gcp", "hosting");
    expect(details).to.deep.equal({
      cloud: "gcp",
      region: "us-central1",
      endpointName: details.endpointName,
      scoringUrl: `https://us-central1-aiplatform.googleapis.com/v1/projects/ml-platform-test/locations/us-central1/endpoints/${details.endpointName}:predict`,
      auth: "google-oauth",
      size: "cpu-4x16",
      instanceType: row.instanceType,
      hourlyUsd: row.hourlyUsd,
      priceRegion: row.region,
      minReplicas: 2,
      maxReplicas: 6,
    });
    expect(details.endpointName).to.match(/^[1-9][0-9]{9}$/);
  });

  it("declares no endpoint when the spec has none", async () => {
    const regs = await build({ "mlplatform:endpoints": [] });
    expect(regs.filter((r) => r.type === "mlplatform:gcp:OnlineEndpoint")).to.deep.equal([]);
    expect(platform.endpoints).to.deep.equal({});
  });
});
