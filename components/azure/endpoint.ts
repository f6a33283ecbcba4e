import * as path from "node:path";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import * as monitor from "@pulumi/azure-native/monitor";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import type * as inputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import {
  type OnlineEndpointArgs,
  type OnlineEndpointOutputs,
  DeclaringBlock,
  endpointDeclarations,
} from "../blocks";
import { MODEL_ARTIFACTS } from "../model";
import { NAME_RULES, physicalName } from "../naming";
import { blockTags } from "../tags";
import { instanceFor, scaledBounds } from "../../policies/catalog";
import { ML_API_VERSION } from "./armApi";
import {
  type AzurePlacement,
  builtInRoleAssignment,
  contentVersion,
  isoDuration,
  systemPrincipalId,
  textVersion,
} from "./common";

/**
 * Base image of the serving environment, pinned by date tag: an Azure ML image with conda, as the
 * curated environments use (azureml-assets). Azure ML supports image tags up to six months older
 * than `latest` (concept-prebuilt-docker-images-inference.md), so this tag is bumped at least
 * twice a year.
 */
export const SERVING_BASE_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20250601.v1";

/** The Azure ML inference server that runs the scoring script (`init()` and `run()`). */
export const INFERENCE_SERVER_PACKAGE = "azureml-inference-server-http==1.4.1";

/**
 * Exact versions of the serving environment: the scikit-learn the model was pickled with
 * (`models/iris/model.joblib` records 1.2.1) and the joblib, NumPy and SciPy Debian 12 built it
 * with, so the model loads as it was trained. No curated environment carries scikit-learn 1.2:
 * the curated ones are sklearn-1.0, -1.1 and -1.5 (azureml-assets).
 */
export const SERVING_PACKAGES = {
  python: "3.11",
  pip: ["scikit-learn==1.2.1", "joblib==1.2.0", "numpy==1.24.2", "scipy==1.10.1"],
} as const;

/** The conda specification of the serving environment: every package pinned. */
export function servingCondaFile(): string {
  const pip = [...SERVING_PACKAGES.pip, INFERENCE_SERVER_PACKAGE].map((p) => `      - ${p}`);
  return [
    "name: serving",
    "channels:",
    "  - conda-forge",
    "dependencies:",
    `  - python=${SERVING_PACKAGES.python}`,
    "  - pip",
    "  - pip:",
    ...pip,
    "",
  ].join("\n");
}

/** The one deployment behind each endpoint, which takes all of its traffic. */
export const DEPLOYMENT_NAME = "primary";

/**
 * The endpoint's inputs that the traffic template writes after creation; the endpoint resource
 * ignores their changes. Its other inputs (name, workspace, resource group, location) replace it.
 */
export const ENDPOINT_INPUTS_WRITTEN_BY_TRAFFIC = ["identity", "properties", "tags"] as const;

/** The deployment metric the autoscale rules watch. */
export const CPU_METRIC = "CpuUtilizationPercentage";
/** Average CPU utilization, in percent, above which a replica is added. */
export const DEFAULT_SCALE_OUT_CPU_PERCENT = 70;
/** Average CPU utilization, in percent, below which a replica is removed. */
export const DEFAULT_SCALE_IN_CPU_PERCENT = 30;
/** Minutes of CPU utilization each autoscale rule averages over. */
export const SCALE_WINDOW_MINUTES = 5;
/** Minutes after a scale-out before the next scale action. */
export const SCALE_OUT_COOLDOWN_MINUTES = 5;
/** Minutes after a scale-in before the next: longer, so a dip does not shed needed capacity. */
export const SCALE_IN_COOLDOWN_MINUTES = 10;

