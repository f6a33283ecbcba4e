import { type SizeName, resolveInstance, scaledBounds } from "../../policies/catalog";
import { REQUESTED_REPLICAS } from "../../policies/lib/compute";
import { TAG, type Tier } from "../../policies/platform";
import { UNKNOWN } from "../../engine/monitor";
import type { ExportedResource, StackExport } from "../../engine/plan";
import { resourceUrn } from "../../engine/urn";

/** The knobs of a synthetic platform stack, as a stack's config would set them. */
export interface PlatformShape {
  stack: string;
  tier: Tier;
  trainingSize: SizeName;
  maxNodes: number;
  endpointSize: SizeName;
  minReplicas: number;
  maxReplicas: number;
  /** How many copies of the three clouds' platforms the stack holds (for benchmarks). */
  copies: number;
}

export const PROD_SHAPE: PlatformShape = {
  stack: "prod",
  tier: "prod",
  trainingSize: "cpu-8x32",
  maxNodes: 8,
  endpointSize: "cpu-4x16",
  minReplicas: 2,
  maxReplicas: 6,
  copies: 1,
};

export const DEV_SHAPE: PlatformShape = {
  stack: "dev",
  tier: "dev",
  trainingSize: "cpu-4x16",
  maxNodes: 4,
  endpointSize: "cpu-2x8",
  minReplicas: 1,
  maxReplicas: 3,
  copies: 1,
};

/** The stack config a shape stands for, as `Pulumi.<stack>.yaml` would give it. */
export function stackConfigYaml(shape: PlatformShape, budgetMonthlyUsd: number): string {
  return [
    "config:",
    "  mlplatform:clouds: [aws, azure, gcp]",
    `  mlplatform:tier: ${shape.tier}`,
    `  mlplatform:budgetMonthlyUsd: ${budgetMonthlyUsd}`,
    "",
  ].join("\n");
}

/**
 * A stack export shaped like the platform's plan on all three clouds: every resource type the
 * policies read, compliant with the shape's tier, under each cloud's platform component and the
 * training cluster and endpoint components, as the components nest them. Values the engine
 * computes are unknown, as in a preview.
 */
