import { excerpt, isRecord, listOf, parseJson } from "./values";

/** An IAM policy statement, as AWS reads it. */
export interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}

/** A statement of a policy document, with how messages name it. */
export interface NamedStatement {
  statement: Statement;
  /** `Statement[1]`, or `the Statement` when it is not a list, with its Sid when it has one. */
  name: string;
}

/** A string-or-list element of a statement as a list. */
export function asList(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * The statements of an IAM policy document, given as JSON text or as an object; `undefined`
 * when the text is not JSON.
 */
export function statements(document: unknown): NamedStatement[] | undefined {
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

/**
 * Why a statement's Effect is not one IAM accepts, if so. The element is required and
 * case-sensitive, `Allow` or `Deny` (IAM User Guide, "IAM JSON policy elements: Effect"): AWS
 * refuses a document with any other, so a policy must not read such a statement as a Deny
 * and skip it.
 */
export function badEffect(named: NamedStatement): string | undefined {
  const effect = named.statement.Effect;
  if (effect === "Allow" || effect === "Deny") return undefined;
  return `${named.name} must have an Effect of "Allow" or "Deny" (case-sensitive), which IAM requires; it is ${effect === undefined ? "not set" : excerpt(effect)}`;
}

/** One binding of a GCP IAM policy document: a role and the members it grants it to. */
export interface GcpBinding {
  role?: string;
  members: readonly unknown[];
}

/**
 * The bindings of a GCP IAM policy document (`policyData`, as `organizations.getIAMPolicy` gives
 * it), or `undefined` when the value is not JSON text.
 */
export function gcpBindings(policyData: unknown): GcpBinding[] | undefined {
  const policy = parseJson(policyData);
  if (policy === undefined) return undefined;
  const bindings = isRecord(policy) ? listOf(policy.bindings as unknown[]) : [];
  return bindings.filter(isRecord).map((b) => ({
    ...(typeof b.role === "string" ? { role: b.role } : {}),
    members: listOf(b.members as unknown[]),
  }));
}
