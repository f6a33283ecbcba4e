import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { type Statement, asList, badEffect, statements } from "../lib/iam";
import { excerpt, listOf } from "../lib/values";

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

/** Whether a statement allows every action on every resource. */
function allowsFullAdmin(s: Statement): boolean {
  return s.Effect === "Allow" && asList(s.Action).includes("*") && asList(s.Resource).includes("*");
}

const FULL_ADMIN =
  'the policy must not allow "*" actions on "*" resources; grant the actions the workload needs on its own resources instead';

/**
 * Reports each statement of a document that allows full admin, or that the document is not
 * JSON; `where` names the document: `its policy`, `inlinePolicies[1] (admin)`.
 */
function checkDocument(
  document: unknown,
  path: string,
  where: string,
  reportViolation: (message: string) => void,
): void {
  const named = statements(document);
  if (named === undefined) {
    reportViolation(
      `${path} must be a JSON IAM policy document; it is not JSON: ${excerpt(document)}.`,
    );
    return;
  }
  for (const each of named) {
    const effect = badEffect(each);
    if (effect !== undefined) {
      reportViolation(`${effect} in ${where}.`);
    } else if (allowsFullAdmin(each.statement)) {
      reportViolation(`${FULL_ADMIN}; ${each.name} of ${where} does.`);
    }
  }
}

export const iamNoFullAdmin: ResourceValidationPolicy = {
  name: "iam-no-full-admin",
  description:
    'Checks whether an IAM policy allows every action on every resource: AWS policies with "Action": "*" on "Resource": "*" (Security Hub IAM.1) and Azure custom roles whose actions include "*" (Checkov CKV_AZURE_39).',
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<PolicyDocumentProps>(
      [T.awsIamPolicy, T.awsIamRolePolicy, T.awsIamUserPolicy, T.awsIamGroupPolicy],
      (props, _, reportViolation) => {
        checkDocument(props.policy, "policy", "its policy", reportViolation);
      },
    ),
    on<RoleProps>(T.awsIamRole, (props, _, reportViolation) => {
      for (const [i, inline] of listOf(props.inlinePolicies).entries()) {
        checkDocument(
          inline.policy,
          `inlinePolicies[${i}].policy`,
          `inlinePolicies[${i}] (${inline.name ?? "unnamed"})`,
          reportViolation,
        );
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
