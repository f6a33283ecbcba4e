import * as pulumi from "@pulumi/pulumi";
import { BundledDynamicResource } from "../dynamicProvider";

export interface VertexModelDeploymentArgs {
  /** GCP project that holds the endpoint and the uploaded model. */
  project: pulumi.Input<string>;
  /** Region of the endpoint and the model, such as `us-central1`. */
  region: pulumi.Input<string>;
  /** The endpoint: its full name (`projects/{project}/locations/{region}/endpoints/{id}`) or its id. */
  endpointId: pulumi.Input<string>;
  /** Display name of the uploaded model and of the deployed model. */
  displayName: pulumi.Input<string>;
  /** `gs://` directory that holds the model file (`model.joblib` for scikit-learn). */
  artifactUri: pulumi.Input<string>;
  /** Prebuilt Vertex AI prediction image that serves the model (scikit-learn). */
  servingImage: pulumi.Input<string>;
  /** Machine type of each replica, from the catalog's hosting row. */
  machineType: pulumi.Input<string>;
  /** Accelerator on each replica, such as `NVIDIA_TESLA_T4`. @default - no accelerator */
  acceleratorType?: pulumi.Input<string>;
  /** Accelerators on each replica; required with `acceleratorType`. @default - no accelerator */
  acceleratorCount?: pulumi.Input<number>;
  /** Replicas kept running; Vertex AI needs at least one. */
  minReplicas: pulumi.Input<number>;
  /** Replicas the deployment may scale out to. */
  maxReplicas: pulumi.Input<number>;
  /** CPU utilization, in percent, that autoscaling holds replicas at. @default 60 */
  targetCpuUtilizationPercent?: pulumi.Input<number>;
  /**
   * Email of the service account the serving container runs as, such as the platform's runtime
   * account. Whoever deploys needs `iam.serviceAccounts.actAs` on it. A change deploys a new model.
   * @default - Vertex AI's own serving account, which reaches none of the platform's resources
   */
  serviceAccount?: pulumi.Input<string>;
  /** Cloud KMS key (in `region`) that encrypts the model. @default - Google-managed encryption */
  kmsKeyName?: pulumi.Input<string>;
  /** Labels of the uploaded model (the platform's block labels). @default - only the deployment marker */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Service root of the Vertex AI API. @default `https://{region}-aiplatform.googleapis.com` */
  apiEndpoint?: pulumi.Input<string>;
}

/**
 * Uploads a model to the Vertex AI Model Registry and deploys it onto an endpoint with all of its
 * traffic, on dedicated replicas that autoscale on CPU utilization. Replica bounds, the CPU target
 * and labels change in place; any other change deploys a new model and then removes the old one.
 */
export class VertexModelDeployment extends BundledDynamicResource {
  /** Full name of the endpoint. */
  declare public readonly endpointName: pulumi.Output<string>;
  /** Full name of the model in the Model Registry. */
  declare public readonly modelName: pulumi.Output<string>;
  declare public readonly modelId: pulumi.Output<string>;
  /** Id of the deployed model within the endpoint. */
  declare public readonly deployedModelId: pulumi.Output<string>;
  /** Value of the model's `mlplatform_deployment` label. */
  declare public readonly requestMarker: pulumi.Output<string>;

  constructor(
    name: string,
    args: VertexModelDeploymentArgs,
    opts: pulumi.CustomResourceOptions = {},
  ) {
    super(
      {
        module: require.resolve("./vertexDeploymentProvider"),
        factory: "vertexDeploymentProvider",
      },
      "gcp",
      "VertexModelDeployment",
      name,
      {
        ...args,
        endpointName: undefined,
        modelName: undefined,
        modelId: undefined,
        deployedModelId: undefined,
        requestMarker: undefined,
      },
      opts,
    );
  }
}
