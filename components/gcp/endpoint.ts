import { instanceFor, scaledBounds } from "../../policies/catalog";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as storage from "@pulumi/gcp/storage";
import * as vertex from "@pulumi/gcp/vertex";
import * as pulumi from "@pulumi/pulumi";
import { RandomInteger } from "@pulumi/random/randomInteger";
import {
  type OnlineEndpointArgs,
  type OnlineEndpointOutputs,
  DeclaringBlock,
  endpointDeclarations,
} from "../blocks";
import { MODEL_ARTIFACTS } from "../model";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import { type GcpEncryption, type GcpPlacement, machineSpec } from "./common";
import { VertexModelDeployment } from "./vertexDeployment";
import { DEFAULT_TARGET_CPU_UTILIZATION_PERCENT } from "./vertexApi";

/** Vertex AI endpoint ids are numbers of at most 10 digits with no leading zero. */
export const ENDPOINT_ID_RANGE = { min: 1_000_000_000, max: 9_999_999_999 } as const;

/** Hex digits of the model file's SHA-256 that name its version folder in the bucket. */
export const MODEL_VERSION_LENGTH = 12;

/** The file name Vertex AI's prebuilt scikit-learn container loads from the model folder. */
export const MODEL_FILE_NAME = "model.joblib";

export interface GcpOnlineEndpointArgs extends OnlineEndpointArgs, GcpPlacement, GcpEncryption {
  /** The platform bucket the model artifact is uploaded to. */
  bucketName: pulumi.Input<string>;
  /**
   * Email of the service account the model's serving container runs as: the workspace's serving
   * account, which may read the bucket's objects and write logs and metrics. Whoever deploys
   * needs `iam.serviceAccounts.actAs` on it.
   */
  serviceAccount: pulumi.Input<string>;
  /**
   * The scikit-learn model (a joblib file) the endpoint serves.
   * @default MODEL_ARTIFACTS.joblib - the sample iris classifier in `models/iris/`
   */
  modelFile?: string;
  /**
   * scikit-learn version the model was saved with; picks the prebuilt serving container.
   * @default MODEL_ARTIFACTS.sklearnVersion
   */
  sklearnVersion?: string;
  /**
   * CPU utilization, in percent, the deployment's autoscaling keeps replicas at.
   * @default 60 (DEFAULT_TARGET_CPU_UTILIZATION_PERCENT)
   */
  targetCpuUtilizationPercent?: number;
}

/** The version of a model file: the start of its SHA-256, so a changed model gets a new folder. */
export function modelVersion(file: string): string {
  return createHash("sha256")
    .update(readFileSync(file))
    .digest("hex")
    .slice(0, MODEL_VERSION_LENGTH);
}

/** The bucket folder of one version of an endpoint's model. */
export function modelPrefix(endpointName: string, version: string): string {
  return `models/${endpointName}/${version}`;
}

/** The multi-region Artifact Registry host nearest a region, for Vertex AI's prebuilt images. */
export function prebuiltImageHost(region: string): string {
  if (/^(europe|me|africa)-/.test(region)) return "europe-docker.pkg.dev";
  if (/^(asia|australia)-/.test(region)) return "asia-docker.pkg.dev";
  return "us-docker.pkg.dev";
}

/** Vertex AI's prebuilt scikit-learn serving image for a scikit-learn version such as `1.2`. */
export function sklearnServingImage(region: string, sklearnVersion: string): string {
  const version = sklearnVersion.replace(/\./g, "-");
  return `${prebuiltImageHost(region)}/vertex-ai/prediction/sklearn-cpu.${version}:latest`;
}

/**
 * One online endpoint: a Vertex AI endpoint encrypted with the platform's key, the model file
 * uploaded to the bucket under a folder named by its content hash, and the model deployed onto
 * the endpoint with dedicated resources: the catalog's hosting machine type, `minReplicas` to
 * `maxReplicas` (never below the one replica Vertex AI requires), scaling on CPU utilization,
 * its serving container running as `serviceAccount` rather than Google's default account.
 * The deployment registers the model in the Vertex AI Model Registry, labelled as the
 * model-registry block.
 */
