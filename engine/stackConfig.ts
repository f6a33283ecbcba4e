import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { UsageError } from "./errors";

/** A stack's config as Pulumi hands it to the program: full keys to strings. */
export interface StackConfig {
  project: string;
  stack: string;
  /** The file the config came from. */
  file: string;
  values: Record<string, string>;
  /** Keys whose values are encrypted in the file; the offline engine cannot decrypt them. */
  secretKeys: string[];
}

/** What the program sees in place of a secret the offline engine cannot decrypt. */
export const SECRET_PLACEHOLDER = "[secret]";

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  try {
    return parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A project's `Pulumi.yaml`: its name, and what else the file says, as written. */
export interface ProjectFile extends Record<string, unknown> {
  name: string;
}

const projects = new Map<string, ProjectFile>();

/** The project's `Pulumi.yaml`, read once per process. */
export function readProject(projectDir: string): ProjectFile {
  let project = projects.get(projectDir);
  if (project === undefined) {
    const file = path.join(projectDir, "Pulumi.yaml");
    const parsed = readYaml(file);
    if (!isRecord(parsed) || typeof parsed.name !== "string") {
      throw new UsageError(`${file} has no project name`);
    }
    project = parsed as ProjectFile;
    projects.set(projectDir, project);
  }
  return project;
}

/** The project's name from `Pulumi.yaml`. */
export function projectName(projectDir: string): string {
  return readProject(projectDir).name;
}

/** The stacks that have a `Pulumi.<stack>.yaml` in the project. */
export function knownStacks(projectDir: string): string[] {
  return fs
    .readdirSync(projectDir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** Characters Go's `json.Marshal` escapes, and how. */
const GO_JSON_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** Objects with their keys in order, as Go's `json.Marshal` writes a map. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

/**
 * Encodes one config value the way the Pulumi CLI passes it to a program and to the dynamic
 * resources' provider: strings as they are, other values as Go's `json.Marshal` writes them
 * (`marshalText` in sdk/go/common/resource/config/plaintext.go of pulumi/pulumi): keys sorted,
 * `<`, `>` and `&` escaped.
 */
function encode(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(sortKeys(value)).replace(/[<>&\u2028\u2029]/g, (c) => GO_JSON_ESCAPES[c]);
}

/**
 * Reads a stack's config from `Pulumi.<stack>.yaml`, or from `configFile` as
 * `pulumi --config-file` does. Keys without a namespace belong to the project: `project`, or
 * the one `projectDir`'s Pulumi.yaml names.
 */
export function loadStackConfig(
  projectDir: string,
  stack: string,
  configFile?: string,
  project: string = projectName(projectDir),
): StackConfig {
  if (!STACK_NAME.test(stack)) {
    throw new UsageError(
      `--stack ${JSON.stringify(stack)} is not a stack name; use letters, digits, '-', '_' or '.'`,
    );
  }
  const file = configFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    const stacks = knownStacks(projectDir).join(", ");
    throw new UsageError(
      configFile === undefined
        ? `no config for stack "${stack}": ${path.basename(file)} does not exist; stacks here: ${stacks}`
        : `--config-file ${configFile} does not exist`,
    );
  }
  const document = readYaml(file);
  const config = isRecord(document) ? (document.config ?? {}) : undefined;
  if (!isRecord(config)) {
    throw new UsageError(`${file} must hold a map under "config:"`);
  }
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const fullKey = key.includes(":") ? key : `${project}:${key}`;
    if (isRecord(value) && "secure" in value) {
      values[fullKey] = SECRET_PLACEHOLDER;
      secretKeys.push(fullKey);
    } else if (value !== null && value !== undefined) {
      values[fullKey] = encode(value);
    }
  }
  return { project, stack, file, values, secretKeys };
}
