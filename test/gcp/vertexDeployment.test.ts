import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { resolveInstance } from "../../policies/catalog";
import { dynamicProviderText } from "../../components/dynamicProvider";
import { VertexModelDeployment } from "../../components/gcp/vertexDeployment";
import {
  type DeploymentState,
  deploymentDiff,
  normalizeInputs,
  requestMarker,
  resolveCredentials,
  trafficWithout,
  validateDeploymentInputs,
  vertexDeploymentProvider,
} from "../../components/gcp/vertexDeploymentProvider";
import { loadProviderText, mockPulumi, registered, single } from "../harness";
import { FAKE_TOKEN, FakeVertexApi, PROJECT_NUMBER } from "./fakeVertexApi";

const PROJECT = "ml-platform-test";
const REGION = "us-central1";
const ENDPOINT_ID = "4567012345";
const PARENT = `projects/${PROJECT}/locations/${REGION}`;
const ENDPOINT_PATH = `${PARENT}/endpoints/${ENDPOINT_ID}`;
const SERVED_PARENT = `projects/${PROJECT_NUMBER}/locations/${REGION}`;
const HOSTING = resolveInstance("cpu-2x8", "gcp", "hosting");
const GPU_HOSTING = resolveInstance("gpu-t4x1", "gcp", "hosting");
const KMS_KEY = `${PARENT}/keyRings/mlplatform/cryptoKeys/vertex`;
const RUNTIME_EMAIL = `mlplatform-test-runtime@${PROJECT}.iam.gserviceaccount.com`;
const IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-2:latest";
const ARTIFACT_URI = "gs://mlplatform-test-models-4f2a9c/models/iris/3b1c0e9d2a7f";
const CPU_METRIC = "aiplatform.googleapis.com/prediction/online/cpu/utilization";
const LABELS = { "mlplatform-stack": "test", "mlplatform-block": "model-registry" };
const TIMEOUT_MS = 3000;
const NEVER_DONE_TIMEOUT_MS = 200;
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const fake = new FakeVertexApi(REGION);

const FAST = {
  accessToken: async () => FAKE_TOKEN,
  pollInitialDelayMs: 5,
  pollMaxDelayMs: 20,
  requestTimeoutMs: TIMEOUT_MS,
  timeouts: {
    uploadMs: TIMEOUT_MS,
    deployMs: TIMEOUT_MS,
    mutateMs: TIMEOUT_MS,
    undeployMs: TIMEOUT_MS,
    deleteModelMs: TIMEOUT_MS,
  },
};
const provider = vertexDeploymentProvider(FAST);

function inputs(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    project: PROJECT,
    region: REGION,
    endpointId: ENDPOINT_ID,
    displayName: "iris",
    artifactUri: ARTIFACT_URI,
    servingImage: IMAGE,
    machineType: HOSTING.instanceType,
    minReplicas: 1,
    maxReplicas: 3,
    targetCpuUtilizationPercent: 70,
    serviceAccount: RUNTIME_EMAIL,
    kmsKeyName: KMS_KEY,
    labels: LABELS,
    apiEndpoint: fake.url,
  };
  const merged = { ...base, ...overrides };
  for (const key of Object.keys(merged)) {
    if (merged[key] === undefined) delete merged[key];
  }
  return merged;
}

function markerOf(props: Record<string, unknown>): string {
  return requestMarker(normalizeInputs(props));
}

/** Calls with operation and model ids replaced by `*`, for comparing sequences. */
function shapes(calls: string[]): string[] {
  return calls.map((c) =>
    c.replace(/\/operations\/\d+/, "/operations/*").replace(/models\/\d+/, "models/*"),
  );
}

async function create(
  props: Record<string, unknown>,
  withProvider: pulumi.dynamic.ResourceProvider = provider,
): Promise<{ id: string; outs: DeploymentState }> {
  const result = await withProvider.create(props);
  return { id: result.id, outs: result.outs as DeploymentState };
}

/** The stack config as the dynamic providers' host hands it to `configure`. */
function stackConfig(values: Record<string, string>): pulumi.dynamic.ConfigureRequest {
  return {
    config: {
      get: (key: string) => values[key],
      require: (key: string) => {
        if (values[key] === undefined)
          throw new Error(`Missing required configuration key: ${key}`);
        return values[key];
      },
    },
  };
}

