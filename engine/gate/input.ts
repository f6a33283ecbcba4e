import * as fs from "node:fs";
import { UsageError } from "../errors";
import { UNKNOWN } from "../monitor";
import type { ExportedResource, StackExport } from "../plan";

/** The signature key of Pulumi's special values (secrets, assets, archives) on the wire. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** The signature of a reference to another resource. */
const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A property value in wire form. `pulumi stack export` writes a secret as its `ciphertext`, or
 * its `plaintext` with `--show-secrets`: the plaintext becomes a wire secret; a ciphertext, which
 * only the stack's secrets provider can open, becomes an unknown, as a value the policy cannot see.
 * The engine hands analyzers a reference to another resource as that resource's id (its URN for
 * a component), so a reference becomes that, and leaves out internal keys (`__provider`,
 * `__defaults`: any key that starts with `__`), so those go too.
 */
export function toWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWire);
  if (!isRecord(value)) return value;
  if (value[SIG_KEY] === RESOURCE_REFERENCE_SIG) {
    return typeof value.id === "string" && value.id !== "" ? value.id : value.urn;
  }
  if (value[SIG_KEY] === SECRET_SIG) {
    if ("value" in value) return { [SIG_KEY]: SECRET_SIG, value: toWire(value.value) };
    if (typeof value.plaintext === "string") {
      return { [SIG_KEY]: SECRET_SIG, value: toWire(JSON.parse(value.plaintext)) };
    }
    return UNKNOWN;
  }
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (!key.startsWith("__")) result[key] = toWire(inner);
  }
  return result;
}

function wireProperties(value: unknown): Record<string, unknown> {
  const wire = toWire(value ?? {});
  return isRecord(wire) ? wire : {};
}

/** The last part of a URN: the resource's name. */
export function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

function toAnalyzerResource(r: ExportedResource, where: string): AnalyzerResource {
  if (typeof r.urn !== "string" || typeof r.type !== "string") {
    throw new UsageError(`${where}: every resource needs a "urn" and a "type"`);
  }
  const inputs = wireProperties(r.inputs);
  const resource: AnalyzerResource = {
    urn: r.urn,
    type: r.type,
    name: nameOfUrn(r.urn),
    inputs,
    outputs: r.outputs === undefined ? inputs : wireProperties(r.outputs),
    protect: r.protect === true,
    dependencies: r.dependencies ?? [],
    propertyDependencies: r.propertyDependencies ?? {},
  };
  if (r.parent !== undefined && r.parent !== "") resource.parent = r.parent;
  if (r.provider !== undefined && r.provider !== "") resource.provider = r.provider;
  return resource;
}

/** The resources of a stack export, leaving out those pending deletion as the engine does. */
export function fromStackExport(
  stackExport: StackExport,
  where = "stack export",
): AnalyzerResource[] {
  const resources = stackExport.deployment?.resources;
  if (!Array.isArray(resources)) {
    throw new UsageError(`${where}: deployment.resources must be a list`);
  }
  return resources
    .filter((r) => !(r as { delete?: boolean }).delete)
    .map((r) => toAnalyzerResource(r, where));
}

/** Steps of `pulumi preview --json` whose new state is not part of the stack after the update. */
const LEAVING_OPS = new Set([
  "delete",
  "delete-replaced",
  "discard",
  "discard-replaced",
  "remove-pending-replace",
]);

interface PreviewStep {
  op?: string;
  urn?: string;
  newState?: ExportedResource;
}

/** The resources a `pulumi preview --json` would leave in the stack, one per URN. */
export function fromPreview(preview: { steps?: unknown }, where = "preview"): AnalyzerResource[] {
  if (!Array.isArray(preview.steps)) {
    throw new UsageError(`${where}: "steps" must be a list`);
  }
  const byUrn = new Map<string, AnalyzerResource>();
  for (const step of preview.steps as PreviewStep[]) {
    if (step.newState === undefined || LEAVING_OPS.has(step.op ?? "")) continue;
    const resource = toAnalyzerResource(step.newState, where);
    byUrn.set(resource.urn, resource);
  }
  return [...byUrn.values()];
}

const URN = /^urn:pulumi:([^:]+)::([^:]+)::/;

/** The stack and project a set of resources belongs to, from their URNs. */
export function stackOf(
  resources: readonly AnalyzerResource[],
  where: string,
): {
  project: string;
  stack: string;
} {
  const match = resources.length === 0 ? null : URN.exec(resources[0].urn);
  if (match === null) {
    throw new UsageError(`${where}: holds no resource with a urn:pulumi:<stack>::<project>:: URN`);
  }
  return { stack: match[1], project: match[2] };
}

/**
 * Reads a file from `pulumi stack export` (`{version: 3, deployment}`) or `pulumi preview --json`
 * (`{steps}`) as the resources of one stack.
 */
export function readAnalysisFile(file: string): AnalysisInput {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`--from ${file}: cannot read the file`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--from ${file}: not JSON: ${(err as Error).message}`);
  }
  const where = `--from ${file}`;
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
