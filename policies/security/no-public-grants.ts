import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asList, gcpBindings, statements } from "../lib/iam";
import { T } from "../lib/types";
import { excerpt, isRecord, peek, show } from "../lib/values";

/** GCP's members that stand for anyone on the internet, signed in to Google or not. */
const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"];

/**
 * Google's IAM resources, one trio per resource kind in @pulumi/gcp (`storage/bucketIAMMember`,
 * `artifactregistry/repositoryIamMember`, `projects/iAMBinding`...): a `member`, `members`, or a
 * `policyData` document of `bindings[].members`.
 */
const GCP_IAM = /^gcp:[^:]+:\w+I[Aa][Mm](Member|Binding|Policy)$/;

/** Cloud Storage ACL entries that name their grantee as `entity` (`allUsers`...). */
const GCP_ACL_ENTRIES = new Set([
  "gcp:storage/bucketAccessControl:BucketAccessControl",
  "gcp:storage/objectAccessControl:ObjectAccessControl",
  "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
]);

/** AWS resource-based policies, which can grant to any principal, and the property holding each. */
const AWS_RESOURCE_POLICIES: Record<string, string> = {
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
  "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": "resourcePolicy",
  [T.awsKmsKey]: "policy",
  "aws:kms/keyPolicy:KeyPolicy": "policy",
};

/** An Azure blob container's anonymous read access level (`enums.storage.PublicAccess`). */
const AZURE_BLOB_CONTAINER = "azure-native:storage:BlobContainer";

/** Whether a statement's Principal is everyone: `"*"` or `{"AWS": "*"}` (or a list holding it). */
function everyone(principal: unknown): boolean {
  if (principal === "*") return true;
  return isRecord(principal) && asList(principal.AWS).includes("*");
}

/**
 * The public members a GCP IAM resource grants to. Members are read as the engine sent them: a
 * member a preview cannot know yet (a service agent's address) is no literal `allUsers`, so it
 * does not stop the check.
 */
function gcpPublicMembers(type: string, props: Record<string, unknown>): string[] {
  const kind = GCP_IAM.exec(type)?.[1];
  if (kind === "Member") return PUBLIC_MEMBERS.filter((m) => peek(props, "member") === m);
  if (kind === "Binding") {
    const members = peek(props, "members");
    return PUBLIC_MEMBERS.filter((m) => Array.isArray(members) && members.includes(m));
  }
  const members = (gcpBindings(peek(props, "policyData")) ?? []).flatMap((b) => b.members);
  return PUBLIC_MEMBERS.filter((m) => members.includes(m));
}

export const noPublicGrants: ResourceValidationPolicy = {
  name: "no-public-grants",
  description:
    'Checks whether an IAM grant or access setting makes data public: GCP IAM members, bindings and policies or Cloud Storage ACLs for allUsers or allAuthenticatedUsers (CIS GCP 5.1, Checkov CKV_GCP_28), AWS resource policies that allow the "*" principal without a condition (Security Hub S3.2/S3.3, Checkov CKV_AWS_70), Azure blob containers open to anonymous reads (Checkov CKV_AZURE_34).',
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const props = args.props;
    if (GCP_IAM.test(args.type)) {
      for (const member of gcpPublicMembers(args.type, props)) {
        reportViolation(
          `the grant must name the users, groups or service accounts that need access, not ${member}, which makes the resource public; it grants ${show(peek(props, "role") ?? "its roles")} to ${member}.`,
        );
      }
    } else if (GCP_ACL_ENTRIES.has(args.type)) {
      if (PUBLIC_MEMBERS.includes(props.entity as string)) {
        reportViolation(
          `entity must name the users or groups that need access, not ${props.entity as string}, which makes the data public; use IAM with uniform bucket-level access instead.`,
        );
      }
    } else if (args.type in AWS_RESOURCE_POLICIES) {
      const key = AWS_RESOURCE_POLICIES[args.type];
      // A document a preview cannot know yet (built from ARNs) is left to the real update.
      for (const { statement, name } of statements(peek(props, key)) ?? []) {
        if (
          statement.Effect === "Allow" &&
          everyone(statement.Principal) &&
          statement.Condition === undefined
        ) {
          reportViolation(
            `${key} must not allow the "*" principal without a condition, which lets anyone reach the resource; ${name} allows ${excerpt(statement.Action)} to ${excerpt(statement.Principal)}. Name the accounts or roles, or add a condition that limits who may call.`,
          );
        }
      }
    } else if (args.type === AZURE_BLOB_CONTAINER) {
      const access = props.publicAccess;
      if (access !== undefined && access !== "None") {
        reportViolation(
          `publicAccess must be "None" so blobs cannot be read anonymously; it is ${show(access)}.`,
        );
      }
    }
  },
};
