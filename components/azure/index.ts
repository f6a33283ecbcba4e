import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformOutputs } from "../blocks";
import { type EndpointDetails, azureOnlineEndpointId, endpointOutputs } from "../endpointDetails";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import type { PlatformArgs } from "../platform";
import { uniqueSuffix } from "../suffix";
import { blockTags, platformTags } from "../tags";
import type { AzurePlacement } from "./common";
import { AzureOnlineEndpoint } from "./endpoint";
import { AzureModelRegistry } from "./modelRegistry";
import { AzureContainerRegistry } from "./registry";
import { AzureStorage } from "./storage";
import { AzureTrainingCluster } from "./training";
import { AzureWorkspace } from "./workspace";

/**
 * The platform on Azure: a resource group holding an Azure Machine Learning workspace (with its
 * key vault, Application Insights and Log Analytics, and team access), its hardened storage
 * account and container registry, an autoscaling compute cluster for training, an Azure ML
 * registry for models, and one autoscaled managed online endpoint per spec endpoint serving the
 * sample model.
 */
export class AzurePlatform extends pulumi.ComponentResource implements PlatformOutputs {
  public readonly workspaceName: pulumi.Output<string>;
  public readonly trainingClusterName: pulumi.Output<string>;
  public readonly storageName: pulumi.Output<string>;
  public readonly containerRegistryUrl: pulumi.Output<string>;
  public readonly modelRegistryName: pulumi.Output<string>;
  public readonly endpoints: Record<string, pulumi.Output<string>>;
  public readonly endpointDetails: Record<string, EndpointDetails>;

  constructor(name: string, args: PlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("mlplatform:azure:Platform", name, {}, opts);

    const { spec } = args;
    if (spec.azure === undefined) {
      throw new pulumi.RunError("azure-native:location is required to deploy on azure");
    }
    const base = { tier: spec.tier, tags: platformTags(spec) };
    const nameParts = [spec.project, spec.stack];
    const location = spec.azure.location;

    const suffix = uniqueSuffix(name, this);
    const client = authorization.getClientConfigOutput({ parent: this });

    const group = new resources.ResourceGroup(
      `${name}-rg`,
      {
        resourceGroupName: physicalName(nameParts, NAME_RULES.azureResourceGroup),
        location,
        tags: blockTags(base.tags, "workspace"),
      },
      // Deleting the group deletes everything in it, the resources retained on delete included.
      statefulOptions(spec.tier, this),
    );
    const placement: AzurePlacement = { nameParts, resourceGroupName: group.name, location };

    const storage = new AzureStorage(
      `${name}-storage`,
      { ...base, ...placement, uniqueSuffix: suffix.result },
      { parent: this },
    );
    const registry = new AzureContainerRegistry(
      `${name}-registry`,
      { ...base, ...placement, uniqueSuffix: suffix.result },
      { parent: this },
    );
    const modelRegistry = new AzureModelRegistry(
      `${name}-model-registry`,
      {
        ...base,
        ...placement,
        modelNames: spec.endpoints.map((endpoint) => endpoint.name),
        uniqueSuffix: suffix.result,
      },
      { parent: this },
    );

    const workspace = new AzureWorkspace(
      `${name}-workspace`,
      {
        ...base,
        ...placement,
        teams: spec.teams,
        uniqueSuffix: suffix.result,
        tenantId: client.tenantId,
        subscriptionId: client.subscriptionId,
        storageAccountId: storage.accountId,
        storageAccountName: storage.storageName,
        dataContainerName: storage.containerName,
        containerRegistryId: registry.registryId,
        dataContainerId: storage.containerId,
        modelRegistryId: modelRegistry.modelRegistryId,
        // Only prod has a managed network to provision, with the token of `pulumi up`'s login.
        armAccessToken:
          spec.tier === "prod"
            ? authorization.getClientTokenOutput({}, { parent: this }).token
            : undefined,
      },
      { parent: this },
    );
    const training = new AzureTrainingCluster(
      `${name}-training`,
      {
        ...base,
        ...placement,
        ...spec.training,
        workspaceName: workspace.workspaceName,
        dataContainerId: storage.containerId,
        subscriptionId: client.subscriptionId,
      },
      { parent: this },
    );
    const endpoints = spec.endpoints.map(
      (endpoint) =>
        new AzureOnlineEndpoint(
          `${name}-endpoint-${endpoint.name}`,
          {
            ...base,
            ...placement,
            ...endpoint,
            uniqueSuffix: suffix.result,
            subscriptionId: client.subscriptionId,
            workspaceName: workspace.workspaceName,
            storageAccountName: storage.storageName,
            blobEndpoint: storage.blobEndpoint,
            containerName: storage.containerName,
            datastoreName: workspace.datastoreName,
            containerId: storage.containerId,
            deploymentPrerequisites: workspace.deploymentPrerequisites,
          },
          { parent: this },
        ),
    );
    const endpointMaps = endpointOutputs("azure", location, spec.endpoints, endpoints, (endpoint) =>
      azureOnlineEndpointId({
        subscriptionId: client.subscriptionId,
        resourceGroupName: group.name,
        workspaceName: workspace.workspaceName,
        endpointName: endpoint.endpointName,
      }),
    );
    this.endpoints = endpointMaps.endpoints;
    this.endpointDetails = endpointMaps.endpointDetails;

    this.workspaceName = workspace.workspaceName;
    this.trainingClusterName = training.clusterName;
    this.storageName = storage.storageName;
    this.containerRegistryUrl = registry.registryUrl;
    this.modelRegistryName = modelRegistry.modelRegistryName;
    this.registerOutputs({
      workspaceName: this.workspaceName,
      trainingClusterName: this.trainingClusterName,
      storageName: this.storageName,
      containerRegistryUrl: this.containerRegistryUrl,
      modelRegistryName: this.modelRegistryName,
      endpoints: this.endpoints,
      endpointDetails: this.endpointDetails,
    });
  }
}