export interface AzureOnlineEndpointArgs extends OnlineEndpointArgs, AzurePlacement {
  /** Stable random suffix: endpoint names are unique across an Azure region. */
  uniqueSuffix: pulumi.Input<string>;
  /** Subscription of the workspace, for the model's datastore URI. */
  subscriptionId: pulumi.Input<string>;
  /** The workspace the endpoint belongs to. */
  workspaceName: pulumi.Input<string>;
  /** Storage account the model and scoring code are uploaded to. */
  storageAccountName: pulumi.Input<string>;
  /** Its blob endpoint, `https://<account>.blob.core.windows.net/`. */
  blobEndpoint: pulumi.Input<string>;
  /** Container the model and scoring code are uploaded to. */
  containerName: pulumi.Input<string>;
  /** The workspace datastore over that container. */
  datastoreName: pulumi.Input<string>;
  /** ARM id of that container, which the endpoint's identity reads the model and code from. */
  containerId: pulumi.Input<string>;
  /**
   * Resources the deployment waits for besides its own: the workspace's provisioned managed
   * network in prod.
   * @default [] - nothing
   */
  deploymentPrerequisites?: pulumi.Resource[];
  /**
   * The scikit-learn model (a joblib file) the endpoint serves.
   * @default MODEL_ARTIFACTS.joblib - the sample iris classifier in `models/iris/`
   */
  modelFile?: string;
  /**
   * The Azure ML scoring script (`init()` and `run(raw_data)`) that serves the model.
   * @default MODEL_ARTIFACTS.azureScoringScript - `models/iris/score.py`
   */
  scoringScript?: string;
  /**
   * ARM id of the environment the deployment runs the scoring script in.
   * @default a pinned environment version: SERVING_BASE_IMAGE with servingCondaFile()
   */
  environmentId?: pulumi.Input<string>;
  /**
   * Average CPU utilization, in percent, above which the autoscale setting adds a replica.
   * @default 70 (DEFAULT_SCALE_OUT_CPU_PERCENT)
   */
  scaleOutCpuPercent?: number;
  /**
   * Average CPU utilization, in percent, below which the autoscale setting removes a replica.
   * @default 30 (DEFAULT_SCALE_IN_CPU_PERCENT)
   */
  scaleInCpuPercent?: number;
}

/**
 * An Azure ML managed online endpoint (key auth) serving a model: the model file and scoring
 * script uploaded to the platform's container and registered as a model version and a code
 * version, one managed deployment of the catalog's hosting type in a curated scikit-learn
 * environment taking 100% of the traffic, and an Azure Monitor autoscale setting that keeps the
 * deployment between `minReplicas` and `maxReplicas` by CPU utilization (managed deployments do
 * not scale by themselves).
 */
export class AzureOnlineEndpoint extends DeclaringBlock implements OnlineEndpointOutputs {
  public readonly endpointName: pulumi.Output<string>;
  /** The URL that answers scoring requests. */
  public readonly scoringUrl: pulumi.Output<string>;
  /** The VM size the catalog maps the canonical size to. */
  public readonly instanceType: string;
  public readonly minReplicas: number;
  public readonly maxReplicas: number;

