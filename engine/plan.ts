import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/spec";
import { UsageError } from "./errors";
import { type Registration, UNKNOWN, settle, startRecording } from "./monitor";
import { PLACEHOLDERS } from "./placeholders";
import { type StackConfig, loadStackConfig } from "./stackConfig";

/** A resource as `pulumi stack export` (deployment version 3) writes it. */
export interface ExportedResource {
  urn: string;
  custom: boolean;
  type: string;
  id?: string;
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parent?: string;
  provider?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  protect?: boolean;
  retainOnDelete?: boolean;
}

export interface StackExport {
  version: 3;
  deployment: {
    manifest: { time: string; magic: string; version: string };
    resources: ExportedResource[];
  };
}

export interface PlanResult {
  config: StackConfig;
  export: StackExport;
}

const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

/** The package a resource type belongs to: `aws` for `aws:s3/bucket:Bucket`. */
function packageOf(type: string): string {
  return type.split(":")[0];
}

function defaultProviderUrn(config: StackConfig, pkg: string, version: string | undefined): string {
  const name = version === undefined ? "default" : `default_${version.replace(/[.-]/g, "_")}`;
  return `urn:pulumi:${config.stack}::${config.project}::${PROVIDER_TYPE_PREFIX}${pkg}::${name}`;
}

/** The package of Node.js dynamic resources, whose default provider gets the whole config. */
const DYNAMIC_PACKAGE = "pulumi-nodejs";

/** A secret in the engine's wire form. */
function secret(value: string): Record<string, unknown> {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

/**
 * A default provider's inputs as the engine gives them (`GetPackageConfig` in
 * pkg/resource/deploy/target.go of pulumi/pulumi): the package's own config keys without their
 * namespace (`aws:region` as `region`), or, for dynamic resources, every key of the stack's
 * config with its namespace; secrets stay secret; then the plugin version.
 */
function providerInputs(
  config: StackConfig,
  pkg: string,
  version?: string,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  const secretKeys = new Set(config.secretKeys);
  for (const [key, value] of Object.entries(config.values)) {
    const name =
      pkg === DYNAMIC_PACKAGE ? key : key.startsWith(`${pkg}:`) ? key.slice(pkg.length + 1) : "";
    if (name !== "") {
      inputs[name] = secretKeys.has(key) ? secret(value) : value;
    }
  }
  return version === undefined ? inputs : { ...inputs, version };
}

/**
 * Turns the recorded registrations into a stack export. Custom resources that name no provider
 * get the package's default provider, as the engine would create it.
 */
export function toStackExport(
  config: StackConfig,
  registrations: readonly Registration[],
  stackOutputs: Record<string, unknown>,
): StackExport {
  const providers = new Map<string, ExportedResource>();
  const resources: ExportedResource[] = registrations.map((r) => {
    const resource: ExportedResource = {
      urn: r.urn,
      custom: r.custom,
      type: r.type,
      inputs: r.inputs,
      dependencies: r.dependencies,
    };
    if (r.type === "pulumi:pulumi:Stack") {
      resource.outputs = stackOutputs;
    }
    if (r.parent !== undefined) resource.parent = r.parent;
    if (Object.keys(r.propertyDependencies).length > 0) {
      resource.propertyDependencies = r.propertyDependencies;
    }
    if (r.protect) resource.protect = true;
    if (r.retainOnDelete) resource.retainOnDelete = true;
    if (r.custom) {
      resource.id = UNKNOWN;
      if (r.provider !== undefined) {
        resource.provider = r.provider;
      } else {
        const pkg = packageOf(r.type);
        const urn = defaultProviderUrn(config, pkg, r.version);
        if (!providers.has(urn)) {
          providers.set(urn, {
            urn,
            custom: true,
            type: `${PROVIDER_TYPE_PREFIX}${pkg}`,
            id: UNKNOWN,
            inputs: providerInputs(config, pkg, r.version),
          });
        }
        resource.provider = `${urn}::${UNKNOWN}`;
      }
    }
    return resource;
  });
  const [stack, ...rest] = resources;
  return {
    version: 3,
    deployment: {
      manifest: {
        time: new Date().toISOString(),
        magic: "",
        version: `mlplatform offline plan, @pulumi/pulumi ${sdkVersion()}`,
      },
      resources: stack === undefined ? [] : [stack, ...providers.values(), ...rest],
    },
  };
}

function sdkVersion(): string {
  return (require("@pulumi/pulumi/package.json") as { version: string }).version;
}

/** Loads the program (`index.ts`, which exports its main function) from the project. */
function loadProgram(projectDir: string): () => Promise<Record<string, unknown>> {
  const program = require(path.join(projectDir, "index.ts")) as unknown;
  if (typeof program !== "function") {
    throw new Error(`${path.join(projectDir, "index.ts")} must export its main function`);
  }
  return program as () => Promise<Record<string, unknown>>;
}

/**
 * Runs the program for a stack against an in-process resource monitor, as `pulumi preview`
 * would, and returns what it registers as a stack export. Runs once per process: Pulumi's
 * runtime state is global.
 */
export async function planStack(options: {
  projectDir: string;
  stack: string;
  configFile?: string;
}): Promise<PlanResult> {
  const config = loadStackConfig(options.projectDir, options.stack, options.configFile);
  return planConfig(options.projectDir, config);
}

/** `planStack` for a config already loaded (and possibly adjusted, as `compare` does). */
export async function planConfig(projectDir: string, config: StackConfig): Promise<PlanResult> {
  const recorder = await startRecording({
    project: config.project,
    stack: config.stack,
    config: config.values,
    secretKeys: config.secretKeys,
    preview: true,
    calls: PLACEHOLDERS,
  });
  // A failed program rejects several of the runtime's promises, some of which nothing awaits; the
  // first one ends the plan, and the handler stays installed so the others do not crash the
  // process.
  let failed: (reason: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });
  process.on("unhandledRejection", (reason) => failed(reason));
  try {
    const program = loadProgram(projectDir);
    // The stack's own output promise is unknown as a whole when any value in it is; the values
    // the program returned serialize one by one, known values shown and unknown ones marked.
    let outputs: Record<string, unknown> = {};
    const run = pulumi.runtime.runInPulumiStack(async () => {
      outputs = await program();
      return outputs;
    });
    await Promise.race([run, failure]);
    await Promise.race([settle(), failure]);
    const wireOutputs = await pulumi.runtime.serializeProperties("outputs", outputs);
    return { config, export: toStackExport(config, recorder.registrations, wireOutputs) };
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new UsageError(`${config.file}: ${err.message}`);
    }
    if (recorder.failedCalls.length > 0) {
      throw new UsageError(`${config.file}: ${recorder.failedCalls[0]}`);
    }
    throw err;
  }
}
