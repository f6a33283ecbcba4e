import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { nameOfUrn } from "../../policies/lib/types";
import { excerpt, isRecord, parseJson } from "../../policies/lib/values";
import { UsageError } from "../errors";
import { UNKNOWN } from "../monitor";
import type { ExportedResource, StackExport } from "../plan";

/** The signature key of Pulumi's special values (secrets, assets, archives) on the wire. */
export const SIG_KEY = pulumi.runtime.specialSigKey;
/** The signature of a secret. */
export const SECRET_SIG = pulumi.runtime.specialSecretSig;
/** The signature of a reference to another resource. */
const RESOURCE_REFERENCE_SIG = pulumi.runtime.specialResourceSig;

/**
 * A resource as the engine hands it to a policy pack: what `Analyze` gets (inputs) and what
 * `AnalyzeStack` gets (outputs), with its options and place in the graph. Property values are in
 * the engine's wire form: unknowns are `UNKNOWN`, secrets `{ [SIG_KEY]: SECRET_SIG, value }`.
 */
export interface AnalyzerResource {
  urn: string;
  type: string;
  /** The resource's name: the last part of its URN. */
  name: string;
  inputs: Record<string, unknown>;
  /** Outputs where the source records them, else the inputs, as a preview's new resources have. */
  outputs: Record<string, unknown>;
  protect: boolean;
  parent?: string;
  /** Provider reference `urn::id`. */
  provider?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

/** What the gate analyzes: the resources of one stack of one project. */
export interface AnalysisInput {
  project: string;
  stack: string;
  resources: AnalyzerResource[];
}

/**
 * A property value in wire form. `pulumi stack export` writes a secret as its `ciphertext`, or
 * its `plaintext` with `--show-secrets`: the plaintext becomes a wire secret; a ciphertext, which
 * only the stack's secrets provider can open, becomes an unknown, as a value the policy cannot see.
 * The engine hands analyzers a reference to another resource as that resource's id (its URN for
 * a component), so a reference becomes that, and leaves out internal keys (`__provider`,
 * `__defaults`: any key that starts with `__`), so those go too. `path` names the value in
 * messages.
 */
function toWire(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((inner, i) => toWire(inner, `${path}[${i}]`));
  if (!isRecord(value)) return value;
  if (value[SIG_KEY] === RESOURCE_REFERENCE_SIG) {
    return typeof value.id === "string" && value.id !== "" ? value.id : value.urn;
  }
  if (value[SIG_KEY] === SECRET_SIG) {
    if ("value" in value) return { [SIG_KEY]: SECRET_SIG, value: toWire(value.value, path) };
    if (typeof value.plaintext === "string") {
      const plaintext = parseJson(value.plaintext);
      if (plaintext === undefined) {
        throw new UsageError(
          `${path}: a secret's plaintext must be JSON text, as pulumi stack export --show-secrets writes it; it is ${excerpt(value.plaintext)}`,
        );
      }
      return { [SIG_KEY]: SECRET_SIG, value: toWire(plaintext, path) };
    }
    return UNKNOWN;
  }
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (!key.startsWith("__")) result[key] = toWire(inner, `${path}.${key}`);
  }
  return result;
}

function wireProperties(value: unknown, path: string): Record<string, unknown> {
  const wire = toWire(value ?? {}, path);
  return isRecord(wire) ? wire : {};
}

/** Whether an optional field of a file is left out: absent, or `null` as some writers put it. */
function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * What is wrong with the shape of one resource of a file (`path` names it, such as
 * `deployment.resources[3]`), or `undefined` when it has the shape of one: an object with a
 * string `urn` and `type`, optional object `inputs` and `outputs`, string `parent` and
 * `provider`, boolean `protect`, a list of URNs as `dependencies` and an object of such lists
 * as `propertyDependencies`.
 */
function shapeProblem(entry: unknown, path: string): string | undefined {
  if (!isRecord(entry)) return `${path} must be an object; it is ${excerpt(entry)}`;
  for (const key of ["urn", "type"]) {
    if (typeof entry[key] !== "string" || entry[key] === "") {
      return `${path}.${key} must be a non-empty string; it is ${excerpt(entry[key])}`;
    }
  }
  for (const key of ["inputs", "outputs"]) {
    if (!absent(entry[key]) && !isRecord(entry[key])) {
      return `${path}.${key} must be an object of properties; it is ${excerpt(entry[key])}`;
    }
  }
  for (const key of ["parent", "provider"]) {
    if (!absent(entry[key]) && typeof entry[key] !== "string") {
      return `${path}.${key} must be a string; it is ${excerpt(entry[key])}`;
    }
  }
  if (!absent(entry.protect) && typeof entry.protect !== "boolean") {
    return `${path}.protect must be true or false; it is ${excerpt(entry.protect)}`;
  }
  if (!absent(entry.dependencies) && !isStringList(entry.dependencies)) {
    return `${path}.dependencies must be a list of URN strings; it is ${excerpt(entry.dependencies)}`;
  }
  const propertyDependencies = entry.propertyDependencies;
  if (absent(propertyDependencies)) return undefined;
  if (!isRecord(propertyDependencies)) {
    return `${path}.propertyDependencies must be an object of lists of URN strings; it is ${excerpt(propertyDependencies)}`;
  }
  for (const [key, urns] of Object.entries(propertyDependencies)) {
    if (!isStringList(urns)) {
      return `${path}.propertyDependencies.${key} must be a list of URN strings; it is ${excerpt(urns)}`;
    }
  }
  return undefined;
}