/** Runs `action` with environment variables set, then puts the environment back. */
async function withEnv<T>(values: Record<string, string>, action: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  try {
    return await action();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the call to fail");
}

describe("gcp VertexModelDeployment provider against a loopback Vertex AI API", () => {
  before(() => fake.start());
  after(() => fake.stop());
  beforeEach(() => {
    fake.reset();
    fake.addEndpoint(ENDPOINT_ID);
  });

  describe("create", () => {
    it("uploads the model, waits for the operation, then deploys it with all the traffic", async () => {
      const props = inputs();
      const marker = markerOf(props);
      const { id, outs } = await create(props);

      expect(shapes(fake.calls())).to.deep.equal([
        `GET ${ENDPOINT_PATH}`,
        `GET ${PARENT}/models`,
        `POST ${PARENT}/models:upload`,
        `GET ${SERVED_PARENT}/models/*/operations/*`,
        `GET ${SERVED_PARENT}/models/*/operations/*`,
        `POST ${ENDPOINT_PATH}:deployModel`,
        `GET ${SERVED_PARENT}/endpoints/${ENDPOINT_ID}/operations/*`,
        `GET ${SERVED_PARENT}/endpoints/${ENDPOINT_ID}/operations/*`,
      ]);
      expect(fake.requests[1].query).to.deep.equal({
        filter: `labels.mlplatform_deployment="${marker}"`,
        pageSize: "100",
      });
      expect(fake.bodyOf("models:upload")).to.deep.equal({
        model: {
          displayName: "iris",
          artifactUri: ARTIFACT_URI,
          containerSpec: { imageUri: IMAGE },
          labels: { ...LABELS, mlplatform_deployment: marker },
          encryptionSpec: { kmsKeyName: KMS_KEY },
        },
      });
      const [model] = [...fake.models.values()];
      expect(fake.bodyOf(":deployModel")).to.deep.equal({
        deployedModel: {
          model: model.name,
          displayName: "iris",
          dedicatedResources: {
            machineSpec: { machineType: HOSTING.instanceType },
            minReplicaCount: 1,
            maxReplicaCount: 3,
            autoscalingMetricSpecs: [{ metricName: CPU_METRIC, target: 70 }],
          },
          serviceAccount: RUNTIME_EMAIL,
        },
        trafficSplit: { "0": 100 },
      });
      expect(fake.requests.every((r) => r.authorization === `Bearer ${FAKE_TOKEN}`)).to.equal(true);

      const endpoint = fake.endpoints.get(ENDPOINT_ID);
      const deployedId = endpoint?.deployedModels?.[0].id as string;
      expect(endpoint?.deployedModels?.[0].serviceAccount).to.equal(RUNTIME_EMAIL);
      expect(endpoint?.trafficSplit).to.deep.equal({ [deployedId]: 100 });
      expect(id).to.equal(`${ENDPOINT_PATH}/deployedModels/${deployedId}`);
      expect(outs).to.deep.include({
        endpointName: ENDPOINT_PATH,
        modelName: model.name,
        modelId: model.name.split("/").pop(),
        deployedModelId: deployedId,
        requestMarker: marker,
        machineType: HOSTING.instanceType,
        minReplicas: 1,
        maxReplicas: 3,
        targetCpuUtilizationPercent: 70,
        serviceAccount: RUNTIME_EMAIL,
        apiEndpoint: fake.url,
      });
      expect(model.name.startsWith(`${SERVED_PARENT}/models/`)).to.equal(true);
    });

    it("sends no service account when none is given, leaving Vertex AI's default", async () => {
      await create(inputs({ serviceAccount: undefined }));
      const deployed = fake.bodyOf(":deployModel").deployedModel as Record<string, unknown>;
      expect(deployed).to.not.have.property("serviceAccount");
      expect(fake.endpoints.get(ENDPOINT_ID)?.deployedModels?.[0]).to.not.have.property(
        "serviceAccount",
      );
    });

    it("sends the catalog's accelerator for a GPU size, the default CPU target and no CMEK when no key is given", async () => {
      const accelerator = GPU_HOSTING.accelerator;
      expect(accelerator).to.not.equal(undefined);
      await create(
        inputs({
          machineType: GPU_HOSTING.instanceType,
          acceleratorType: accelerator?.type,
          acceleratorCount: accelerator?.count,
          targetCpuUtilizationPercent: undefined,
          kmsKeyName: undefined,
        }),
      );
      const upload = fake.bodyOf("models:upload").model as Record<string, unknown>;
      expect(upload).to.not.have.property("encryptionSpec");
      const deployed = fake.bodyOf(":deployModel").deployedModel as Record<string, unknown>;
      expect(deployed.dedicatedResources).to.deep.equal({
        machineSpec: {
          machineType: GPU_HOSTING.instanceType,
          acceleratorType: accelerator?.type,
          acceleratorCount: accelerator?.count,
        },
        minReplicaCount: 1,
        maxReplicaCount: 3,
        autoscalingMetricSpecs: [{ metricName: CPU_METRIC, target: 60 }],
      });
    });

    it("refuses an endpoint that does not exist before uploading anything", async () => {
      fake.endpoints.clear();
      const message = await failure(provider.create(inputs()));
      expect(message).to.contain(`endpoint ${ENDPOINT_PATH}`);
      expect(message).to.contain("NOT_FOUND");
      expect(fake.calls()).to.deep.equal([`GET ${ENDPOINT_PATH}`]);
    });

    it("refuses invalid inputs before calling the API", async () => {
      const message = await failure(provider.create(inputs({ minReplicas: 0 })));
      expect(message).to.equal(
        "invalid Vertex AI model deployment: minReplicas: 0 is not allowed; Vertex AI dedicated resources need an integer of at least 1",
      );
      expect(fake.requests).to.have.length(0);
    });

    it("turns a failing token source into one error that says how to get credentials", async () => {
      const refused = vertexDeploymentProvider({
        ...FAST,
        accessToken: async () => {
          throw new Error("Could not load the default credentials");
        },
      });
      const message = await failure(refused.create(inputs()));
      expect(message).to.contain("endpoints.get of endpoint");
      expect(message).to.contain("no Google credentials: Could not load the default credentials");
      expect(message).to.contain("gcloud auth application-default login");
      expect(fake.requests).to.have.length(0);
    });

    it("authenticates with gcp:accessToken from the stack config the engine passes to configure", async () => {
      const configured = vertexDeploymentProvider({ ...FAST, accessToken: undefined });
      await configured.configure?.(stackConfig({ "gcp:accessToken": FAKE_TOKEN }));
      await create(inputs(), configured);
      expect(fake.requests.map((r) => r.authorization)).to.satisfy((auths: string[]) =>
        auths.every((a) => a === `Bearer ${FAKE_TOKEN}`),
      );
    });

    it("authenticates with GOOGLE_OAUTH_ACCESS_TOKEN when the config sets no credentials", async () => {
      const configured = vertexDeploymentProvider({ ...FAST, accessToken: undefined });
      await configured.configure?.(stackConfig({}));
      await withEnv({ GOOGLE_OAUTH_ACCESS_TOKEN: FAKE_TOKEN }, () => create(inputs(), configured));
      expect(fake.requests[0].authorization).to.equal(`Bearer ${FAKE_TOKEN}`);
    });

    it("impersonates gcp:impersonateServiceAccount with the configured token, through the IAM credentials API", async () => {
      const deployer = `deployer@${PROJECT}.iam.gserviceaccount.com`;
      fake.allowImpersonation("pipeline-token", deployer);
      const configured = vertexDeploymentProvider({
        ...FAST,
        accessToken: undefined,
        iamCredentialsEndpoint: fake.url,
      });
      await configured.configure?.(
        stackConfig({
          "gcp:accessToken": "pipeline-token",
          "gcp:impersonateServiceAccount": deployer,
        }),
      );
      await create(inputs(), configured);
      expect(fake.requests[0]).to.include({
        method: "POST",
        path: `projects/-/serviceAccounts/${deployer}:generateAccessToken`,
        authorization: "Bearer pipeline-token",
      });
      expect(fake.requests.slice(1).map((r) => r.authorization)).to.satisfy((auths: string[]) =>
        auths.every((a) => a === `Bearer ${FAKE_TOKEN}`),
      );
    });

    it("names gcp:credentials, never its contents, when it is neither a key file nor key JSON", async () => {
      const configured = vertexDeploymentProvider({ ...FAST, accessToken: undefined });
      await configured.configure?.(stackConfig({ "gcp:credentials": "not-a-key secret-bits" }));
      const message = await failure(configured.create(inputs()));
      expect(message).to.contain(
        "no Google credentials: gcp:credentials is neither a readable key file nor the JSON of a service account key",
      );
      expect(message).not.to.contain("secret-bits");
      expect(fake.requests).to.have.length(0);
    });

    it("keeps polling through a transient 503 from operations.get", async () => {
      fake.failRequest(
        "GET",
        /\/operations\//,
        503,
        "UNAVAILABLE",
        "The service is currently unavailable.",
      );
      const { outs } = await create(inputs());
      expect(outs.deployedModelId).to.match(/^\d+$/);
      expect(fake.models.size).to.equal(1);
    });
  });

  describe("idempotent retry", () => {
    it("reuses the model an interrupted create uploaded instead of uploading another", async () => {
      const props = inputs();
      const existing = fake.addModel({
        displayName: "iris",
        artifactUri: ARTIFACT_URI,
        containerSpec: { imageUri: IMAGE },
        labels: { ...LABELS, mlplatform_deployment: markerOf(props) },
      });
      const { outs } = await create(props);
      expect(fake.calls().some((c) => c.endsWith("models:upload"))).to.equal(false);
      expect((fake.bodyOf(":deployModel").deployedModel as { model: string }).model).to.equal(
        existing.name,
      );
      expect(outs.modelName).to.equal(existing.name);
      expect(fake.models.size).to.equal(1);
    });

    it("adopts a deployment an interrupted create left and corrects its scaling in place", async () => {
      const props = inputs();
      const existing = fake.addModel({
        displayName: "iris",
        artifactUri: ARTIFACT_URI,
        containerSpec: { imageUri: IMAGE },
        labels: { ...LABELS, mlplatform_deployment: markerOf(props) },
      });
      const deployedId = fake.addDeployment(ENDPOINT_ID, existing.name, {
        displayName: "iris",
        dedicatedResources: {
          machineSpec: { machineType: HOSTING.instanceType },
          minReplicaCount: 1,
          maxReplicaCount: 2,
          autoscalingMetricSpecs: [{ metricName: CPU_METRIC, target: 60 }],
        },
      });
      const { id, outs } = await create(props);
      expect(shapes(fake.calls())).to.deep.equal([
        `GET ${ENDPOINT_PATH}`,
        `GET ${PARENT}/models`,
        `POST ${ENDPOINT_PATH}:mutateDeployedModel`,
        `GET ${SERVED_PARENT}/endpoints/${ENDPOINT_ID}/operations/*`,
        `GET ${SERVED_PARENT}/endpoints/${ENDPOINT_ID}/operations/*`,
      ]);
      expect(id).to.equal(`${ENDPOINT_PATH}/deployedModels/${deployedId}`);
      expect(outs.deployedModelId).to.equal(deployedId);
      const live = fake.endpoints.get(ENDPOINT_ID)?.deployedModels?.[0].dedicatedResources;
      expect(live?.maxReplicaCount).to.equal(3);
      expect(live?.autoscalingMetricSpecs).to.deep.equal([{ metricName: CPU_METRIC, target: 70 }]);
    });

    it("patches the labels of a reused model whose labels changed", async () => {
      const props = inputs();
      const marker = markerOf(props);
      fake.addModel({
        displayName: "iris",
        artifactUri: ARTIFACT_URI,
        containerSpec: { imageUri: IMAGE },
        labels: { "mlplatform-stack": "old", mlplatform_deployment: marker },
      });
      await create(props);
      const patch = fake.requests.find((r) => r.method === "PATCH");
      expect(patch?.query).to.deep.equal({ updateMask: "labels" });
      expect(patch?.body).to.deep.equal({ labels: { ...LABELS, mlplatform_deployment: marker } });
    });
  });

  describe("failures", () => {
    it("deletes the uploaded model when deployModel is refused for quota, and says so in one message", async () => {
      fake.failRequest(
        "POST",
        /:deployModel$/,
        429,
        "RESOURCE_EXHAUSTED",
        "The following quota metrics exceed quota limits: aiplatform.googleapis.com/custom_model_serving_cpus_per_region",
      );
      const message = await failure(provider.create(inputs()));
      const modelName = fake.requests.find((r) => r.method === "DELETE")?.path;
      expect(modelName).to.match(/^projects\/123456789012\/locations\/us-central1\/models\/\d+$/);
      expect(message).to.equal(
        `Vertex AI endpoints.deployModel of model ${modelName} onto endpoint ${ENDPOINT_PATH} failed: ` +
          "RESOURCE_EXHAUSTED (HTTP 429): The following quota metrics exceed quota limits: " +
          "aiplatform.googleapis.com/custom_model_serving_cpus_per_region. The project is out of quota " +
          "for this request: request more Vertex AI quota for the machine or accelerator type in the " +
          "region, or lower maxReplicas or the accelerator count. " +
          `The model ${modelName} uploaded for this deployment was deleted; nothing is left behind.`,
      );
      expect(fake.models.size).to.equal(0);
    });

    it("reports a permission error on upload and deploys nothing", async () => {
      fake.failRequest(
        "POST",
        /models:upload$/,
        403,
        "PERMISSION_DENIED",
        "Permission 'aiplatform.models.upload' denied on resource '//aiplatform.googleapis.com/projects/ml-platform-test/locations/us-central1' (or it may not exist)",
      );
      const message = await failure(provider.create(inputs()));
      expect(message).to.contain(
        `Vertex AI models.upload of model iris in ${PARENT} failed: PERMISSION_DENIED (HTTP 403): Permission 'aiplatform.models.upload' denied`,
      );
      expect(message).to.contain("roles/aiplatform.user");
      expect(message).to.contain(
        "iam.serviceAccounts.actAs (roles/iam.serviceAccountUser) on the deployment's serving service account",
      );
      expect(fake.calls()).to.deep.equal([
        `GET ${ENDPOINT_PATH}`,
        `GET ${PARENT}/models`,
        `POST ${PARENT}/models:upload`,
      ]);
      expect(fake.models.size).to.equal(0);
    });

    it("reports an upload operation that finishes with an error, by its status name", async () => {
      fake.failOperation("upload", {
        error: { code: 3, message: `No model file found in ${ARTIFACT_URI}` },
      });
      const message = await failure(provider.create(inputs()));
      expect(message).to.match(
        new RegExp(
          `^Vertex AI models\\.upload of model iris in ${PARENT} failed: operation ${SERVED_PARENT}/models/\\d+/operations/\\d+ finished with INVALID_ARGUMENT: No model file found in ${ARTIFACT_URI}\\.$`,
        ),
      );
      expect(fake.calls().some((c) => c.endsWith(":deployModel"))).to.equal(false);
      expect(fake.models.size).to.equal(0);
    });

    it("rolls back when the deploy operation finishes with an error", async () => {
      fake.failOperation("deploy", {
        error: {
          code: 8,
          message: "Machine type n1-standard-4 with NVIDIA_TESLA_T4 is out of capacity",
        },
      });
      const message = await failure(provider.create(inputs()));
      expect(message).to.contain("finished with RESOURCE_EXHAUSTED: Machine type");
      expect(message).to.contain("was deleted; nothing is left behind.");
      expect(fake.models.size).to.equal(0);
    });

    it("gives up on a deploy operation that never finishes, cancels it and deletes the model", async () => {
      const impatient = vertexDeploymentProvider({
        ...FAST,
        timeouts: { ...FAST.timeouts, deployMs: NEVER_DONE_TIMEOUT_MS },
      });
      fake.failOperation("deploy", { neverDone: true });
      const started = Date.now();
      const message = await failure(impatient.create(inputs()));
      expect(Date.now() - started).to.be.below(TIMEOUT_MS);
      expect(message).to.match(
        new RegExp(
          `^Vertex AI endpoints\\.deployModel of model \\S+ onto endpoint ${ENDPOINT_PATH} did not finish within 200 ms: operation ${SERVED_PARENT}/endpoints/${ENDPOINT_ID}/operations/\\d+ is still running\\. The model \\S+ uploaded for this deployment was deleted; nothing is left behind\\.$`,
        ),
      );
      const cancel = fake.requests.find((r) => r.path.endsWith(":cancel"));
      expect(cancel?.method).to.equal("POST");
      expect(cancel?.path).to.match(
        new RegExp(`^${SERVED_PARENT}/endpoints/${ENDPOINT_ID}/operations/\\d+:cancel$`),
      );
      expect(fake.models.size).to.equal(0);
    });

    it("names the model left behind when the cleanup fails too", async () => {
      fake.failRequest("POST", /:deployModel$/, 429, "RESOURCE_EXHAUSTED", "Quota exceeded");
      fake.failRequest(
        "DELETE",
        /models\/\d+$/,
        403,
        "PERMISSION_DENIED",
        "Permission 'aiplatform.models.delete' denied",
      );
      const message = await failure(provider.create(inputs()));
      const modelName = [...fake.models.values()][0].name;
      expect(message).to.contain("RESOURCE_EXHAUSTED (HTTP 429): Quota exceeded.");
      expect(message).to.contain(
        `Cleaning up also failed: Vertex AI models.delete of model ${modelName} failed: PERMISSION_DENIED (HTTP 403)`,
      );
      expect(message).to.contain(
        `The model ${modelName} is left in the Model Registry: the next pulumi up reuses it`,
      );
    });
  });

  describe("read", () => {
    it("returns the live deployment, and drift in replica bounds shows as an update", async () => {
      const props = inputs();
      const { id, outs } = await create(props);
      const unchanged = await provider.read?.(id, outs);
      expect(unchanged).to.deep.equal({ id, props: outs });

      const live = fake.endpoints.get(ENDPOINT_ID)?.deployedModels?.[0].dedicatedResources;
      if (live === undefined) throw new Error("no deployment");
      live.maxReplicaCount = 5;
      const drifted = await provider.read?.(id, outs);
      expect(drifted?.props?.maxReplicas).to.equal(5);
      expect(deploymentDiff(drifted?.props as Record<string, unknown>, props)).to.deep.equal({
        changes: true,
        replaces: [],
        deleteBeforeReplace: true,
      });
    });

    it("returns no id once the deployment or the model is gone", async () => {
      const { id, outs } = await create(inputs());
      const endpoint = fake.endpoints.get(ENDPOINT_ID);
      if (endpoint === undefined) throw new Error("no endpoint");
      fake.models.clear();
      expect(await provider.read?.(id, outs)).to.deep.equal({});
      endpoint.deployedModels = [];
      expect(await provider.read?.(id, outs)).to.deep.equal({});
      fake.endpoints.clear();
      expect(await provider.read?.(id, outs)).to.deep.equal({});
    });
  });

  describe("update", () => {
    it("changes replica bounds and the CPU target in place with mutateDeployedModel", async () => {
      const { id, outs } = await create(inputs());
      fake.requests.length = 0;
      const news = inputs({ minReplicas: 2, maxReplicas: 6, targetCpuUtilizationPercent: 50 });
      const result = await provider.update?.(id, outs, news);
      expect(shapes(fake.calls())).to.deep.equal([
        `POST ${ENDPOINT_PATH}:mutateDeployedModel`,
        `GET ${SERVED_PARENT}/endpoints/${ENDPOINT_ID}/operations/*`,
        `GET ${SERVED_PARENT}/endpoints/${ENDPOINT_ID}/operations/*`,
      ]);
      expect(fake.bodyOf(":mutateDeployedModel")).to.deep.equal({
        deployedModel: {
          id: outs.deployedModelId,
          dedicatedResources: {
            machineSpec: { machineType: HOSTING.instanceType },
            minReplicaCount: 2,
            maxReplicaCount: 6,
            autoscalingMetricSpecs: [{ metricName: CPU_METRIC, target: 50 }],
          },
        },
        updateMask:
          "dedicatedResources.minReplicaCount,dedicatedResources.maxReplicaCount,dedicatedResources.autoscalingMetricSpecs",
      });
      const live = fake.endpoints.get(ENDPOINT_ID)?.deployedModels?.[0].dedicatedResources;
      expect([live?.minReplicaCount, live?.maxReplicaCount]).to.deep.equal([2, 6]);
      expect(result?.outs).to.deep.include({
        modelName: outs.modelName,
        deployedModelId: outs.deployedModelId,
        requestMarker: outs.requestMarker,
        minReplicas: 2,
        maxReplicas: 6,
        targetCpuUtilizationPercent: 50,
      });
    });

    it("patches the model's labels, keeping the marker, without touching the deployment", async () => {
      const { id, outs } = await create(inputs());
      fake.requests.length = 0;
      const labels = { ...LABELS, owner: "ml-platform" };
      await provider.update?.(id, outs, inputs({ labels }));
      expect(fake.calls()).to.deep.equal([`PATCH ${outs.modelName}`]);
      expect(fake.requests[0].query).to.deep.equal({ updateMask: "labels" });
      expect(fake.requests[0].body).to.deep.equal({
        labels: { ...labels, mlplatform_deployment: outs.requestMarker },
      });
    });
  });

  describe("delete", () => {
    it("undeploys the model before deleting it", async () => {
      const { id, outs } = await create(inputs());
      fake.requests.length = 0;
      await provider.delete?.(id, outs);
      expect(shapes(fake.calls())).to.deep.equal([
        `GET ${ENDPOINT_PATH}`,
        `POST ${ENDPOINT_PATH}:undeployModel`,
        `GET ${SERVED_PARENT}/endpoints/${ENDPOINT_ID}/operations/*`,
        `GET ${SERVED_PARENT}/endpoints/${ENDPOINT_ID}/operations/*`,
        `DELETE ${SERVED_PARENT}/models/*`,
        `GET ${SERVED_PARENT}/models/*/operations/*`,
        `GET ${SERVED_PARENT}/models/*/operations/*`,
      ]);
      expect(fake.bodyOf(":undeployModel")).to.deep.equal({
        deployedModelId: outs.deployedModelId,
      });
      expect(fake.models.size).to.equal(0);
      expect(fake.endpoints.get(ENDPOINT_ID)?.deployedModels).to.deep.equal([]);
    });

    it("replaces without downtime: the old deployment's removal leaves the traffic on the new one", async () => {
      const old = await create(inputs());
      const replacement = await create(inputs({ artifactUri: `${ARTIFACT_URI}-v2` }));
      expect(replacement.outs.modelName).to.not.equal(old.outs.modelName);
      expect(fake.endpoints.get(ENDPOINT_ID)?.trafficSplit).to.deep.equal({
        [replacement.outs.deployedModelId]: 100,
      });
      fake.requests.length = 0;
      await provider.delete?.(old.id, old.outs);
      expect(fake.bodyOf(":undeployModel")).to.deep.equal({
        deployedModelId: old.outs.deployedModelId,
      });
      expect(fake.endpoints.get(ENDPOINT_ID)?.trafficSplit).to.deep.equal({
        [replacement.outs.deployedModelId]: 100,
      });
    });

    it("hands the traffic of a deleted deployment to the one that remains", async () => {
      const first = await create(inputs());
      const second = await create(inputs({ artifactUri: `${ARTIFACT_URI}-v2` }));
      fake.requests.length = 0;
      await provider.delete?.(second.id, second.outs);
      expect(fake.bodyOf(":undeployModel")).to.deep.equal({
        deployedModelId: second.outs.deployedModelId,
        trafficSplit: { [first.outs.deployedModelId]: 100 },
      });
      expect(fake.endpoints.get(ENDPOINT_ID)?.trafficSplit).to.deep.equal({
        [first.outs.deployedModelId]: 100,
      });
    });

    it("succeeds when the deployment and the model are already gone", async () => {
      const { id, outs } = await create(inputs());
      const endpoint = fake.endpoints.get(ENDPOINT_ID);
      if (endpoint === undefined) throw new Error("no endpoint");
      endpoint.deployedModels = [];
      endpoint.trafficSplit = {};
      fake.models.clear();
      fake.requests.length = 0;
      await provider.delete?.(id, outs);
      expect(fake.calls()).to.deep.equal([`GET ${ENDPOINT_PATH}`, `DELETE ${outs.modelName}`]);

      fake.endpoints.clear();
      fake.requests.length = 0;
      await provider.delete?.(id, outs);
      expect(fake.calls()).to.deep.equal([`GET ${ENDPOINT_PATH}`, `DELETE ${outs.modelName}`]);
    });

    it("tolerates a deployment that disappears between the read and the undeploy", async () => {
      const { id, outs } = await create(inputs());
      fake.failRequest(
        "POST",
        /:undeployModel$/,
        404,
        "NOT_FOUND",
        `DeployedModel ${outs.deployedModelId} not found.`,
      );
      fake.failRequest(
        "DELETE",
        /models\/\d+$/,
        404,
        "NOT_FOUND",
        `Model ${outs.modelName} not found.`,
      );
      fake.requests.length = 0;
      await provider.delete?.(id, outs);
      expect(fake.calls()).to.deep.equal([
        `GET ${ENDPOINT_PATH}`,
        `POST ${ENDPOINT_PATH}:undeployModel`,
        `DELETE ${outs.modelName}`,
      ]);
    });
  });

  describe("the bundled provider", () => {
    /** The provider as the dynamic-provider host gets it from the resource's `__provider`. */
    function bundled(options: Record<string, unknown> = {}): pulumi.dynamic.ResourceProvider {
      // Options cross as JSON: the token comes through configure, as the stack's config.
      const plain: Record<string, unknown> = { ...FAST };
      delete plain.accessToken;
      return loadProviderText(
        dynamicProviderText({
          module: require.resolve("../../components/gcp/vertexDeploymentProvider"),
          factory: "vertexDeploymentProvider",
          options: { ...plain, ...options },
        }),
      );
    }

    async function configured(): Promise<pulumi.dynamic.ResourceProvider> {
      const provider = bundled();
      await provider.configure?.(stackConfig({ "gcp:accessToken": FAKE_TOKEN }));
      return provider;
    }

    it("runs create and delete with the stack's token, as the host loads it", async () => {
      const reloaded = await configured();
      await withEnv({ GOOGLE_OAUTH_ACCESS_TOKEN: "env-token-at-run-time" }, async () => {
        const { id, outs } = await reloaded.create(inputs());
        expect(fake.endpoints.get(ENDPOINT_ID)?.trafficSplit).to.deep.equal({
          [outs.deployedModelId]: 100,
        });
        await reloaded.delete?.(id, outs);
      });
      expect(fake.models.size).to.equal(0);
      expect(fake.requests.every((r) => r.authorization === `Bearer ${FAKE_TOKEN}`)).to.equal(true);
    });

    it("keeps the message of a refused call and of the rollback", async () => {
      const reloaded = await configured();
      fake.failRequest("POST", /:deployModel$/, 429, "RESOURCE_EXHAUSTED", "quota exceeded");
      const message = await failure(reloaded.create(inputs()));
      const modelName = fake.requests.find((r) => r.method === "DELETE")?.path;
      expect(message).to.equal(
        `Vertex AI endpoints.deployModel of model ${modelName} onto endpoint ${ENDPOINT_PATH} failed: ` +
          "RESOURCE_EXHAUSTED (HTTP 429): quota exceeded. The project is out of quota for this " +
          "request: request more Vertex AI quota for the machine or accelerator type in the region, " +
          "or lower maxReplicas or the accelerator count. " +
          `The model ${modelName} uploaded for this deployment was deleted; nothing is left behind.`,
      );
    });

    it("keeps the message of a refused call that is not rolled back", async () => {
      const reloaded = await configured();
      fake.failRequest("GET", /endpoints\//, 403, "PERMISSION_DENIED", "denied");
      const message = await failure(reloaded.create(inputs()));
      expect(message).to.match(
        new RegExp(
          `^Vertex AI endpoints\\.get of endpoint ${ENDPOINT_PATH} failed: PERMISSION_DENIED \\(HTTP 403\\): denied\\. `,
        ),
      );
    });

    it("impersonates through google-auth-library, which it loads only when it runs", async () => {
      const deployer = `deployer@${PROJECT}.iam.gserviceaccount.com`;
      fake.allowImpersonation("pipeline-token", deployer);
      const reloaded = bundled({ iamCredentialsEndpoint: fake.url });
      await reloaded.configure?.(
        stackConfig({
          "gcp:accessToken": "pipeline-token",
          "gcp:impersonateServiceAccount": deployer,
        }),
      );
      const { id, outs } = await reloaded.create(inputs());
      await reloaded.delete?.(id, outs);
      expect(fake.requests[0]).to.include({
        method: "POST",
        path: `projects/-/serviceAccounts/${deployer}:generateAccessToken`,
        authorization: "Bearer pipeline-token",
      });
    });

    it("carries no credential and requires google-auth-library only when it runs", () => {
      const text = dynamicProviderText({
        module: require.resolve("../../components/gcp/vertexDeploymentProvider"),
        factory: "vertexDeploymentProvider",
      });
      expect(text).not.to.contain(FAKE_TOKEN);
      expect(text).to.match(/require\("google-auth-library"\)/);
      expect(text).to.contain("https://www.googleapis.com/auth/cloud-platform");
    });
  });
});

describe("gcp VertexModelDeployment credentials, in the gcp provider's order", () => {
  const KEY = '{"type":"service_account"}';

  it("takes the stack config before the environment, and a token before a key file", () => {
    const env = { GOOGLE_OAUTH_ACCESS_TOKEN: "env-token", GOOGLE_CREDENTIALS: "env-key" };
    expect(
      resolveCredentials({ "gcp:accessToken": "cfg-token", "gcp:credentials": KEY }, env),
    ).to.deep.equal({
      source: { kind: "accessToken", value: "cfg-token", from: "gcp:accessToken" },
    });
    expect(resolveCredentials({ "gcp:credentials": KEY }, env)).to.deep.equal({
      source: { kind: "credentials", value: KEY, from: "gcp:credentials" },
    });
    expect(resolveCredentials({}, env)).to.deep.equal({
      source: { kind: "accessToken", value: "env-token", from: "GOOGLE_OAUTH_ACCESS_TOKEN" },
    });
  });

  it("reads key files from GOOGLE_CREDENTIALS, GOOGLE_CLOUD_KEYFILE_JSON, GCLOUD_KEYFILE_JSON in turn, else ADC", () => {
    expect(
      resolveCredentials({}, { GOOGLE_CLOUD_KEYFILE_JSON: "second", GCLOUD_KEYFILE_JSON: "third" }),
    ).to.deep.equal({
      source: { kind: "credentials", value: "second", from: "GOOGLE_CLOUD_KEYFILE_JSON" },
    });
    expect(
      resolveCredentials({ "gcp:accessToken": "" }, { GCLOUD_KEYFILE_JSON: "third" }),
    ).to.deep.equal({
      source: { kind: "credentials", value: "third", from: "GCLOUD_KEYFILE_JSON" },
    });
    expect(resolveCredentials({}, { GOOGLE_APPLICATION_CREDENTIALS: "/adc.json" })).to.deep.equal({
      source: { kind: "applicationDefault" },
    });
  });

  it("impersonates the configured account, else GOOGLE_IMPERSONATE_SERVICE_ACCOUNT, with delegates", () => {
    const env = { GOOGLE_IMPERSONATE_SERVICE_ACCOUNT: "env@p.iam.gserviceaccount.com" };
    expect(
      resolveCredentials(
        {
          "gcp:impersonateServiceAccount": "deployer@p.iam.gserviceaccount.com",
          "gcp:impersonateServiceAccountDelegates": '["hop@p.iam.gserviceaccount.com"]',
        },
        env,
      ),
    ).to.deep.equal({
      source: { kind: "applicationDefault" },
      impersonate: {
        serviceAccount: "deployer@p.iam.gserviceaccount.com",
        delegates: ["hop@p.iam.gserviceaccount.com"],
      },
    });
    expect(resolveCredentials({}, env).impersonate).to.deep.equal({
      serviceAccount: "env@p.iam.gserviceaccount.com",
      delegates: [],
    });
  });
});

describe("gcp VertexModelDeployment inputs", () => {
  const valid = (): Record<string, unknown> => inputs({ apiEndpoint: undefined });

  it("accepts a valid deployment and fills the defaults", () => {
    expect(validateDeploymentInputs(valid())).to.deep.equal([]);
    const normalized = normalizeInputs(
      inputs({ apiEndpoint: undefined, targetCpuUtilizationPercent: undefined }),
    );
    expect(normalized.apiEndpoint).to.equal("https://us-central1-aiplatform.googleapis.com");
    expect(normalized.targetCpuUtilizationPercent).to.equal(60);
  });

  it("names every problem with the bad value and what is allowed", () => {
    const failures = validateDeploymentInputs({
      ...valid(),
      endpointId: "projects/ml-platform-test/locations/europe-west4/endpoints/1",
      artifactUri: "s3://models/iris",
      acceleratorType: "NVIDIA_TESLA_T4",
      minReplicas: 2,
      maxReplicas: 1,
      targetCpuUtilizationPercent: 150,
      kmsKeyName: "projects/ml-platform-test/locations/europe-west4/keyRings/r/cryptoKeys/k",
      labels: { Owner: "x", mlplatform_deployment: "y", team: "Fraud Detection" },
      apiEndpoint: "http://aiplatform.example.com",
    });
    expect(failures).to.deep.equal([
      {
        property: "artifactUri",
        reason:
          '"s3://models/iris" is not allowed; use the gs:// directory that holds the model file',
      },
      {
        property: "endpointId",
        reason:
          '"projects/ml-platform-test/locations/europe-west4/endpoints/1" is not allowed; the endpoint must be in region us-central1',
      },
      {
        property: "acceleratorCount",
        reason: "acceleratorType and acceleratorCount must be set together",
      },
      {
        property: "maxReplicas",
        reason: "1 is not allowed; use an integer of at least minReplicas (2)",
      },
      {
        property: "targetCpuUtilizationPercent",
        reason: "150 is not allowed; use an integer from 1 to 100",
      },
      {
        property: "kmsKeyName",
        reason:
          '"projects/ml-platform-test/locations/europe-west4/keyRings/r/cryptoKeys/k" is not allowed; Vertex AI needs a key in the model\'s region us-central1',
      },
      {
        property: "labels.Owner",
        reason:
          "is not a valid key; use lowercase letters, digits, _ and -, starting with a letter",
      },
      { property: "labels.mlplatform_deployment", reason: "is reserved for the deployment marker" },
      {
        property: "labels.team",
        reason:
          '"Fraud Detection" is not allowed; use at most 63 lowercase letters, digits, _ and -',
      },
      {
        property: "apiEndpoint",
        reason:
          '"http://aiplatform.example.com" is not allowed; use an https:// URL (plain http only to a loopback address)',
      },
    ]);
  });

  it("refuses a service account that is not a service account email", () => {
    expect(
      validateDeploymentInputs({ ...valid(), serviceAccount: "user:alice@example.com" }),
    ).to.deep.equal([
      {
        property: "serviceAccount",
        reason:
          '"user:alice@example.com" is not allowed; use a service account email such as runtime@project.iam.gserviceaccount.com',
      },
    ]);
    expect(validateDeploymentInputs({ ...valid(), serviceAccount: UNKNOWN })).to.deep.equal([]);
    expect(normalizeInputs(valid()).serviceAccount).to.equal(RUNTIME_EMAIL);
  });

  it("reports missing required inputs", () => {
    const failures = validateDeploymentInputs({ project: PROJECT, region: REGION });
    expect(failures.map((f) => f.property)).to.deep.equal([
      "endpointId",
      "displayName",
      "artifactUri",
      "servingImage",
      "machineType",
      "minReplicas",
      "maxReplicas",
    ]);
  });

  it("skips values not known yet during preview, and check returns the failures", async () => {
    expect(
      validateDeploymentInputs(
        inputs({ endpointId: UNKNOWN, artifactUri: UNKNOWN, kmsKeyName: UNKNOWN }),
      ),
    ).to.deep.equal([]);
    const checked = await vertexDeploymentProvider(FAST).check?.({}, inputs({ maxReplicas: 0 }));
    expect(checked?.failures).to.deep.equal([
      {
        property: "maxReplicas",
        reason: "0 is not allowed; use an integer of at least minReplicas (1)",
      },
    ]);
  });

  it("keeps the marker for in-place changes and changes it for any replacing change", () => {
    const base = normalizeInputs(valid());
    const marker = requestMarker(base);
    expect(marker).to.match(/^[0-9a-f]{32}$/);
    expect(requestMarker({ ...base, minReplicas: 2, maxReplicas: 9, labels: {} })).to.equal(marker);
    expect(requestMarker({ ...base, endpointId: ENDPOINT_PATH })).to.equal(marker);
    for (const change of [
      { artifactUri: `${ARTIFACT_URI}-v2` },
      { machineType: GPU_HOSTING.instanceType },
      { acceleratorType: "NVIDIA_TESLA_T4", acceleratorCount: 1 },
      { servingImage: `${IMAGE}-2` },
      { kmsKeyName: undefined },
      { displayName: "iris-2" },
      { endpointId: "99" },
      { serviceAccount: `serving@${PROJECT}.iam.gserviceaccount.com` },
      { serviceAccount: undefined },
    ]) {
      expect(requestMarker({ ...base, ...change }), JSON.stringify(change)).to.not.equal(marker);
    }
  });
});

describe("gcp VertexModelDeployment diff", () => {
  const olds = inputs({ apiEndpoint: undefined });

  it("reports no change for equal inputs, including defaults written out and the endpoint's full name", () => {
    expect(deploymentDiff(olds, { ...olds })).to.deep.equal({
      changes: false,
      replaces: [],
      deleteBeforeReplace: true,
    });
    const spelledOut = {
      ...olds,
      endpointId: ENDPOINT_PATH,
      apiEndpoint: "https://us-central1-aiplatform.googleapis.com/",
    };
    expect(deploymentDiff(olds, spelledOut).changes).to.equal(false);
    const withoutTarget = { ...olds };
    delete withoutTarget.targetCpuUtilizationPercent;
    expect(
      deploymentDiff({ ...olds, targetCpuUtilizationPercent: 60 }, withoutTarget).changes,
    ).to.equal(false);
  });

  it("updates replica bounds, the CPU target and labels in place", () => {
    for (const change of [
      { minReplicas: 2 },
      { maxReplicas: 8 },
      { targetCpuUtilizationPercent: 80 },
      { labels: { owner: "ml" } },
    ]) {
      expect(deploymentDiff(olds, { ...olds, ...change }), JSON.stringify(change)).to.deep.equal({
        changes: true,
        replaces: [],
        deleteBeforeReplace: true,
      });
    }
  });

  it("replaces, new deployment first, on a new machine, accelerator, artifact, image, key, endpoint or service account", () => {
    const news = {
      ...olds,
      machineType: GPU_HOSTING.instanceType,
      acceleratorType: "NVIDIA_TESLA_T4",
      acceleratorCount: 1,
      artifactUri: `${ARTIFACT_URI}-v2`,
    };
    expect(deploymentDiff(olds, news)).to.deep.equal({
      changes: true,
      replaces: ["artifactUri", "machineType", "acceleratorType", "acceleratorCount"],
      deleteBeforeReplace: false,
    });
    expect(deploymentDiff(olds, { ...olds, servingImage: `${IMAGE}-2` }).replaces).to.deep.equal([
      "servingImage",
    ]);
    expect(deploymentDiff(olds, { ...olds, kmsKeyName: undefined }).replaces).to.deep.equal([
      "kmsKeyName",
    ]);
    expect(deploymentDiff(olds, { ...olds, endpointId: UNKNOWN }).replaces).to.deep.equal([
      "endpointId",
    ]);
    for (const serviceAccount of [`serving@${PROJECT}.iam.gserviceaccount.com`, undefined]) {
      expect(
        deploymentDiff(olds, { ...olds, serviceAccount }),
        String(serviceAccount),
      ).to.deep.equal({ changes: true, replaces: ["serviceAccount"], deleteBeforeReplace: false });
    }
  });
});

describe("gcp VertexModelDeployment traffic on undeploy", () => {
  const endpoint = (split: Record<string, number>, created: Record<string, string>) => ({
    name: ENDPOINT_PATH,
    deployedModels: Object.keys(created).map((id) => ({ id, model: "m", createTime: created[id] })),
    trafficSplit: split,
  });

  it("needs no split for a model without traffic or for the last model", () => {
    expect(trafficWithout(endpoint({ a: 0, b: 100 }, { a: "1", b: "2" }), "a")).to.equal(undefined);
    expect(trafficWithout(endpoint({ a: 100 }, { a: "1" }), "a")).to.equal(undefined);
  });

  it("shares the traffic among the others in proportion, or gives it all to the newest", () => {
    expect(
      trafficWithout(endpoint({ a: 50, b: 30, c: 20 }, { a: "1", b: "2", c: "3" }), "a"),
    ).to.deep.equal({
      b: 60,
      c: 40,
    });
    expect(
      trafficWithout(endpoint({ a: 34, b: 33, c: 33 }, { a: "1", b: "2", c: "3" }), "a"),
    ).to.deep.equal({
      b: 50,
      c: 50,
    });
    expect(
      trafficWithout(
        endpoint({ a: 100, b: 0, c: 0 }, { a: "2024-01-01", b: "2024-03-01", c: "2024-02-01" }),
        "a",
      ),
    ).to.deep.equal({ b: 100, c: 0 });
  });
});

describe("gcp VertexModelDeployment resource", () => {
  let rec: Awaited<ReturnType<typeof mockPulumi>>;
  before(async () => {
    rec = await mockPulumi();
  });
  beforeEach(() => rec.reset());

  it("registers a dynamic resource with the bundled provider and the deployment's inputs", async () => {
    const deployment = new VertexModelDeployment("iris-deployment", {
      project: PROJECT,
      region: REGION,
      endpointId: ENDPOINT_ID,
      displayName: "iris",
      artifactUri: ARTIFACT_URI,
      servingImage: IMAGE,
      machineType: HOSTING.instanceType,
      minReplicas: 2,
      maxReplicas: 6,
      serviceAccount: RUNTIME_EMAIL,
      kmsKeyName: KMS_KEY,
      labels: LABELS,
    });
    const registration = single(
      await registered(rec),
      "pulumi-nodejs:dynamic/gcp:VertexModelDeployment",
    );
    expect(registration.name).to.equal("iris-deployment");
    const { __provider: serialized, ...args } = registration.inputs;
    expect(args).to.deep.equal({
      project: PROJECT,
      region: REGION,
      endpointId: ENDPOINT_ID,
      displayName: "iris",
      artifactUri: ARTIFACT_URI,
      servingImage: IMAGE,
      machineType: HOSTING.instanceType,
      minReplicas: 2,
      maxReplicas: 6,
      serviceAccount: RUNTIME_EMAIL,
      kmsKeyName: KMS_KEY,
      labels: LABELS,
    });
    expect(JSON.stringify(serialized)).to.contain("models:upload");
    expect(deployment.deployedModelId).to.be.instanceOf(pulumi.Output);
  });
});