export class GcpOnlineEndpoint extends DeclaringBlock implements OnlineEndpointOutputs {
  /** The endpoint's numeric id. */
  public readonly endpointName: pulumi.Output<string>;
  /** The URL that answers prediction requests (`POST` with `{"instances": [...]}`). */
  public readonly scoringUrl: pulumi.Output<string>;
  /** The model folder's `gs://` URI, as registered in the Vertex AI Model Registry. */
  public readonly artifactUri: pulumi.Output<string>;
  /** The catalog's machine type for the size. */
  public readonly instanceType: string;
  public readonly minReplicas: number;
  public readonly maxReplicas: number;

  constructor(
    name: string,
    args: GcpOnlineEndpointArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("mlplatform:gcp:OnlineEndpoint", name, endpointDeclarations(args), opts);

    const row = instanceFor("gcp", args.size, "hosting");
    const bounds = scaledBounds("gcp", "hosting", args.minReplicas, args.maxReplicas);
    const modelFile = args.modelFile ?? MODEL_ARTIFACTS.joblib;
    const prefix = modelPrefix(args.name, modelVersion(modelFile));
    const { project, region } = args;

    // The endpoint's id is its name, so a replaced endpoint needs a new one to be created before
    // the old one is deleted: the id is drawn again whenever an input that replaces the endpoint
    // changes (project, location, key: ForceNew in the gcp provider's schema), and the deployment,
    // which names the endpoint, moves to the new one.
    const id = new RandomInteger(
      `${name}-id`,
      { ...ENDPOINT_ID_RANGE, keepers: { project, region, kmsKeyName: args.kmsKeyName } },
      { parent: this },
    );
    const endpoint = new vertex.AiEndpoint(
      `${name}-endpoint`,
      {
        project,
        location: region,
        region,
        name: id.result.apply(String),
        displayName: args.name,
        description: `Online predictions of the ${args.name} model.`,
        encryptionSpec: { kmsKeyName: args.kmsKeyName },
        labels: blockTags(args.tags, "endpoint", args.size),
      },
      // Protected and kept in prod like the stateful blocks: a config edit must not take a prod
      // endpoint down.
      statefulOptions(args.tier, this, { dependsOn: [args.keyAccess] }),
    );

    const model = new storage.BucketObject(
      `${name}-model`,
      {
        bucket: args.bucketName,
        name: `${prefix}/${MODEL_FILE_NAME}`,
        source: new pulumi.asset.FileAsset(modelFile),
        contentType: "application/octet-stream",
      },
      { parent: this },
    );
    const artifactUri = pulumi.interpolate`gs://${args.bucketName}/${prefix}`;

    new VertexModelDeployment(
      `${name}-deployment`,
      {
        project,
        region,
        endpointId: endpoint.name,
        displayName: args.name,
        artifactUri,
        servingImage: sklearnServingImage(
          region,
          args.sklearnVersion ?? MODEL_ARTIFACTS.sklearnVersion,
        ),
        ...machineSpec(row),
        minReplicas: bounds.min,
        maxReplicas: bounds.max,
        targetCpuUtilizationPercent:
          args.targetCpuUtilizationPercent ?? DEFAULT_TARGET_CPU_UTILIZATION_PERCENT,
        serviceAccount: args.serviceAccount,
        kmsKeyName: args.kmsKeyName,
        // The deployment is the endpoint's serving compute, so it carries the endpoint's marks
        // and size, as the SageMaker variant and the Azure deployment do; the model it uploads
        // into the Model Registry carries the same labels.
        labels: blockTags(args.tags, "endpoint", args.size),
      },
      statefulOptions(args.tier, this, { dependsOn: [model, args.keyAccess] }),
    );

    this.endpointName = endpoint.name;
    this.scoringUrl = pulumi.interpolate`https://${region}-aiplatform.googleapis.com/v1/projects/${project}/locations/${region}/endpoints/${endpoint.name}:predict`;
    this.artifactUri = artifactUri;
    this.instanceType = row.instanceType;
    this.minReplicas = bounds.min;
    this.maxReplicas = bounds.max;
    this.registerOutputs({
      endpointName: this.endpointName,
      scoringUrl: this.scoringUrl,
      artifactUri: this.artifactUri,
      instanceType: this.instanceType,
      minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas,
    });
  }
}
