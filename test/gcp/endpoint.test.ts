import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as kms from "@pulumi/gcp/kms";
import { expect } from "chai";
import {
  SCALE_FLOORS,
  SIZES,
  SIZE_NAMES,
  resolveInstance,
  unavailableReason,
} from "../../policies/catalog";
import {
  GcpOnlineEndpoint,
  type GcpOnlineEndpointArgs,
  modelVersion,
  prebuiltImageHost,
  sklearnServingImage,
} from "../../components/gcp/endpoint";
import { DEFAULT_TARGET_CPU_UTILIZATION_PERCENT } from "../../components/gcp/vertexApi";
import { MODEL_ARTIFACTS } from "../../components/model";
import { blockTags } from "../../components/tags";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, registered, single, unwrap } from "../harness";
import {
  ENDPOINT_NUMBER,
  KEY_NAME,
  PLACEMENT,
  PROJECT,
  REGION,
  TAGS,
  component,
  gcpOutputs,
  labelsAreValid,
  type MonitorLog,
  watchMonitor,
} from "./fixtures";

const AI_ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint";
const MODEL_OBJECT = "gcp:storage/bucketObject:BucketObject";
const DEPLOYMENT = "pulumi-nodejs:dynamic/gcp:VertexModelDeployment";
const BUCKET = "mlplatform-test-x7k2p9";
const RUNTIME_EMAIL = `mlplatform-test-runtime@${PROJECT}.iam.gserviceaccount.com`;

