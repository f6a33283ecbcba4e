import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { gcpBindings } from "../lib/iam";
import { excerpt } from "../lib/values";

interface RoleGrantProps {
  role?: string;
}

interface IamPolicyProps {
  policyData?: string;
}

/** Google's basic (formerly primitive) roles: each grants thousands of permissions. */
const BASIC_ROLES = ["roles/owner", "roles/editor", "roles/viewer"];

const RESOURCE_MANAGER_GRANTS = [
  T.gcpProjectIamMember,
  T.gcpProjectIamBinding,
  T.gcpFolderIamMember,
  T.gcpFolderIamBinding,
  T.gcpOrganizationIamMember,
  T.gcpOrganizationIamBinding,
];

function basicRoleMessage(role: string): string {
  return `the grant must use a predefined or custom role with the permissions the member needs, not a basic role (${BASIC_ROLES.join(", ")}); it grants ${role}.`;
}

export const gcpNoBasicRoles: ResourceValidationPolicy = {
  name: "gcp-no-basic-roles",
  description:
    "Checks whether a GCP project, folder or organization grant uses a basic role (owner, editor, viewer) (Checkov CKV_GCP_115 to CKV_GCP_117, Security Command Center PRIMITIVE_ROLES_USED).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<RoleGrantProps>(RESOURCE_MANAGER_GRANTS, (props, _, reportViolation) => {
      if (props.role !== undefined && BASIC_ROLES.includes(props.role)) {
        reportViolation(basicRoleMessage(props.role));
      }
    }),
    on<IamPolicyProps>(T.gcpProjectIamPolicy, (props, _, reportViolation) => {
      if (props.policyData === undefined) return;
      const bindings = gcpBindings(props.policyData);
      if (bindings === undefined) {
        reportViolation(
          `policyData must be a JSON IAM policy (as organizations.getIAMPolicy gives it); it is not JSON: ${excerpt(props.policyData)}.`,
        );
        return;
      }
      for (const { role } of bindings) {
        if (role !== undefined && BASIC_ROLES.includes(role)) {
          reportViolation(basicRoleMessage(role));
        }
      }
    }),
  ),
};
