import * as pulumi from "@pulumi/pulumi";
import type { PlatformOutputs } from "../blocks";
import { type EndpointDetails, endpointOutputs } from "../endpointDetails";
import type { PlatformArgs } from "../platform";
import { uniqueSuffix } from "../suffix";
import { platformTags } from "../tags";
import type { GcpPlacement } from "./common";
import { GcpOnlineEndpoint } from "./endpoint";
import { GcpContainerRegistry } from "./registry";
import { GcpStorage } from "./storage";
import { GcpTrainingCluster, type TrainingJobSettings } from "./training";
import { GcpWorkspace } from "./workspace";

/** The Vertex AI Model Registry of a project and region, where the deployments upload models. */
export function modelRegistryName(project: string, region: string): string {
  return `projects/${project}/locations/${region}/models`;
}

/**
 * The platform on Google Cloud: the Vertex AI workspace (APIs, key, runtime account, metadata
 * store, Tensorboard, team access, runtime and serving accounts), a GCS bucket, an Artifact
 * Registry repository, training (serverless custom jobs, or a Vertex AI persistent resource when
 * the spec keeps nodes running), and one Vertex AI endpoint per spec endpoint serving the sample
 * model as the serving account. Models are registered in the Vertex AI Model Registry by the deployments; it has
 * no resource of its own.
 */
export class GcpPlatform extends pulumi.ComponentResource implements PlatformOutputs {
  public readonly workspaceName: pulumi.Output<string>;
  public readonly trainingClusterName: pulumi.Output<string>;
  public readonly storageName: pulumi.Output<string>;
  public readonly containerRegistryUrl: pulumi.Output<string>;
  public readonly modelRegistryName: pulumi.Output<string>;
  public readonly endpoints: Record<string, pulumi.Output<string>>;
  public readonly endpointDetails: Record<string, EndpointDetails>;
  public readonly trainingJobSettings: pulumi.Output<TrainingJobSettings>;

  constructor(name: string, args: PlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("mlplatform:gcp:Platform", name, {}, opts);

    const { spec } = args;
    if (spec.gcp?.project === undefined) {
      throw new pulumi.RunError("gcp:project and gcp:region are required to deploy on gcp");
    }
    const placement: GcpPlacement = {
      nameParts: [spec.project, spec.stack],
      project: spec.gcp.project,
      region: spec.gcp.region,
    };
    const base = { tier: spec.tier, tags: platformTags(spec) };

    const suffix = uniqueSuffix(name, this);

    const workspace = new GcpWorkspace(
      `${name}-workspace`,
      { ...base, ...placement, teams: spec.teams, uniqueSuffix: suffix.result },
      { parent: this },
    );
    const storage = new GcpStorage(
      `${name}-storage`,
      {
        ...base,
        ...placement,
        uniqueSuffix: suffix.result,
        kmsKeyName: workspace.kmsKeyName,
        keyAccess: workspace.keyAccess,
        objectUsers: [workspace.runtimeMember],
        objectViewers: [workspace.servingMember],
      },
      { parent: this },
    );
    const registry = new GcpContainerRegistry(
      `${name}-registry`,
      {
        ...base,
        ...placement,
        uniqueSuffix: suffix.result,
        kmsKeyName: workspace.kmsKeyName,
        keyAccess: workspace.keyAccess,
        readers: [workspace.runtimeMember],
      },
      { parent: this },
    );
    const training = new GcpTrainingCluster(
      `${name}-training`,
      {
        ...base,
        ...placement,
        ...spec.training,
        serviceAccount: workspace.runtimeServiceAccountEmail,
        kmsKeyName: workspace.kmsKeyName,
        keyAccess: workspace.keyAccess,
      },
      { parent: this },
    );
    const endpoints = spec.endpoints.map(
      (endpoint) =>
        new GcpOnlineEndpoint(
          `${name}-endpoint-${endpoint.name}`,
          {
            ...base,
            ...placement,
            ...endpoint,
            bucketName: storage.storageName,
            serviceAccount: workspace.servingServiceAccountEmail,
            kmsKeyName: workspace.kmsKeyName,
            keyAccess: workspace.keyAccess,
          },
          { parent: this },
        ),
    );

    this.workspaceName = workspace.workspaceName;
    this.trainingClusterName = training.clusterName;
    this.trainingJobSettings = training.jobSettings;
    this.storageName = storage.storageName;
    this.containerRegistryUrl = registry.registryUrl;
    this.modelRegistryName = pulumi.output(modelRegistryName(placement.project, placement.region));
    const endpointMaps = endpointOutputs("gcp", placement.region, spec.endpoints, endpoints);
    this.endpoints = endpointMaps.endpoints;
    this.endpointDetails = endpointMaps.endpointDetails;
    this.registerOutputs({
      workspaceName: this.workspaceName,
      trainingClusterName: this.trainingClusterName,
      storageName: this.storageName,
      containerRegistryUrl: this.containerRegistryUrl,
      modelRegistryName: this.modelRegistryName,
      endpoints: this.endpoints,
      endpointDetails: this.endpointDetails,
      trainingJobSettings: this.trainingJobSettings,
    });
  }
}
