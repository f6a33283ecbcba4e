import type { Policies } from "@pulumi/policy";
import { idleFloorWithinBudget } from "./cost/idle-floor-within-budget";
import { monthlyCeilingWithinBudget } from "./cost/monthly-ceiling-within-budget";
import { instanceTypeInCatalog } from "./mapping/instance-type-in-catalog";
import { instanceTypeMatchesSize } from "./mapping/instance-type-matches-size";
import { noRetiredInstanceType } from "./mapping/no-retired-instance-type";
import { sameSizeAcrossClouds } from "./mapping/same-size-across-clouds";
import { endpointAutoscaling } from "./reliability/endpoint-autoscaling";
import { endpointMinReplicas } from "./reliability/endpoint-min-replicas";
import { statefulResourcesProtected } from "./reliability/stateful-resources-protected";
import { statefulResourcesRecoverable } from "./reliability/stateful-resources-recoverable";
import { acrAdminUserDisabled } from "./security/acr-admin-user-disabled";
import { azuremlComputeLocalAuthDisabled } from "./security/azureml-compute-local-auth-disabled";
import { azuremlWorkspaceNoPublicAccess } from "./security/azureml-workspace-no-public-access";
import { ecrImmutableTags } from "./security/ecr-immutable-tags";
import { ecrKmsEncryption } from "./security/ecr-kms-encryption";
import { ecrScanOnPush } from "./security/ecr-scan-on-push";
import { gcpNoBasicRoles } from "./security/gcp-no-basic-roles";
import { gcsPublicAccessPrevention } from "./security/gcs-public-access-prevention";
import { gcsUniformAccess } from "./security/gcs-uniform-access";
import { iamNoFullAdmin } from "./security/iam-no-full-admin";
import { keyRotation } from "./security/key-rotation";
import { keyVaultPurgeProtection } from "./security/key-vault-purge-protection";
import { noPublicGrants } from "./security/no-public-grants";
import { s3BlockPublicAccess } from "./security/s3-block-public-access";
import { s3KmsEncryption } from "./security/s3-kms-encryption";
import { sagemakerKmsEncryption } from "./security/sagemaker-kms-encryption";
import { sagemakerModelNetworkIsolation } from "./security/sagemaker-model-network-isolation";
import { storageNoPublicBlobAccess } from "./security/storage-no-public-blob-access";
import { storageSecureTransfer } from "./security/storage-secure-transfer";
import { vertexCmek } from "./security/vertex-cmek";
import { platformMarks } from "./tagging/platform-marks";
import { requiredTags } from "./tagging/required-tags";

/** The pack's name, as `pulumi preview --policy-pack` reports it. */
export const POLICY_PACK_NAME = "mlplatform";

/** The policies by area; `index.ts` serves them, the gate runs them in-process. */
export const MAPPING_POLICIES: Policies = [
  instanceTypeInCatalog,
  noRetiredInstanceType,
  instanceTypeMatchesSize,
  sameSizeAcrossClouds,
];

export const COST_POLICIES: Policies = [monthlyCeilingWithinBudget, idleFloorWithinBudget];

export const RELIABILITY_POLICIES: Policies = [
  endpointMinReplicas,
  endpointAutoscaling,
  statefulResourcesProtected,
  statefulResourcesRecoverable,
];

export const SECURITY_POLICIES: Policies = [
  s3BlockPublicAccess,
  s3KmsEncryption,
  ecrScanOnPush,
  ecrImmutableTags,
  ecrKmsEncryption,
  sagemakerModelNetworkIsolation,
  sagemakerKmsEncryption,
  keyRotation,
  iamNoFullAdmin,
  azuremlWorkspaceNoPublicAccess,
  azuremlComputeLocalAuthDisabled,
  storageNoPublicBlobAccess,
  storageSecureTransfer,
  acrAdminUserDisabled,
  keyVaultPurgeProtection,
  gcsUniformAccess,
  gcsPublicAccessPrevention,
  vertexCmek,
  gcpNoBasicRoles,
  noPublicGrants,
];

export const TAGGING_POLICIES: Policies = [requiredTags, platformMarks];

export const POLICIES: Policies = [
  ...MAPPING_POLICIES,
  ...COST_POLICIES,
  ...RELIABILITY_POLICIES,
  ...SECURITY_POLICIES,
  ...TAGGING_POLICIES,
];