export function platformExport(shape: PlatformShape): StackExport {
  const project = "mlplatform";
  const urn = (type: string, name: string, parent?: string) =>
    resourceUrn(shape.stack, project, parent, type, name);
  const prod = shape.tier === "prod";
  const resources: ExportedResource[] = [];
  const stackUrn = urn("pulumi:pulumi:Stack", `${project}-${shape.stack}`);
  resources.push({ urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack", inputs: {} });

  // Resources go under their cloud's platform component unless a block component is named.
  let platform = stackUrn;
  const add = (
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    options: { dependsOn?: string[]; stateful?: boolean; parent?: string } = {},
  ): string => {
    const parent = options.parent ?? platform;
    const urnOfResource = urn(type, name, parent);
    const resource: ExportedResource = {
      urn: urnOfResource,
      custom: true,
      type,
      id: UNKNOWN,
      inputs,
      parent,
      dependencies: options.dependsOn ?? [],
    };
    if (options.stateful && prod) {
      resource.protect = true;
      resource.retainOnDelete = true;
    }
    resources.push(resource);
    return urnOfResource;
  };
  /** A component of the platform, `mlplatform:<cloud>:<Kind>`, as the components register it. */
  const component = (
    cloud: string,
    kind: string,
    name: string,
    parent: string,
    inputs: Record<string, unknown> = {},
  ): string => {
    const componentUrn = urn(`mlplatform:${cloud}:${kind}`, name, parent);
    resources.push({
      urn: componentUrn,
      custom: false,
      type: `mlplatform:${cloud}:${kind}`,
      inputs,
      parent,
    });
    return componentUrn;
  };
  const tags = (block: string, size?: string) => ({
    owner: "ml-platform",
    "cost-center": "cc-1234",
    environment: shape.tier,
    [TAG.stack]: shape.stack,
    [TAG.tier]: shape.tier,
    [TAG.block]: block,
    ...(size === undefined ? {} : { [TAG.size]: size }),
  });
  const training = (cloud: "aws" | "azure" | "gcp") =>
    resolveInstance(shape.trainingSize, cloud, "training");
  const hosting = (cloud: "aws" | "azure" | "gcp") =>
    resolveInstance(shape.endpointSize, cloud, "hosting");
  // The endpoint blocks declare what the shape asks and run what their cloud allows of it.
  const requested = {
    [REQUESTED_REPLICAS]: { min: shape.minReplicas, max: shape.maxReplicas },
  };
  const replicas = (cloud: "aws" | "azure" | "gcp") =>
    scaledBounds(cloud, "hosting", shape.minReplicas, shape.maxReplicas);

  for (let copy = 0; copy < shape.copies; copy++) {
    const n = (name: string) => (shape.copies === 1 ? name : `${name}-${copy}`);

    // AWS
    platform = component("aws", "Platform", n("aws"), stackUrn);
    const awsTrainingBlock = component("aws", "TrainingCluster", n("aws-training"), platform);
    const awsEndpointBlock = component(
      "aws",
      "OnlineEndpoint",
      n("aws-endpoint-iris"),
      platform,
      requested,
    );
    const key = add(
      "aws:kms/key:Key",
      n("aws-workspace-key"),
      { enableKeyRotation: true, deletionWindowInDays: 30, tags: tags("workspace") },
      { stateful: true },
    );
    const bucket = add(
      "aws:s3/bucket:Bucket",
      n("aws-storage-bucket"),
      { bucket: UNKNOWN, forceDestroy: !prod, tags: tags("storage") },
      { stateful: true },
    );
    add(
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      n("aws-storage-public-access"),
      {
        bucket: UNKNOWN,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { dependsOn: [bucket] },
    );
    add(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      n("aws-storage-encryption"),
      {
        bucket: UNKNOWN,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: UNKNOWN,
            },
            bucketKeyEnabled: true,
          },
        ],
      },
      { dependsOn: [bucket, key] },
    );
    add(
      "aws:s3/bucketVersioning:BucketVersioning",
      n("aws-storage-versioning"),
      { bucket: UNKNOWN, versioningConfiguration: { status: "Enabled" } },
      { dependsOn: [bucket] },
    );
    add(
      "aws:ecr/repository:Repository",
      n("aws-registry-repository"),
      {
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: "IMMUTABLE",
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: UNKNOWN }],
        tags: tags("registry"),
      },
      { stateful: true },
    );
    const role = add("aws:iam/role:Role", n("aws-workspace-role"), {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "sagemaker.amazonaws.com" },
            Action: "sts:AssumeRole",
          },
        ],
      }),
      tags: tags("workspace"),
    });
    add(
      "aws:iam/rolePolicy:RolePolicy",
      n("aws-workspace-role-policy"),
      {
        role: UNKNOWN,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["s3:GetObject", "s3:PutObject"],
              Resource: "arn:aws:s3:::bucket/*",
            },
          ],
        }),
      },
      { dependsOn: [role] },
    );
    add(
      "aws:sagemaker/domain:Domain",
      n("aws-workspace-domain"),
      {
        domainName: n("mlplatform"),
        authMode: "IAM",
        kmsKeyId: UNKNOWN,
        appNetworkAccessType: prod ? "VpcOnly" : "PublicInternetOnly",
        tags: tags("workspace"),
      },
      { dependsOn: [key, role] },
    );
    add(
      "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
      n("aws-model-registry"),
      { modelPackageGroupName: n("iris"), tags: tags("model-registry") },
      { stateful: true },
    );
    const awsTraining = training("aws");
    add(
      "aws:batch/computeEnvironment:ComputeEnvironment",
      n("aws-training-environment"),
      {
        type: "MANAGED",
        computeResources: {
          type: prod ? "EC2" : "SPOT",
          instanceTypes: [awsTraining.instanceType],
          minVcpus: 0,
          maxVcpus: shape.maxNodes * awsTraining.vcpus,
          subnets: [UNKNOWN],
        },
        tags: tags("training", shape.trainingSize),
      },
      { parent: awsTrainingBlock },
    );
    const model = add(
      "aws:sagemaker/model:Model",
      n("aws-endpoint-iris-model"),
      {
        executionRoleArn: UNKNOWN,
        enableNetworkIsolation: true,
        primaryContainer: { image: "image", modelDataUrl: UNKNOWN },
        tags: tags("endpoint"),
      },
      { dependsOn: [role], parent: awsEndpointBlock },
    );
    const config = add(
      "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
      n("aws-endpoint-iris-config"),
      {
        kmsKeyArn: UNKNOWN,
        productionVariants: [
          {
            variantName: "primary",
            modelName: UNKNOWN,
            instanceType: hosting("aws").instanceType,
            initialInstanceCount: replicas("aws").min,
          },
        ],
        tags: tags("endpoint", shape.endpointSize),
      },
      { dependsOn: [model, key], parent: awsEndpointBlock },
    );
    const endpoint = add(
      "aws:sagemaker/endpoint:Endpoint",
      n("aws-endpoint-iris-endpoint"),
      { endpointConfigName: UNKNOWN, tags: tags("endpoint") },
      { dependsOn: [config], parent: awsEndpointBlock },
    );
    add(
      "aws:appautoscaling/target:Target",
      n("aws-endpoint-iris-scaling"),
      {
        serviceNamespace: "sagemaker",
        scalableDimension: "sagemaker:variant:DesiredInstanceCount",
        resourceId: UNKNOWN,
        minCapacity: replicas("aws").min,
        maxCapacity: replicas("aws").max,
        tags: tags("endpoint"),
      },
      { dependsOn: [endpoint], parent: awsEndpointBlock },
    );

    // Azure
    platform = component("azure", "Platform", n("azure"), stackUrn);
    const azureTrainingBlock = component("azure", "TrainingCluster", n("azure-training"), platform);
    const azureEndpointBlock = component(
      "azure",
      "OnlineEndpoint",
      n("azure-endpoint-iris"),
      platform,
      requested,
    );
    const group = add("azure-native:resources:ResourceGroup", n("azure-group"), {
      location: "eastus",
      tags: tags("workspace"),
    });
    const account = add(
      "azure-native:storage:StorageAccount",
      n("azure-storage-account"),
      {
        resourceGroupName: UNKNOWN,
        kind: "StorageV2",
        sku: { name: "Standard_ZRS" },
        allowBlobPublicAccess: false,
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        tags: tags("storage"),
      },
      { dependsOn: [group], stateful: true },
    );
    add(
      "azure-native:storage:BlobServiceProperties",
      n("azure-storage-blob-service"),
      {
        accountName: UNKNOWN,
        resourceGroupName: UNKNOWN,
        isVersioningEnabled: true,
        deleteRetentionPolicy: { enabled: true, days: 30 },
      },
      { dependsOn: [account] },
    );
    add(
      "azure-native:keyvault:Vault",
      n("azure-workspace-vault"),
      {
        resourceGroupName: UNKNOWN,
        properties: {
          tenantId: UNKNOWN,
          sku: { family: "A", name: "standard" },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          enablePurgeProtection: true,
          softDeleteRetentionInDays: 90,
        },
        tags: tags("workspace"),
      },
      { dependsOn: [group], stateful: true },
    );
    add(
      "azure-native:containerregistry:Registry",
      n("azure-registry"),
      {
        resourceGroupName: UNKNOWN,
        sku: { name: "Premium" },
        adminUserEnabled: false,
        tags: tags("registry"),
      },
      { dependsOn: [group], stateful: true },
    );
    const workspace = add(
      "azure-native:machinelearningservices:Workspace",
      n("azure-workspace"),
      {
        resourceGroupName: UNKNOWN,
        publicNetworkAccess: prod ? "Disabled" : "Enabled",
        identity: { type: "SystemAssigned" },
        tags: tags("workspace"),
      },
      { dependsOn: [group] },
    );
    add(
      "azure-native:machinelearningservices:Registry",
      n("azure-model-registry"),
      {
        resourceGroupName: UNKNOWN,
        regionDetails: [{ location: "eastus" }],
        tags: tags("model-registry"),
      },
      { dependsOn: [group], stateful: true },
    );
    add(
      "azure-native:machinelearningservices:Compute",
      n("azure-training-cluster"),
      {
        resourceGroupName: UNKNOWN,
        workspaceName: UNKNOWN,
        properties: {
          computeType: "AmlCompute",
          disableLocalAuth: true,
          properties: {
            vmSize: training("azure").instanceType,
            vmPriority: prod ? "Dedicated" : "LowPriority",
            scaleSettings: {
              minNodeCount: 0,
              maxNodeCount: shape.maxNodes,
              nodeIdleTimeBeforeScaleDown: "PT20M",
            },
          },
        },
        tags: tags("training", shape.trainingSize),
      },
      { dependsOn: [workspace], parent: azureTrainingBlock },
    );
    const onlineEndpoint = add(
      "azure-native:machinelearningservices:OnlineEndpoint",
      n("azure-endpoint-iris-endpoint"),
      {
        resourceGroupName: UNKNOWN,
        workspaceName: UNKNOWN,
        properties: { authMode: "Key" },
        tags: tags("endpoint"),
      },
      { dependsOn: [workspace], parent: azureEndpointBlock },
    );
    const deployment = add(
      "azure-native:machinelearningservices:OnlineDeployment",
      n("azure-endpoint-iris-deployment"),
      {
        resourceGroupName: UNKNOWN,
        workspaceName: UNKNOWN,
        endpointName: UNKNOWN,
        sku: { name: "Default", capacity: replicas("azure").min },
        properties: {
          endpointComputeType: "Managed",
          instanceType: hosting("azure").instanceType,
          scaleSettings: { scaleType: "Default" },
        },
        tags: tags("endpoint", shape.endpointSize),
      },
      { dependsOn: [onlineEndpoint], parent: azureEndpointBlock },
    );
    add(
      "azure-native:monitor:AutoscaleSetting",
      n("azure-endpoint-iris-autoscale"),
      {
        resourceGroupName: UNKNOWN,
        targetResourceUri: UNKNOWN,
        enabled: true,
        profiles: [
          {
            name: "default",
            capacity: {
              minimum: String(replicas("azure").min),
              maximum: String(replicas("azure").max),
              default: String(replicas("azure").min),
            },
            rules: [],
          },
        ],
        tags: tags("endpoint"),
      },
      { dependsOn: [deployment], parent: azureEndpointBlock },
    );

    // GCP
    platform = component("gcp", "Platform", n("gcp"), stackUrn);
    const gcpTrainingBlock = component("gcp", "TrainingCluster", n("gcp-training"), platform);
    const gcpEndpointBlock = component(
      "gcp",
      "OnlineEndpoint",
      n("gcp-endpoint-iris"),
      platform,
      requested,
    );
    const ring = add(
      "gcp:kms/keyRing:KeyRing",
      n("gcp-workspace-keyring"),
      { location: "us-central1", name: UNKNOWN },
      { stateful: true },
    );
    add(
      "gcp:kms/cryptoKey:CryptoKey",
      n("gcp-workspace-key"),
      {
        keyRing: UNKNOWN,
        purpose: "ENCRYPT_DECRYPT",
        rotationPeriod: "7776000s",
        labels: tags("workspace"),
      },
      { dependsOn: [ring], stateful: true },
    );
    add(
      "gcp:storage/bucket:Bucket",
      n("gcp-storage-bucket"),
      {
        location: "us-central1",
        name: UNKNOWN,
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        versioning: { enabled: true },
        encryption: { defaultKmsKeyName: UNKNOWN },
        labels: tags("storage"),
      },
      { stateful: true },
    );
    add(
      "gcp:artifactregistry/repository:Repository",
      n("gcp-registry-repository"),
      {
        format: "DOCKER",
        kmsKeyName: UNKNOWN,
        dockerConfig: { immutableTags: true },
        labels: tags("registry"),
      },
      { stateful: true },
    );
    add("gcp:projects/iAMMember:IAMMember", n("gcp-workspace-runtime-aiplatform-user"), {
      project: "mlplatform-prod",
      role: "roles/aiplatform.user",
      member: "serviceAccount:runtime@mlplatform-prod.iam.gserviceaccount.com",
    });
    add(
      "gcp:vertex/aiMetadataStore:AiMetadataStore",
      n("gcp-workspace-metadata"),
      { region: "us-central1", encryptionSpec: { kmsKeyName: UNKNOWN } },
      { stateful: true },
    );
    add(
      "gcp:vertex/aiTensorboard:AiTensorboard",
      n("gcp-workspace-tensorboard"),
      {
        region: "us-central1",
        displayName: "tb",
        encryptionSpec: { kmsKeyName: UNKNOWN },
        labels: tags("workspace"),
      },
      { stateful: true },
    );
    const gcpTraining = training("gcp");
    add(
      "gcp:vertex/aiPersistentResource:AiPersistentResource",
      n("gcp-training-cluster"),
      {
        location: "us-central1",
        resourcePools: [
          {
            id: "training",
            machineSpec: { machineType: gcpTraining.instanceType },
            replicaCount: "1",
            autoscalingSpec: {
              minReplicaCount: "1",
              maxReplicaCount: String(Math.max(shape.maxNodes, 1)),
            },
          },
        ],
        encryptionSpec: { kmsKeyName: UNKNOWN },
        labels: tags("training", shape.trainingSize),
      },
      { parent: gcpTrainingBlock },
    );
    const aiEndpoint = add(
      "gcp:vertex/aiEndpoint:AiEndpoint",
      n("gcp-endpoint-iris-endpoint"),
      {
        location: "us-central1",
        displayName: "iris",
        name: UNKNOWN,
        encryptionSpec: { kmsKeyName: UNKNOWN },
        labels: tags("endpoint", shape.endpointSize),
      },
      { parent: gcpEndpointBlock },
    );
    add(
      "pulumi-nodejs:dynamic/gcp:VertexModelDeployment",
      n("gcp-endpoint-iris-deployment"),
      {
        __provider: "exports.handler = ...",
        endpointId: UNKNOWN,
        displayName: "iris",
        machineType: hosting("gcp").instanceType,
        minReplicas: replicas("gcp").min,
        maxReplicas: replicas("gcp").max,
        targetCpuUtilizationPercent: 60,
        labels: tags("endpoint", shape.endpointSize),
      },
      { dependsOn: [aiEndpoint], parent: gcpEndpointBlock },
    );
  }
  return {
    version: 3,
    deployment: {
      manifest: { time: "2025-11-22T00:00:00.000Z", magic: "", version: "synthetic" },
      resources,
    },
  };
}

/** The same resources as `pulumi preview --json` would list them: one create step each. */
export function asPreview(stackExport: StackExport): { steps: unknown[] } {
  return {
    steps: stackExport.deployment.resources.map((r) => ({
      op: "create",
      urn: r.urn,
      newState: r,
    })),
  };
}
