import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { RandomString } from "@pulumi/random/randomString";
import { expect } from "chai";
import { contentVersion } from "../../components/azure/common";
import {
  AzureOnlineEndpoint,
  DEPLOYMENT_NAME,
  SERVING_BASE_IMAGE,
  servingCondaFile,
  trafficTemplate,
} from "../../components/azure/endpoint";
import { SIZE_NAMES, resolveInstance, unavailableReason } from "../../policies/catalog";
import { MODEL_ARTIFACTS } from "../../components/model";
import { blockTags } from "../../components/tags";
import type { EndpointSpec } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, ofType, registered, single, unwrap } from "../harness";
import {
  AZURE_NAMES,
  ENDPOINT_PRINCIPAL,
  LOCATION,
  PLACEMENT,
  RESOURCE_GROUP,
  SUBSCRIPTION,
  SUFFIX,
  TAGS,
  azureOutputs,
  component,
} from "./fixtures";

const ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint";
const DEPLOYMENT = "azure-native:machinelearningservices:OnlineDeployment";
const MODEL = "azure-native:machinelearningservices:ModelVersion";
const CODE = "azure-native:machinelearningservices:CodeVersion";
const BLOB = "azure-native:storage:Blob";
const TRAFFIC = "azure-native:resources:Deployment";
const AUTOSCALE = "azure-native:monitor:AutoscaleSetting";
const ENVIRONMENT = "azure-native:machinelearningservices:EnvironmentVersion";
const ROLE = "azure-native:authorization:RoleAssignment";
const CONTAINER_ID =
  "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a/blobServices/default/containers/artifacts";
const BLOB_DATA_READER = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`;

const WORKSPACE = "mlplatform-test";
const ACCOUNT = "mlplatformtestx7k2p9";
const BLOB_ENDPOINT = `https://${ACCOUNT}.blob.core.windows.net/`;
const SPEC: EndpointSpec = { name: "iris", size: "cpu-2x8", minReplicas: 2, maxReplicas: 6 };

interface Rule {
  metricTrigger: Record<string, unknown>;
  scaleAction: Record<string, unknown>;
}