/** A file's resource entry as the gate analyzes it; `path` names the entry in messages. */
function toAnalyzerResource(entry: unknown, where: string, path: string): AnalyzerResource {
  const problem = shapeProblem(entry, path);
  if (problem !== undefined) {
    throw new UsageError(`${where}: ${problem}`);
  }
  const r = entry as unknown as ExportedResource;
  const inputs = wireProperties(r.inputs, `${where}: ${path}.inputs`);
  const resource: AnalyzerResource = {
    urn: r.urn,
    type: r.type,
    name: nameOfUrn(r.urn),
    inputs,
    outputs: absent(r.outputs) ? inputs : wireProperties(r.outputs, `${where}: ${path}.outputs`),
    protect: r.protect === true,
    dependencies: r.dependencies ?? [],
    propertyDependencies: r.propertyDependencies ?? {},
  };
  if (!absent(r.parent) && r.parent !== "") resource.parent = r.parent;
  if (!absent(r.provider) && r.provider !== "") resource.provider = r.provider;
  return resource;
}

/** The resources of a stack export, leaving out those pending deletion as the engine does. */
export function fromStackExport(
  stackExport: StackExport,
  where = "stack export",
): AnalyzerResource[] {
  const resources: unknown = stackExport.deployment?.resources;
  if (!Array.isArray(resources)) {
    throw new UsageError(`${where}: deployment.resources must be a list`);
  }
  return resources.flatMap((entry: unknown, i) => {
    const resource = toAnalyzerResource(entry, where, `deployment.resources[${i}]`);
    return (entry as { delete?: unknown }).delete === true ? [] : [resource];
  });
}

/** Steps of `pulumi preview --json` whose new state is not part of the stack after the update. */
const LEAVING_OPS = new Set([
  "delete",
  "delete-replaced",
  "discard",
  "discard-replaced",
  "remove-pending-replace",
]);

/** The resources a `pulumi preview --json` would leave in the stack, one per URN. */
export function fromPreview(preview: { steps?: unknown }, where = "preview"): AnalyzerResource[] {
  if (!Array.isArray(preview.steps)) {
    throw new UsageError(`${where}: "steps" must be a list`);
  }
  const byUrn = new Map<string, AnalyzerResource>();
  preview.steps.forEach((step: unknown, i) => {
    if (!isRecord(step)) {
      throw new UsageError(`${where}: steps[${i}] must be an object; it is ${excerpt(step)}`);
    }
    if (!absent(step.op) && typeof step.op !== "string") {
      throw new UsageError(`${where}: steps[${i}].op must be a string; it is ${excerpt(step.op)}`);
    }
    if (absent(step.newState) || LEAVING_OPS.has((step.op as string | undefined) ?? "")) return;
    const resource = toAnalyzerResource(step.newState, where, `steps[${i}].newState`);
    byUrn.set(resource.urn, resource);
  });
  return [...byUrn.values()];
}

const URN = /^urn:pulumi:([^:]+)::([^:]+)::/;

/**
 * The stack and project a set of resources belongs to, from their URNs. Resources of more than
 * one stack are refused: the cross-cloud and cost policies judge one stack at a time.
 */
function stackOf(
  resources: readonly AnalyzerResource[],
  where: string,
): { project: string; stack: string } {
  const parse = (urn: string) => {
    const match = URN.exec(urn);
    if (match === null) {
      throw new UsageError(
        `${where}: ${urn} is not a URN of the form urn:pulumi:<stack>::<project>::<type>::<name>`,
      );
    }
    return { stack: match[1], project: match[2] };
  };
  if (resources.length === 0) {
    throw new UsageError(`${where}: holds no resource with a urn:pulumi:<stack>::<project>:: URN`);
  }
  const [first, ...rest] = resources;
  const home = parse(first.urn);
  for (const { urn } of rest) {
    const other = parse(urn);
    if (other.stack !== home.stack || other.project !== home.project) {
      const label = (s: { stack: string; project: string }) =>
        other.project === home.project ? s.stack : `${s.stack} of project ${s.project}`;
      throw new UsageError(
        `${where}: holds resources of more than one stack, ${label(home)} (${first.urn}) and ${label(other)} (${urn}); gate one stack at a time`,
      );
    }
  }
  return home;
}

/**
 * Reads a file from `pulumi stack export` (`{version: 3, deployment}`) or `pulumi preview --json`
 * (`{steps}`) as the resources of one stack. `flag` names the file in messages.
 */
export function readAnalysisFile(file: string, flag = "--from"): AnalysisInput {
  const where = `${flag} ${file}`;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`${where}: cannot read the file`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where}: not JSON: ${(err as Error).message}`);
  }
  let resources: AnalyzerResource[];
  if (isRecord(document) && isRecord(document.deployment)) {
    resources = fromStackExport(document as unknown as StackExport, where);
  } else if (isRecord(document) && "steps" in document) {
    resources = fromPreview(document, where);
  } else {
    throw new UsageError(
      `${where}: expected the output of pulumi stack export ({"version": 3, "deployment": ...}) or pulumi preview --json ({"steps": [...]})`,
    );
  }
  return { ...stackOf(resources, where), resources };
}