  constructor(
    name: string,
    args: AzureOnlineEndpointArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("mlplatform:azure:OnlineEndpoint", name, endpointDeclarations(args), opts);

    const row = instanceFor("azure", args.size, "hosting");
    const replicas = scaledBounds("azure", "hosting", args.minReplicas, args.maxReplicas);
    const tags = blockTags(args.tags, "endpoint", args.size);
    const modelFile = args.modelFile ?? MODEL_ARTIFACTS.joblib;
    const scoringScript = args.scoringScript ?? MODEL_ARTIFACTS.azureScoringScript;
    const placement = { resourceGroupName: args.resourceGroupName, location: args.location };

    const endpointProperties = {
      authMode: "Key",
      // Scoring requests come from outside the workspace's network and carry the endpoint key.
      publicNetworkAccess: "Enabled",
      description: `${args.name}: ${args.size}, ${replicas.min}..${replicas.max} replicas`,
    } as const;
    const endpoint = new ml.OnlineEndpoint(
      `${name}-endpoint`,
      {
        ...placement,
        workspaceName: args.workspaceName,
        endpointName: pulumi
          .output(args.uniqueSuffix)
          .apply((suffix) => physicalName([args.name], NAME_RULES.azureMlEndpoint, suffix)),
        identity: { type: "SystemAssigned" },
        properties: endpointProperties,
        tags,
      },
      // One writer after creation: every later write of the endpoint is the traffic template's,
      // which carries these same inputs with the traffic rule. An update here would PUT the
      // endpoint without traffic, and ARM takes no traffic rule for a deployment not yet there.
      { parent: this, ignoreChanges: [...ENDPOINT_INPUTS_WRITTEN_BY_TRAFFIC] },
    );

    // The automatic grant covers only the workspace's default datastore
    // (concept-endpoints-online-auth.md); the model and code live in the platform's container.
    const modelAccess = builtInRoleAssignment(
      `${name}-model-access`,
      {
        subscriptionId: args.subscriptionId,
        role: "storageBlobDataReader",
        scope: args.containerId,
        principalId: systemPrincipalId(endpoint.identity),
        principalType: "ServicePrincipal",
        description: `The endpoint ${args.name} reads its model and scoring code`,
      },
      this,
    );

    const upload = {
      resourceGroupName: args.resourceGroupName,
      accountName: args.storageAccountName,
      containerName: args.containerName,
    };
    const modelVersion = contentVersion(modelFile);
    const modelBlobName = `models/${args.name}/${modelVersion}/${path.basename(modelFile)}`;
    const modelBlob = new storage.Blob(
      `${name}-model-file`,
      {
        ...upload,
        blobName: modelBlobName,
        type: storage.BlobType.Block,
        contentType: "application/octet-stream",
        source: new pulumi.asset.FileAsset(modelFile),
      },
      { parent: this },
    );
    const model = new ml.ModelVersion(
      `${name}-model`,
      {
        resourceGroupName: args.resourceGroupName,
        workspaceName: args.workspaceName,
        name: args.name,
        version: modelVersion,
        properties: {
          modelType: "custom_model",
          modelUri: pulumi.interpolate`azureml://subscriptions/${args.subscriptionId}/resourcegroups/${args.resourceGroupName}/workspaces/${args.workspaceName}/datastores/${args.datastoreName}/paths/${modelBlobName}`,
          description: `The model ${args.name} serves`,
          tags,
        },
      },
      { parent: this, dependsOn: [modelBlob] },
    );

    const codeVersion = contentVersion(scoringScript);
    const codeFolder = `code/${args.name}/${codeVersion}`;
    const codeBlob = new storage.Blob(
      `${name}-scoring-script`,
      {
        ...upload,
        blobName: `${codeFolder}/${path.basename(scoringScript)}`,
        type: storage.BlobType.Block,
        contentType: "text/x-python",
        source: new pulumi.asset.FileAsset(scoringScript),
      },
      { parent: this },
    );
    const code = new ml.CodeVersion(
      `${name}-code`,
      {
        resourceGroupName: args.resourceGroupName,
        workspaceName: args.workspaceName,
        name: `${args.name}-scoring`,
        version: codeVersion,
        properties: {
          codeUri: pulumi.interpolate`${args.blobEndpoint}${args.containerName}/${codeFolder}`,
          description: `The scoring script of ${args.name}`,
          tags,
        },
      },
      { parent: this, dependsOn: [codeBlob] },
    );

    const environmentId =
      args.environmentId ??
      new ml.EnvironmentVersion(
        `${name}-environment`,
        {
          resourceGroupName: args.resourceGroupName,
          workspaceName: args.workspaceName,
          name: `${args.name}-serving`,
          version: textVersion(`${SERVING_BASE_IMAGE}\n${servingCondaFile()}`),
          properties: {
            image: SERVING_BASE_IMAGE,
            condaFile: servingCondaFile(),
            osType: "Linux",
            // Pinned: no rebuild when Microsoft updates the base image.
            autoRebuild: "Disabled",
            description: `The pinned serving environment of ${args.name}`,
            tags,
          },
        },
        { parent: this },
      ).id;

    const deployment = new ml.OnlineDeployment(
      `${name}-deployment`,
      {
        ...placement,
        workspaceName: args.workspaceName,
        endpointName: endpoint.name,
        deploymentName: DEPLOYMENT_NAME,
        // The instance count: the autoscale setting moves it between the bounds afterwards.
        sku: { name: "Default", capacity: replicas.min },
        properties: {
          endpointComputeType: "Managed",
          instanceType: row.instanceType,
          model: model.id,
          environmentId,
          codeConfiguration: { codeId: code.id, scoringScript: path.basename(scoringScript) },
          scaleSettings: { scaleType: "Default" },
          appInsightsEnabled: true,
          description: `${args.name} on ${row.instanceType}`,
        },
        tags,
      },
      // Deleting the endpoint deletes its deployments; the replica count belongs to autoscale
      // (docs/azure.md, "The autoscale setting", says what a model roll does to it).
      {
        parent: this,
        deletedWith: endpoint,
        ignoreChanges: ["sku.capacity"],
        dependsOn: [modelAccess, ...(args.deploymentPrerequisites ?? [])],
      },
    );

    // An endpoint takes traffic rules only for deployments that exist, so the rule that sends
    // all traffic to the deployment is a second write of the endpoint, made once the deployment
    // is up, by an ARM template deployment (the provider refuses to create a resource twice).
    new resources.Deployment(
      `${name}-traffic`,
      {
        resourceGroupName: args.resourceGroupName,
        deploymentName: pulumi
          .output(endpoint.name)
          .apply((endpointName) =>
            physicalName([endpointName, "traffic"], NAME_RULES.azureMonitor),
          ),
        properties: {
          mode: resources.DeploymentMode.Incremental,
          template: pulumi
            .all([args.workspaceName, endpoint.name])
            .apply(([workspaceName, endpointName]) =>
              trafficTemplate({
                workspaceName,
                endpointName,
                location: args.location,
                tags,
                properties: endpointProperties,
              }),
            ),
        },
        tags,
      },
      { parent: this, dependsOn: [deployment] },
    );

    new monitor.AutoscaleSetting(
      `${name}-autoscale`,
      {
        ...placement,
        autoscaleSettingName: pulumi
          .output(endpoint.name)
          .apply((endpointName) =>
            physicalName([endpointName, "autoscale"], NAME_RULES.azureMonitor),
          ),
        enabled: true,
        targetResourceUri: deployment.id,
        targetResourceLocation: args.location,
        profiles: [
          {
            name: "cpu-utilization",
            capacity: {
              minimum: String(replicas.min),
              maximum: String(replicas.max),
              default: String(replicas.min),
            },
            rules: [
              cpuRule(
                deployment.id,
                "out",
                args.scaleOutCpuPercent ?? DEFAULT_SCALE_OUT_CPU_PERCENT,
              ),
              cpuRule(deployment.id, "in", args.scaleInCpuPercent ?? DEFAULT_SCALE_IN_CPU_PERCENT),
            ],
          },
        ],
        tags,
      },
      { parent: this },
    );

    this.endpointName = endpoint.name;
    this.scoringUrl = endpoint.properties.apply((properties) => properties.scoringUri);
    this.instanceType = row.instanceType;
    this.minReplicas = replicas.min;
    this.maxReplicas = replicas.max;
    this.registerOutputs({
      endpointName: this.endpointName,
      scoringUrl: this.scoringUrl,
      instanceType: this.instanceType,
      minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas,
    });
  }
}

