import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { excerpt, isRecord, listOf, parseJson } from "../lib/values";

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
  Sid?: unknown;
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A statement of a policy document, with how messages name it. */
interface NamedStatement {
  statement: Statement;
  /** `Statement[1]`, or `the Statement` when it is not a list, with its Sid when it has one. */
  name: string;
}

/**
 * The statements of an IAM policy document, given as JSON text or as an object; `undefined`
 * when the text is not JSON.
 */
function statements(document: unknown): NamedStatement[] | undefined {
  const parsed = typeof document === "string" ? parseJson(document) : document;
  if (typeof document === "string" && parsed === undefined) return undefined;
  if (!isRecord(parsed)) return [];
  const statement = parsed.Statement;
  const list: unknown[] = Array.isArray(statement) ? statement : [statement];
  return list.flatMap((s, i): NamedStatement[] => {
    if (!isRecord(s)) return [];
    const index = Array.isArray(statement) ? `Statement[${i}]` : "the Statement";
    const sid = typeof s.Sid === "string" && s.Sid !== "" ? ` (Sid ${JSON.stringify(s.Sid)})` : "";
    return [{ statement: s as Statement, name: `${index}${sid}` }];
  });
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
  for (const { statement, name } of named) {
    if (allowsFullAdmin(statement)) {
      reportViolation(`${FULL_ADMIN}; ${name} of ${where} does.`);
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
