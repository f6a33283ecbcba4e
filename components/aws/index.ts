import { instanceFor } from "../../policies/catalog";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformOutputs } from "../blocks";
import { type EndpointDetails, endpointOutputs } from "../endpointDetails";
import type { PlatformArgs } from "../platform";
import { uniqueSuffix } from "../suffix";
import { platformTags } from "../tags";
import type { AwsAccount, AwsPlacement } from "./common";
import { AwsOnlineEndpoint, isServerless, sagemakerHostEc2Type } from "./endpoint";
import { AwsModelRegistry } from "./modelRegistry";
import { AwsNetwork } from "./network";
import { AwsContainerRegistry } from "./registry";
import { AwsStorage, bucketName } from "./storage";
import { AwsTrainingCluster } from "./training";
import { AwsWorkspace } from "./workspace";

/**
 * The platform on AWS: a private VPC, the SageMaker workspace (KMS key, execution role, Studio
 * domain, user profiles and attribute-based access), an S3 bucket, an ECR repository, an AWS
 * Batch training cluster, a SageMaker model package group per model, and one SageMaker endpoint
 * per spec endpoint serving the sample model.
 */
export class AwsPlatform extends pulumi.ComponentResource implements PlatformOutputs {
  public readonly workspaceName: pulumi.Output<string>;
  public readonly trainingClusterName: pulumi.Output<string>;
  public readonly storageName: pulumi.Output<string>;
  public readonly containerRegistryUrl: pulumi.Output<string>;
  public readonly modelRegistryName: pulumi.Output<string>;
  public readonly endpoints: Record<string, pulumi.Output<string>>;
  public readonly endpointDetails: Record<string, EndpointDetails>;
  /** The SNS topic the endpoints' alarms notify: subscribe the people on call to it. */
  public readonly alertTopicArn: pulumi.Output<string>;

  constructor(name: string, args: PlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("mlplatform:aws:Platform", name, {}, opts);

    const { spec } = args;
    if (spec.aws === undefined) {
      throw new pulumi.RunError("aws:region is required to deploy on aws");
    }
    const identity = getCallerIdentityOutput({}, { parent: this });
    const partition = getPartitionOutput({}, { parent: this });
    const account: AwsAccount = {
      region: spec.aws.region,
      accountId: identity.accountId,
      partition: partition.partition,
      dnsSuffix: partition.dnsSuffix,
      reverseDnsPrefix: partition.reverseDnsPrefix,
    };
    const placement: AwsPlacement = { nameParts: [spec.project, spec.stack], account };
    const base = { tier: spec.tier, tags: platformTags(spec) };

    const suffix = uniqueSuffix(name, this);

    // SageMaker publishes no per-zone offering of its ml.* types; the EC2 type of the same
    // family and size stands in for it (see docs/aws.md).
    const instanceTypes = [
      instanceFor("aws", spec.training.size, "training").instanceType,
      ...spec.endpoints
        .filter((endpoint) => !isServerless(endpoint.size, endpoint.minReplicas))
        .map((endpoint) =>
          sagemakerHostEc2Type(instanceFor("aws", endpoint.size, "hosting").instanceType),
        ),
    ];
    const network = new AwsNetwork(
      `${name}-network`,
      {
        ...base,
        account,
        instanceTypes,
        bucketName: suffix.result.apply((s) => bucketName(placement.nameParts, s)),
      },
      { parent: this },
    );
    const networkWiring = {
      vpcId: network.vpcId,
      vpcArn: network.vpcArn,
      subnetIds: network.subnetIds,
      securityGroupId: network.securityGroupId,
    };
    const workspace = new AwsWorkspace(
      `${name}-workspace`,
      { ...base, ...placement, teams: spec.teams, network: networkWiring },
      { parent: this },
    );
    const storage = new AwsStorage(
      `${name}-storage`,
      {
        ...base,
        ...placement,
        uniqueSuffix: suffix.result,
        kmsKeyArn: workspace.kmsKeyArn,
        executionRoleName: workspace.executionRoleName,
      },
      { parent: this },
    );
    const registry = new AwsContainerRegistry(
      `${name}-registry`,
      {
        ...base,
        ...placement,
        uniqueSuffix: suffix.result,
        kmsKeyArn: workspace.kmsKeyArn,
        executionRoleName: workspace.executionRoleName,
      },
      { parent: this },
    );
    const training = new AwsTrainingCluster(
      `${name}-training`,
      {
        ...base,
        ...placement,
        ...spec.training,
        network: networkWiring,
        kmsKeyArn: workspace.kmsKeyArn,
        bucketArn: storage.bucketArn,
      },
      { parent: this },
    );
    const modelRegistry = new AwsModelRegistry(
      `${name}-model-registry`,
      {
        ...base,
        ...placement,
        modelNames: spec.endpoints.map((endpoint) => endpoint.name),
        executionRoleName: workspace.executionRoleName,
      },
      { parent: this },
    );
    const endpoints = spec.endpoints.map(
      (endpoint) =>
        new AwsOnlineEndpoint(
          `${name}-endpoint-${endpoint.name}`,
          {
            ...base,
            ...placement,
            ...endpoint,
            network: networkWiring,
            kmsKeyArn: workspace.kmsKeyArn,
            bucketName: storage.storageName,
            bucketArn: storage.bucketArn,
            alertTopicArn: workspace.alertTopicArn,
          },
          { parent: this },
        ),
    );

    this.workspaceName = workspace.workspaceName;
    this.trainingClusterName = training.clusterName;
    this.storageName = storage.storageName;
    this.containerRegistryUrl = registry.registryUrl;
    this.modelRegistryName = modelRegistry.modelRegistryName;
    this.alertTopicArn = workspace.alertTopicArn;
    const endpointMaps = endpointOutputs("aws", account.region, spec.endpoints, endpoints);
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
      alertTopicArn: this.alertTopicArn,
    });
  }
}