/** One autoscale rule: a replica more above `thresholdPercent` CPU, or one less below it. */
function cpuRule(
  deploymentId: pulumi.Input<string>,
  scale: "out" | "in",
  thresholdPercent: number,
): inputs.monitor.ScaleRuleArgs {
  const out = scale === "out";
  return {
    metricTrigger: {
      metricName: CPU_METRIC,
      metricResourceUri: deploymentId,
      timeGrain: isoDuration(1),
      statistic: monitor.MetricStatisticType.Average,
      timeWindow: isoDuration(SCALE_WINDOW_MINUTES),
      timeAggregation: monitor.TimeAggregationType.Average,
      operator: out
        ? monitor.ComparisonOperationType.GreaterThan
        : monitor.ComparisonOperationType.LessThan,
      threshold: thresholdPercent,
    },
    scaleAction: {
      direction: out ? monitor.ScaleDirection.Increase : monitor.ScaleDirection.Decrease,
      type: monitor.ScaleType.ChangeCount,
      value: "1",
      cooldown: isoDuration(out ? SCALE_OUT_COOLDOWN_MINUTES : SCALE_IN_COOLDOWN_MINUTES),
    },
  };
}

/** The ARM template that writes the endpoint again with all traffic on the deployment. */
export function trafficTemplate(endpoint: {
  workspaceName: string;
  endpointName: string;
  location: string;
  tags: Record<string, string>;
  properties: Record<string, string>;
}): Record<string, unknown> {
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    resources: [
      {
        type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
        apiVersion: ML_API_VERSION,
        name: `${endpoint.workspaceName}/${endpoint.endpointName}`,
        location: endpoint.location,
        tags: endpoint.tags,
        identity: { type: "SystemAssigned" },
        properties: { ...endpoint.properties, traffic: { [DEPLOYMENT_NAME]: 100 } },
      },
    ],
  };
}
