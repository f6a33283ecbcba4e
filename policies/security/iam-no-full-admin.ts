import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { isRecord, listOf } from "../lib/values";

interface PolicyDocumentProps {
  policy?: unknown;
}

interface RoleProps {
  inlinePolicies?: { name?: string; policy?: unknown }[];
}

interface RoleDefinitionProps {
  roleName?: string;
  permissions?: { actions?: string[] }[];
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The statements of an IAM policy document, given as JSON text or as an object. */
function statements(document: unknown): Statement[] {
  const parsed: unknown = typeof document === "string" ? JSON.parse(document) : document;
  if (!isRecord(parsed)) return [];
  const statement = parsed.Statement;
  return (Array.isArray(statement) ? statement : [statement]).filter(isRecord) as Statement[];
}

/** Whether a document allows every action on every resource. */
function allowsFullAdmin(document: unknown): boolean {
  return statements(document).some(
    (s) =>
      s.Effect === "Allow" && asList(s.Action).includes("*") && asList(s.Resource).includes("*"),
  );
}

const FULL_ADMIN =
  'the policy must not allow "*" actions on "*" resources; grant the actions the workload needs on its own resources instead';

export const iamNoFullAdmin: ResourceValidationPolicy = {
  name: "iam-no-full-admin",
  description:
    'Checks whether an IAM policy allows every action on every resource: AWS policies with "Action": "*" on "Resource": "*" (Security Hub IAM.1) and Azure custom roles whose actions include "*" (Checkov CKV_AZURE_39).',
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<PolicyDocumentProps>(
      [T.awsIamPolicy, T.awsIamRolePolicy, T.awsIamUserPolicy, T.awsIamGroupPolicy],
      (props, _, reportViolation) => {
        if (allowsFullAdmin(props.policy)) {
          reportViolation(`${FULL_ADMIN}; its policy has a statement that does.`);
        }
      },
    ),
    on<RoleProps>(T.awsIamRole, (props, _, reportViolation) => {
      for (const [i, inline] of listOf(props.inlinePolicies).entries()) {
        if (allowsFullAdmin(inline.policy)) {
          reportViolation(
            `${FULL_ADMIN}; inlinePolicies[${i}] (${inline.name ?? "unnamed"}) does.`,
          );
        }
      }
    }),
    on<RoleDefinitionProps>(T.azureRoleDefinition, (props, _, reportViolation) => {
      for (const [i, permission] of listOf(props.permissions).entries()) {
        if (listOf<string>(permission.actions).includes("*")) {
          reportViolation(
            `a custom role must not allow every action; permissions[${i}].actions of ${props.roleName ?? "the role"} includes "*".`,
          );
        }
      }
    }),
  ),
};
