import type { Cloud } from "../platform";

/**
 * The resource type tokens the policies read, as the providers register them (the
 * `__pulumiType` of each class in @pulumi/aws, @pulumi/azure-native and @pulumi/gcp). The pack
 * depends on no provider package: policies read the wire properties the engine hands them.
 */
export const T = {
  awsBucket: "aws:s3/bucket:Bucket",
  awsBucketV2: "aws:s3/bucketV2:BucketV2",
  awsBucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  awsBucketEncryption:
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  awsBucketEncryptionV2:
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  awsBucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
  awsBucketVersioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
  awsEcrRepository: "aws:ecr/repository:Repository",
  awsKmsKey: "aws:kms/key:Key",
  awsIamPolicy: "aws:iam/policy:Policy",
  awsIamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
  awsIamUserPolicy: "aws:iam/userPolicy:UserPolicy",
  awsIamGroupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  awsIamRole: "aws:iam/role:Role",
  awsSagemakerDomain: "aws:sagemaker/domain:Domain",
  awsSagemakerModel: "aws:sagemaker/model:Model",
  awsSagemakerEndpoint: "aws:sagemaker/endpoint:Endpoint",
  awsSagemakerEndpointConfiguration: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  awsSagemakerModelPackageGroup: "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
  awsBatchComputeEnvironment: "aws:batch/computeEnvironment:ComputeEnvironment",
  awsAutoscalingTarget: "aws:appautoscaling/target:Target",
  awsVpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  awsMetricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",

  azureStorageAccount: "azure-native:storage:StorageAccount",
  azureBlobServiceProperties: "azure-native:storage:BlobServiceProperties",
  azureKeyVault: "azure-native:keyvault:Vault",
  azureContainerRegistry: "azure-native:containerregistry:Registry",
  azureMlWorkspace: "azure-native:machinelearningservices:Workspace",
  azureMlRegistry: "azure-native:machinelearningservices:Registry",
  azureMlCompute: "azure-native:machinelearningservices:Compute",
  azureMlOnlineDeployment: "azure-native:machinelearningservices:OnlineDeployment",
  azureLogAnalytics: "azure-native:operationalinsights:Workspace",
  azureAppInsights: "azure-native:applicationinsights:Component",
  azurePrivateEndpoint: "azure-native:network:PrivateEndpoint",
  azureAutoscaleSetting: "azure-native:monitor:AutoscaleSetting",
  azureRoleDefinition: "azure-native:authorization:RoleDefinition",

  gcpBucket: "gcp:storage/bucket:Bucket",
  gcpArtifactRepository: "gcp:artifactregistry/repository:Repository",
  gcpKmsKeyRing: "gcp:kms/keyRing:KeyRing",
  gcpKmsCryptoKey: "gcp:kms/cryptoKey:CryptoKey",
  gcpVertexEndpoint: "gcp:vertex/aiEndpoint:AiEndpoint",
  gcpVertexDeploymentResourcePool: "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool",
  gcpVertexPersistentResource: "gcp:vertex/aiPersistentResource:AiPersistentResource",
  gcpVertexMetadataStore: "gcp:vertex/aiMetadataStore:AiMetadataStore",
  gcpVertexTensorboard: "gcp:vertex/aiTensorboard:AiTensorboard",
  gcpProjectIamMember: "gcp:projects/iAMMember:IAMMember",
  gcpProjectIamBinding: "gcp:projects/iAMBinding:IAMBinding",
  gcpProjectIamPolicy: "gcp:projects/iAMPolicy:IAMPolicy",
  gcpFolderIamMember: "gcp:folder/iAMMember:IAMMember",
  gcpFolderIamBinding: "gcp:folder/iAMBinding:IAMBinding",
  gcpOrganizationIamMember: "gcp:organizations/iAMMember:IAMMember",
  gcpOrganizationIamBinding: "gcp:organizations/iAMBinding:IAMBinding",

  /** The dynamic resource that deploys a model onto a Vertex AI endpoint (components/gcp). */
  gcpVertexModelDeployment: "pulumi-nodejs:dynamic/gcp:VertexModelDeployment",

  /**
   * Components of this platform whose own inputs the cost model reads: the Azure workspace's
   * managed network, the GCP training block's serverless jobs.
   */
  azureWorkspaceBlock: "mlplatform:azure:Workspace",
  gcpTrainingBlock: "mlplatform:gcp:TrainingCluster",
  stack: "pulumi:pulumi:Stack",
} as const;

const CLOUD_PREFIXES: readonly [string, Cloud][] = [
  ["aws:", "aws"],
  ["azure-native:", "azure"],
  ["gcp:", "gcp"],
  // The platform's dynamic resources name their cloud as the module of the type token.
  ["pulumi-nodejs:dynamic/gcp:", "gcp"],
];

/**
 * The cloud a resource type belongs to: a provider's resource, or one of the platform's dynamic
 * resources (`pulumi-nodejs:dynamic/gcp:VertexModelDeployment`); `undefined` for other packages.
 */
export function cloudOfType(type: string): Cloud | undefined {
  return CLOUD_PREFIXES.find(([prefix]) => type.startsWith(prefix))?.[1];
}

/** The logical name of a resource: the last part of its URN. */
export function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}
