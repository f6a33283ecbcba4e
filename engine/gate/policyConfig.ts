import * as fs from "node:fs";
import type { EnforcementLevel, Policies, PolicyConfigSchema } from "@pulumi/policy";
import { closest } from "fastest-levenshtein";
import { isRecord } from "../../policies/lib/values";
import { UsageError } from "../errors";

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** One policy's entry in a policy config file: a level, properties, or both. */
export interface PolicyConfigEntry {
  enforcementLevel?: EnforcementLevel;
  properties?: Record<string, unknown>;
}

/** A policy's config as the CLI sends it to the pack: its level and every property. */
export interface ReconciledConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

function isLevel(value: unknown): value is EnforcementLevel {
  return LEVELS.includes(value as EnforcementLevel);
}

/**
 * Parses a `--policy-pack-config` file as the Pulumi CLI does: each key names a policy (or `all`)
 * and holds an enforcement level, or an object of properties with an optional `enforcementLevel`.
 */
function parsePolicyConfig(text: string, file: string): Record<string, PolicyConfigEntry> {
  if (text.trim() === "") return {};
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not JSON: ${(err as Error).message}`);
  }
  if (!isRecord(document)) {
    throw new UsageError(`${file}: must be a JSON object of policy names`);
  }
  const result: Record<string, PolicyConfigEntry> = {};
  for (const [name, value] of Object.entries(document)) {
    if (typeof value === "string") {
      if (!isLevel(value)) {
        throw new UsageError(
          `${file}: ${name}: "${value}" is not an enforcement level; use ${LEVELS.join(", ")}`,
        );
      }
      result[name] = { enforcementLevel: value };
    } else if (isRecord(value)) {
      const { enforcementLevel, ...properties } = value;
      if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        throw new UsageError(
          `${file}: ${name}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not an enforcement level; use ${LEVELS.join(", ")}`,
        );
      }
      const entry: PolicyConfigEntry = {};
      if (enforcementLevel !== undefined) entry.enforcementLevel = enforcementLevel;
      if (Object.keys(properties).length > 0) entry.properties = properties;
      result[name] = entry;
    } else {
      throw new UsageError(`${file}: ${name}: must be an enforcement level or an object`);
    }
  }
  return result;
}

/** Reads and parses a policy config file. */
export function readPolicyConfig(file: string): Record<string, PolicyConfigEntry> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`--policy-config ${file}: cannot read the file`);
  }
  return parsePolicyConfig(text, file);
}

type JsonSchema = Record<string, unknown>;

function typeMatches(type: unknown, value: unknown): boolean {
  switch (type) {
    case "number":
      return typeof value === "number";
    case "integer":
      return Number.isInteger(value);
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isRecord(value);
    case "null":
      return value === null;
    default:
      return true;
  }
}

/** The ways a value breaks a JSON schema (the keywords the pack's schemas use). */
function schemaErrors(schema: JsonSchema, value: unknown, path: string): string[] {
  const errors: string[] = [];
  if (schema.type !== undefined && !typeMatches(schema.type, value)) {
    return [`${path}: must be of type ${String(schema.type)}; it is ${JSON.stringify(value)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    errors.push(
      `${path}: must be one of ${JSON.stringify(schema.enum)}; it is ${JSON.stringify(value)}`,
    );
  }
  if (typeof schema.minimum === "number" && typeof value === "number" && value < schema.minimum) {
    errors.push(`${path}: must be at least ${schema.minimum}; it is ${value}`);
  }
  if (typeof schema.maximum === "number" && typeof value === "number" && value > schema.maximum) {
    errors.push(`${path}: must be at most ${schema.maximum}; it is ${value}`);
  }
  if (
    typeof schema.pattern === "string" &&
    typeof value === "string" &&
    !new RegExp(schema.pattern, "u").test(value)
  ) {
    errors.push(`${path}: must match ${schema.pattern}; it is ${JSON.stringify(value)}`);
  }
  if (isRecord(schema.items) && Array.isArray(value)) {
    const items = schema.items;
    value.forEach((item, i) => errors.push(...schemaErrors(items, item, `${path}[${i}]`)));
  }
  return errors;
}

/**
 * The properties a policy config file sets that are not in the policy's config schema: most
 * likely typos, which the CLI would pass on and the policy would ignore.
 */
function unknownProperties(
  policyName: string,
  schema: PolicyConfigSchema | undefined,
  entry: PolicyConfigEntry | undefined,
): string[] {
  const known = Object.keys(schema?.properties ?? {});
  return Object.keys(entry?.properties ?? {})
    .filter((key) => !known.includes(key))
    .map((key) =>
      known.length === 0
        ? `${policyName}: ${key} is not a property of the policy (it takes only enforcementLevel)`
        : `${policyName}: ${key} is not a property of the policy (did you mean ${closest(key, known)}? its properties are ${known.join(", ")})`,
    );
}

/** The problems of one policy's properties against its config schema. */
function validateProperties(
  schema: PolicyConfigSchema,
  properties: Record<string, unknown>,
): string[] {
  const errors: string[] = [];
  for (const key of schema.required ?? []) {
    if (!(key in properties)) errors.push(`${key}: is required`);
  }
  for (const [key, propertySchema] of Object.entries(schema.properties)) {
    if (key in properties) {
      errors.push(...schemaErrors(propertySchema as JsonSchema, properties[key], key));
    }
  }
  return errors;
}

/**
 * The config the CLI sends the pack in `Configure`, built as its `ReconcilePolicyPackConfig`
 * does: every policy's default level and schema defaults, then the file's `all` level, then
 * each policy's own entry; then checked against each policy's schema. A name that is no policy
 * of the pack is refused here (the CLI passes it on unused), as it is most likely a typo.
 */
export function reconcilePolicyConfig(
  policies: Policies,
  packLevel: EnforcementLevel,
  config: Record<string, PolicyConfigEntry>,
  file: string,
): Record<string, ReconciledConfig> {
  const known = new Set(policies.map((p) => p.name));
  const unknown = Object.keys(config).filter((name) => name !== "all" && !known.has(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `${file}: ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not a policy of the pack; its policies are ${[...known].join(", ")}`,
    );
  }
  const allLevel = config.all?.enforcementLevel;
  const result: Record<string, ReconciledConfig> = {};
  const problems: string[] = [];
  for (const policy of policies) {
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      if ((schema as JsonSchema).default !== undefined) {
        defaults[key] = (schema as JsonSchema).default;
      }
    }
    const entry = config[policy.name];
    problems.push(...unknownProperties(policy.name, policy.configSchema, entry));
    const reconciled: ReconciledConfig = {
      enforcementLevel: entry?.enforcementLevel ?? allLevel ?? policy.enforcementLevel ?? packLevel,
      properties: { ...defaults, ...entry?.properties },
    };
    if (policy.configSchema !== undefined) {
      problems.push(
        ...validateProperties(policy.configSchema, reconciled.properties).map(
          (p) => `${policy.name}: ${p}`,
        ),
      );
    }
    result[policy.name] = reconciled;
  }
  if (problems.length > 0) {
    throw new UsageError(`${file}: ${problems.join("; ")}`);
  }
  return result;
}