describe("azure online endpoint", () => {
  let rec: Recorder;
  let count = 0;

  before(async () => {
    rec = await mockPulumi({ outputs: azureOutputs });
  });
  beforeEach(() => rec.reset());

  /** The resource options each child was registered with, by logical name. */
  let options: Map<string, pulumi.CustomResourceOptions>;
  const recordOptions: pulumi.ResourceTransformation = (resource) => {
    options.set(resource.name, resource.opts);
    return undefined;
  };

  async function build(
    spec: Partial<EndpointSpec> = {},
    extra: {
      scaleOutCpuPercent?: number;
      scaleInCpuPercent?: number;
      deploymentPrerequisites?: pulumi.Resource[];
    } = {},
  ): Promise<{ endpoint: AzureOnlineEndpoint; regs: Registration[] }> {
    count += 1;
    options = new Map();
    const endpoint = new AzureOnlineEndpoint(
      `ep-${count}`,
      {
        ...PLACEMENT,
        ...SPEC,
        ...spec,
        ...extra,
        tier: "prod",
        tags: TAGS,
        uniqueSuffix: SUFFIX,
        subscriptionId: SUBSCRIPTION,
        workspaceName: WORKSPACE,
        storageAccountName: ACCOUNT,
        blobEndpoint: BLOB_ENDPOINT,
        containerName: "artifacts",
        datastoreName: "platform_artifacts",
        containerId: CONTAINER_ID,
      },
      { transformations: [recordOptions] },
    );
    return { endpoint, regs: await registered(rec) };
  }

  it("is a managed online endpoint with key auth and a system identity", async () => {
    const { endpoint, regs } = await build();
    const online = single(regs, ENDPOINT);
    expect(online.inputs).to.deep.include({
      endpointName: `iris-${SUFFIX}`,
      workspaceName: WORKSPACE,
      resourceGroupName: RESOURCE_GROUP,
      location: LOCATION,
      identity: { type: "SystemAssigned" },
    });
    expect(online.inputs.properties).to.deep.include({ authMode: "Key" });
    expect(online.inputs.endpointName).to.match(AZURE_NAMES.mlEndpoint);
    expect(await unwrap(endpoint.scoringUrl)).to.equal(
      `https://iris-${SUFFIX}.${LOCATION}.inference.ml.azure.com/score`,
    );
  });

  it("keeps a long endpoint name a valid, region-unique endpoint name", async () => {
    const { regs } = await build({ name: "customer-churn-scoring-v2" });
    const name = single(regs, ENDPOINT).inputs.endpointName as string;
    expect(name).to.match(AZURE_NAMES.mlEndpoint);
    expect(name.endsWith(`-${SUFFIX}`)).to.equal(true);
  });

  it("deploys the catalog's hosting type for every size Azure offers", async () => {
    const sizes = SIZE_NAMES.filter(
      (size) => unavailableReason(size, "azure", "hosting") === undefined,
    );
    expect(sizes.length).to.be.greaterThan(3);
    for (const size of sizes) {
      rec.reset();
      const { endpoint, regs } = await build({ size });
      const expected = resolveInstance(size, "azure", "hosting").instanceType;
      const properties = single(regs, DEPLOYMENT).inputs.properties as Record<string, unknown>;
      expect(properties.instanceType, size).to.equal(expected);
      expect(endpoint.instanceType).to.equal(expected);
    }
  });

  it("starts the deployment at the minimum replicas with default scale settings", async () => {
    const { regs } = await build({ minReplicas: 3, maxReplicas: 9 });
    const deployment = single(regs, DEPLOYMENT);
    expect(deployment.inputs).to.deep.include({
      deploymentName: DEPLOYMENT_NAME,
      endpointName: `iris-${SUFFIX}`,
      workspaceName: WORKSPACE,
      location: LOCATION,
      sku: { name: "Default", capacity: 3 },
    });
    expect(deployment.inputs.properties).to.deep.include({
      endpointComputeType: "Managed",
      scaleSettings: { scaleType: "Default" },
    });
  });

  it("serves the model in a pinned environment with the scikit-learn it was pickled with", async () => {
    const { regs } = await build();
    const pickled = /_sklearn_version\W+([0-9.]+)/.exec(
      readFileSync(MODEL_ARTIFACTS.joblib).toString("latin1"),
    );
    expect(pickled?.[1]).to.equal("1.2.1");
    const environment = single(regs, ENVIRONMENT);
    const properties = environment.inputs.properties as Record<string, string>;
    expect(properties.condaFile).to.equal(servingCondaFile());
    expect(properties.condaFile).to.include(`- scikit-learn==${pickled?.[1]}\n`);
    for (const line of properties.condaFile.split("\n").filter((l) => /^\s+- \S+==/.test(l))) {
      expect(line, "pip packages are pinned to one version").to.match(/==[0-9][0-9.]*$/);
    }
    expect(properties).to.include({
      image: SERVING_BASE_IMAGE,
      osType: "Linux",
      autoRebuild: "Disabled",
    });
    expect(SERVING_BASE_IMAGE).to.match(/:[0-9]{8}\.v[0-9]+$/);
    expect(environment.inputs.version).to.match(/^[1-9][0-9]*$/);
    const deployment = single(regs, DEPLOYMENT).inputs.properties as Record<string, unknown>;
    expect(deployment.environmentId).to.equal(`${environment.name}-id`);
    expect(deployment.environmentId).to.not.match(/labels\/latest|azureml:\/\/registries/);
  });

  it("gives the endpoint's identity read access to the model's container before deploying", async () => {
    const { regs } = await build();
    const [role] = ofType(regs, ROLE);
    expect(role.inputs).to.include({
      scope: CONTAINER_ID,
      principalId: ENDPOINT_PRINCIPAL,
      principalType: "ServicePrincipal",
      roleDefinitionId: BLOB_DATA_READER,
    });
    expect(single(regs, DEPLOYMENT).dependencies).to.include(role.urn);
  });

  it("deploys only once the given prerequisites, such as the managed network, are ready", async () => {
    const network = new RandomString("network-ready", { length: 4 });
    const { regs } = await build({}, { deploymentPrerequisites: [network] });
    const networkUrn = await unwrap(network.urn);
    expect(single(regs, DEPLOYMENT).dependencies).to.include(networkUrn);
  });

  it("lets only the traffic template write the endpoint once it exists", async () => {
    const { regs } = await build();
    const online = single(regs, ENDPOINT);
    const ignored = options.get(online.name)?.ignoreChanges ?? [];
    const identityInputs = ["resourceGroupName", "workspaceName", "endpointName", "location"];
    const writable = Object.keys(online.inputs).filter((key) => !identityInputs.includes(key));
    expect([...ignored].sort()).to.deep.equal(writable.sort());
    const [resource] = (
      single(regs, TRAFFIC).inputs.properties as {
        template: { resources: Record<string, unknown>[] };
      }
    ).template.resources;
    for (const key of writable) {
      const written =
        key === "properties"
          ? { ...(resource.properties as object), traffic: undefined }
          : resource[key];
      const expected =
        key === "properties"
          ? { ...(online.inputs.properties as object), traffic: undefined }
          : online.inputs[key];
      expect(written, key).to.deep.equal(expected);
    }
  });

  it("serves the uploaded model as a model version and the scoring script as code", async () => {
    const { regs } = await build();
    const modelVersion = contentVersion(MODEL_ARTIFACTS.joblib);
    const codeVersion = contentVersion(MODEL_ARTIFACTS.azureScoringScript);
    const blobs = ofType(regs, BLOB);
    const blobNamed = (prefix: string) =>
      blobs.find((b) => (b.inputs.blobName as string).startsWith(prefix)) as Registration;
    const modelBlob = blobNamed("models/");
    const codeBlob = blobNamed("code/");
    expect(blobs).to.have.length(2);
    expect(modelBlob.inputs).to.include({
      accountName: ACCOUNT,
      containerName: "artifacts",
      blobName: `models/iris/${modelVersion}/model.joblib`,
      type: "Block",
    });
    expect((modelBlob.inputs.source as { path: string }).path).to.equal(MODEL_ARTIFACTS.joblib);
    expect(codeBlob.inputs.blobName).to.equal(`code/iris/${codeVersion}/score.py`);
    expect((codeBlob.inputs.source as { path: string }).path).to.equal(
      MODEL_ARTIFACTS.azureScoringScript,
    );

    const model = single(regs, MODEL);
    expect(model.inputs).to.deep.include({
      name: "iris",
      version: modelVersion,
      workspaceName: WORKSPACE,
    });
    expect(model.inputs.properties).to.deep.include({
      modelType: "custom_model",
      modelUri: `azureml://subscriptions/${SUBSCRIPTION}/resourcegroups/${RESOURCE_GROUP}/workspaces/${WORKSPACE}/datastores/platform_artifacts/paths/models/iris/${modelVersion}/model.joblib`,
    });
    expect(model.dependencies).to.include(modelBlob.urn);

    const code = single(regs, CODE);
    expect(code.inputs).to.deep.include({ name: "iris-scoring", version: codeVersion });
    expect(code.inputs.properties).to.deep.include({
      codeUri: `${BLOB_ENDPOINT}artifacts/code/iris/${codeVersion}`,
    });
    expect(code.dependencies).to.include(codeBlob.urn);

    const properties = single(regs, DEPLOYMENT).inputs.properties as Record<string, unknown>;
    expect(properties.model).to.equal(`${model.name}-id`);
    expect(properties.codeConfiguration).to.deep.equal({
      codeId: `${code.name}-id`,
      scoringScript: "score.py",
    });
  });

  it("versions the model by its content, so a new file registers a new version", () => {
    const version = contentVersion(MODEL_ARTIFACTS.joblib);
    expect(version).to.match(/^[1-9][0-9]*$/);
    expect(Number(version)).to.be.below(2 ** 31);
    expect(contentVersion(MODEL_ARTIFACTS.joblib)).to.equal(version);
    expect(contentVersion(MODEL_ARTIFACTS.azureScoringScript)).to.not.equal(version);
  });

  it("sends 100% of the traffic to the deployment once it exists", async () => {
    const { regs } = await build();
    const traffic = single(regs, TRAFFIC);
    expect(traffic.dependencies).to.include(single(regs, DEPLOYMENT).urn);
    expect(traffic.inputs.resourceGroupName).to.equal(RESOURCE_GROUP);
    const properties = traffic.inputs.properties as {
      mode: string;
      template: Record<string, unknown>;
    };
    expect(properties.mode).to.equal("Incremental");
    const [resource] = properties.template.resources as Record<string, unknown>[];
    expect(resource).to.deep.include({
      type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
      name: `${WORKSPACE}/iris-${SUFFIX}`,
      location: LOCATION,
      identity: { type: "SystemAssigned" },
    });
    expect(resource.properties).to.deep.equal({
      ...(single(regs, ENDPOINT).inputs.properties as object),
      traffic: { [DEPLOYMENT_NAME]: 100 },
    });
  });

  it("writes the same endpoint in the traffic template, traffic aside", () => {
    const template = trafficTemplate({
      workspaceName: "w",
      endpointName: "e",
      location: "westeurope",
      tags: { a: "b" },
      properties: { authMode: "Key" },
    });
    expect(template.resources).to.deep.equal([
      {
        type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
        apiVersion: "2025-12-01",
        name: "w/e",
        location: "westeurope",
        tags: { a: "b" },
        identity: { type: "SystemAssigned" },
        properties: { authMode: "Key", traffic: { primary: 100 } },
      },
    ]);
  });

  it("autoscales the deployment between the replica bounds on CPU utilization", async () => {
    const { regs } = await build({ minReplicas: 2, maxReplicas: 6 });
    const deploymentId = `${single(regs, DEPLOYMENT).name}-id`;
    const autoscale = single(regs, AUTOSCALE);
    expect(autoscale.inputs).to.include({
      enabled: true,
      targetResourceUri: deploymentId,
      targetResourceLocation: LOCATION,
      autoscaleSettingName: `iris-${SUFFIX}-autoscale`,
    });
    const [profile] = autoscale.inputs.profiles as { capacity: unknown; rules: Rule[] }[];
    expect(profile.capacity).to.deep.equal({ minimum: "2", maximum: "6", default: "2" });
    expect(profile.rules).to.deep.equal([
      {
        metricTrigger: {
          metricName: "CpuUtilizationPercentage",
          metricResourceUri: deploymentId,
          timeGrain: "PT1M",
          statistic: "Average",
          timeWindow: "PT5M",
          timeAggregation: "Average",
          operator: "GreaterThan",
          threshold: 70,
        },
        scaleAction: { direction: "Increase", type: "ChangeCount", value: "1", cooldown: "PT5M" },
      },
      {
        metricTrigger: {
          metricName: "CpuUtilizationPercentage",
          metricResourceUri: deploymentId,
          timeGrain: "PT1M",
          statistic: "Average",
          timeWindow: "PT5M",
          timeAggregation: "Average",
          operator: "LessThan",
          threshold: 30,
        },
        scaleAction: { direction: "Decrease", type: "ChangeCount", value: "1", cooldown: "PT10M" },
      },
    ]);
  });

  it("takes other CPU thresholds and replica bounds", async () => {
    const { regs } = await build(
      { minReplicas: 1, maxReplicas: 20 },
      { scaleOutCpuPercent: 80, scaleInCpuPercent: 20 },
    );
    const [profile] = single(regs, AUTOSCALE).inputs.profiles as {
      capacity: unknown;
      rules: Rule[];
    }[];
    expect(profile.capacity).to.deep.equal({ minimum: "1", maximum: "20", default: "1" });
    expect(profile.rules.map((r) => r.metricTrigger.threshold)).to.deep.equal([80, 20]);
    expect(single(regs, DEPLOYMENT).inputs.sku).to.deep.equal({ name: "Default", capacity: 1 });
  });

  it("tags every resource that takes tags with the endpoint block and its size", async () => {
    const { regs } = await build({ size: "cpu-4x16" });
    const tags = blockTags(TAGS, "endpoint", "cpu-4x16");
    for (const type of [ENDPOINT, DEPLOYMENT, TRAFFIC, AUTOSCALE]) {
      expect(single(regs, type).inputs.tags, type).to.deep.equal(tags);
    }
    for (const type of [MODEL, CODE]) {
      expect((single(regs, type).inputs.properties as { tags: unknown }).tags, type).to.deep.equal(
        tags,
      );
    }
  });

  it("parents every resource to the component", async () => {
    const { regs } = await build();
    const parent = component(regs, "mlplatform:azure:OnlineEndpoint").urn;
    const children = regs.filter((r) => r.custom);
    expect(children).to.have.length(10);
    for (const child of children) {
      expect(child.parent, child.name).to.equal(parent);
    }
  });
});