describe("gcp online endpoint", () => {
  let rec: Recorder;
  let dir: string;
  let modelFile: string;
  let version: string;
  let endpoint: GcpOnlineEndpoint;
  let log: MonitorLog;

  before(async () => {
    rec = await mockPulumi({ outputs: gcpOutputs });
    log = watchMonitor();
    dir = mkdtempSync(path.join(tmpdir(), "gcp-endpoint-"));
    modelFile = path.join(dir, "model.joblib");
    writeFileSync(modelFile, "a pickled estimator");
    version = createHash("sha256").update("a pickled estimator").digest("hex").slice(0, 12);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => rec.reset());

  async function build(overrides: Partial<GcpOnlineEndpointArgs> = {}): Promise<Registration[]> {
    const keyAccess = new kms.CryptoKeyIAMMember("grant", {
      cryptoKeyId: KEY_NAME,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:vertex-agent@example.com",
    });
    endpoint = new GcpOnlineEndpoint("ep", {
      ...PLACEMENT,
      tier: "dev",
      tags: TAGS,
      name: "iris",
      size: "cpu-2x8",
      minReplicas: 1,
      maxReplicas: 3,
      bucketName: BUCKET,
      serviceAccount: RUNTIME_EMAIL,
      kmsKeyName: KEY_NAME,
      keyAccess,
      modelFile,
      ...overrides,
    });
    return registered(rec);
  }

  function deployment(regs: Registration[]): Registration {
    return single(regs, DEPLOYMENT);
  }

  it("creates a Vertex AI endpoint with a stable numeric id, encrypted with the platform key", async () => {
    const regs = await build();
    const ai = single(regs, AI_ENDPOINT);
    expect(ai.inputs).to.deep.include({
      project: PROJECT,
      location: REGION,
      region: REGION,
      name: String(ENDPOINT_NUMBER),
      displayName: "iris",
      encryptionSpec: { kmsKeyName: KEY_NAME },
    });
    expect(ai.inputs.name).to.match(/^[1-9][0-9]{0,9}$/);
    // The id is drawn again whenever an input that replaces the endpoint changes, so the
    // replacement gets a new name and is created before the old endpoint is deleted.
    expect(single(regs, "random:index/randomInteger:RandomInteger").inputs).to.deep.equal({
      min: 1_000_000_000,
      max: 9_999_999_999,
      keepers: { project: PROJECT, region: REGION, kmsKeyName: KEY_NAME },
    });
    expect(ai.dependencies).to.include(
      single(regs, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").urn,
    );
  });

  it("labels the endpoint as compute with its size", async () => {
    const labels = single(await build({ size: "cpu-4x16" }), AI_ENDPOINT).inputs.labels as Record<
      string,
      unknown
    >;
    expect(labels).to.deep.equal(blockTags(TAGS, "endpoint", "cpu-4x16"));
    expect(labelsAreValid(labels)).to.equal(true);
  });

  it("uploads the model file to the bucket under a folder named by its content hash", async () => {
    const object = single(await build(), MODEL_OBJECT);
    expect(object.inputs.bucket).to.equal(BUCKET);
    expect(object.inputs.name).to.equal(`models/iris/${version}/model.joblib`);
    expect((object.inputs.source as { path: string }).path).to.equal(modelFile);
    expect(await unwrap(endpoint.artifactUri)).to.equal(`gs://${BUCKET}/models/iris/${version}`);
  });

  it("gives a changed model a new folder", () => {
    const other = path.join(dir, "other.joblib");
    writeFileSync(other, "another pickled estimator");
    expect(modelVersion(other)).to.not.equal(modelVersion(modelFile));
    expect(modelVersion(modelFile)).to.equal(version);
  });

  it("deploys the model onto the endpoint on the catalog's hosting machine type", async () => {
    const regs = await build({ size: "cpu-4x16", minReplicas: 2, maxReplicas: 6 });
    const inputs = deployment(regs).inputs;
    expect(inputs).to.deep.include({
      project: PROJECT,
      region: REGION,
      endpointId: String(ENDPOINT_NUMBER),
      displayName: "iris",
      artifactUri: `gs://${BUCKET}/models/iris/${version}`,
      servingImage: "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-2:latest",
      machineType: resolveInstance("cpu-4x16", "gcp", "hosting").instanceType,
      minReplicas: 2,
      maxReplicas: 6,
      targetCpuUtilizationPercent: DEFAULT_TARGET_CPU_UTILIZATION_PERCENT,
      serviceAccount: RUNTIME_EMAIL,
      kmsKeyName: KEY_NAME,
      labels: blockTags(TAGS, "endpoint", "cpu-4x16"),
    });
    expect(inputs).to.not.have.property("acceleratorType");
    expect(inputs).to.not.have.property("acceleratorCount");
  });

  it("waits for the model upload and the key grant before deploying", async () => {
    const regs = await build();
    expect(deployment(regs).dependencies).to.include.members([
      single(regs, MODEL_OBJECT).urn,
      single(regs, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").urn,
      single(regs, AI_ENDPOINT).urn,
    ]);
  });

  const gpuSize = SIZE_NAMES.find(
    (size) => SIZES[size].gpu !== null && unavailableReason(size, "gcp", "hosting") === undefined,
  );

  it("attaches the catalog's accelerators for a GPU size", async () => {
    expect(gpuSize).to.not.equal(undefined);
    const size = gpuSize as (typeof SIZE_NAMES)[number];
    const row = resolveInstance(size, "gcp", "hosting");
    const inputs = deployment(await build({ size })).inputs;
    expect(inputs).to.include({
      machineType: row.instanceType,
      acceleratorType: row.accelerator?.type,
      acceleratorCount: row.accelerator?.count,
    });
  });

  it("raises a minimum of zero replicas to the one Vertex AI requires", async () => {
    expect(SCALE_FLOORS.gcp.hosting.min).to.equal(1);
    const inputs = deployment(await build({ minReplicas: 0, maxReplicas: 3 })).inputs;
    expect(inputs).to.include({ minReplicas: 1, maxReplicas: 3 });
    expect(endpoint.minReplicas).to.equal(1);
  });

  it("takes the autoscaling target it is given", async () => {
    const inputs = deployment(await build({ targetCpuUtilizationPercent: 45 })).inputs;
    expect(inputs.targetCpuUtilizationPercent).to.equal(45);
  });

  it("serves the model as the service account it is given, not Google's default one", async () => {
    const other = `serving@${PROJECT}.iam.gserviceaccount.com`;
    expect(deployment(await build({ serviceAccount: other })).inputs.serviceAccount).to.equal(
      other,
    );
  });

  it("registers every public output", async () => {
    const regs = await build({ size: "cpu-4x16", minReplicas: 2, maxReplicas: 6 });
    const parent = component(regs, "mlplatform:gcp:OnlineEndpoint");
    expect(log.outputs.get(parent.urn)).to.deep.equal({
      // Kept in outputs too: a stack export keeps a component's outputs, which the gate reads.
      requestedReplicas: { min: 2, max: 6 },
      endpointName: String(ENDPOINT_NUMBER),
      scoringUrl: `https://${REGION}-aiplatform.googleapis.com/v1/projects/${PROJECT}/locations/${REGION}/endpoints/${ENDPOINT_NUMBER}:predict`,
      artifactUri: `gs://${BUCKET}/models/iris/${version}`,
      instanceType: resolveInstance("cpu-4x16", "gcp", "hosting").instanceType,
      minReplicas: 2,
      maxReplicas: 6,
    });
  });

  it("reports the endpoint's prediction URL", async () => {
    await build();
    expect(await unwrap(endpoint.scoringUrl)).to.equal(
      `https://${REGION}-aiplatform.googleapis.com/v1/projects/${PROJECT}/locations/${REGION}/endpoints/${ENDPOINT_NUMBER}:predict`,
    );
  });

  it("parents every resource to the endpoint component", async () => {
    const regs = await build();
    const parent = component(regs, "mlplatform:gcp:OnlineEndpoint");
    const children = regs.filter((r) => r.name.startsWith("ep-"));
    expect(children.map((c) => c.name)).to.have.members([
      "ep-id",
      "ep-endpoint",
      "ep-model",
      "ep-deployment",
    ]);
    for (const child of children) {
      expect(child.parent, child.name).to.equal(parent.urn);
    }
  });

  it("serves the sample iris model by default", async () => {
    const object = single(await build({ modelFile: undefined }), MODEL_OBJECT);
    expect((object.inputs.source as { path: string }).path).to.equal(MODEL_ARTIFACTS.joblib);
    expect(object.inputs.name).to.equal(
      `models/iris/${modelVersion(MODEL_ARTIFACTS.joblib)}/model.joblib`,
    );
  });
});

describe("gcp prebuilt serving image", () => {
  it("comes from the multi-region nearest the endpoint's region", () => {
    expect(prebuiltImageHost("us-central1")).to.equal("us-docker.pkg.dev");
    expect(prebuiltImageHost("northamerica-northeast1")).to.equal("us-docker.pkg.dev");
    expect(prebuiltImageHost("europe-west4")).to.equal("europe-docker.pkg.dev");
    expect(prebuiltImageHost("me-west1")).to.equal("europe-docker.pkg.dev");
    expect(prebuiltImageHost("asia-northeast1")).to.equal("asia-docker.pkg.dev");
    expect(prebuiltImageHost("australia-southeast1")).to.equal("asia-docker.pkg.dev");
  });

  it("is the scikit-learn CPU image of the model's scikit-learn version", () => {
    expect(sklearnServingImage("europe-west4", "1.2")).to.equal(
      "europe-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-2:latest",
    );
    expect(sklearnServingImage("us-east1", MODEL_ARTIFACTS.sklearnVersion)).to.equal(
      `us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.${MODEL_ARTIFACTS.sklearnVersion.replace(".", "-")}:latest`,
    );
  });
});
