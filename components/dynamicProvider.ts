import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as cache from "../loader/cache";

/**
 * The code of a dynamic provider: `factory`, a function exported by the module at `module` that
 * returns the provider, and the plain JSON `options` it is called with.
 */
export interface DynamicProviderSource {
  /** Absolute path of the module, such as `require.resolve("./xProvider")`. */
  module: string;
  /** Name of the exported function that returns the provider. */
  factory: string;
  /** Passed to `factory` as JSON; functions and other non-JSON values cannot cross. */
  options?: Record<string, unknown>;
}

const PROJECT_ROOT = path.resolve(__dirname, "..");
const ENTRY_NAME = "provider.ts";
/** The cache folder of the bundles, under node_modules/.cache. */
export const CACHE_NAME = "mlplatform-providers";
/** What esbuild makes of an entry, besides the entry itself (`stdin`). */
const BUILD_OPTIONS = {
  absWorkingDir: PROJECT_ROOT,
  bundle: true,
  packages: "external",
  platform: "node",
  format: "cjs",
  target: "node20",
  // `import()` of a package becomes `require`: the host compiles the text with no file name,
  // so only `require` resolves packages (from node_modules under its working directory).
  supported: { "dynamic-import": false },
  legalComments: "none",
  metafile: true,
  write: false,
  logLevel: "silent",
} as const;

let settings: string | undefined;

/**
 * What makes a bundle besides its entry: esbuild's version and options (as loader/register.js
 * keys what sucrase makes), read once, when the first bundle is asked for.
 */
function buildSettings(): string {
  if (settings === undefined) {
    const { version } = JSON.parse(
      fs.readFileSync(require.resolve("esbuild/package.json"), "utf8"),
    ) as { version: string };
    settings = `esbuild ${version} ${JSON.stringify(BUILD_OPTIONS)}`;
  }
  return settings;
}

/** A bundle in the cache, with the hash of each project file it was built from. */
interface CachedBundle {
  inputs: Record<string, string>;
  text: string;
}

const texts = new Map<string, string>();

function hashOfFile(relative: string): string | undefined {
  try {
    return cache.hashOf(fs.readFileSync(path.join(PROJECT_ROOT, relative), "utf8"));
  } catch {
    return undefined;
  }
}

/** The cached bundle under `key`, if none of the files it was built from changed since. */
function cachedBundle(key: string): string | undefined {
  const cached = cache.read(CACHE_NAME, key);
  if (cached === undefined) return undefined;
  let bundle: CachedBundle;
  try {
    bundle = JSON.parse(cached) as CachedBundle;
  } catch {
    return undefined; // An unreadable entry is built again, and replaced.
  }
  const fresh = Object.entries(bundle.inputs).every(([file, hash]) => hashOfFile(file) === hash);
  return fresh ? bundle.text : undefined;
}

function bundle(entry: string, key: string): string {
  // esbuild is loaded only to build a bundle, not to read one from the cache.
  const { buildSync } = require("esbuild") as typeof import("esbuild");
  const built = buildSync({
    ...BUILD_OPTIONS,
    stdin: { contents: entry, resolveDir: PROJECT_ROOT, sourcefile: ENTRY_NAME, loader: "ts" },
  });
  const text = built.outputFiles[0].text;
  const inputs = Object.keys(built.metafile.inputs).filter((file) => file !== ENTRY_NAME);
  const hashes = Object.fromEntries(inputs.map((file) => [file, hashOfFile(file) ?? ""]));
  cache.write(CACHE_NAME, key, JSON.stringify({ inputs: hashes, text } satisfies CachedBundle));
  return text;
}

/**
 * The text the dynamic-provider host loads for `source`: one CommonJS module whose `handler()`
 * returns the provider, which is what `@pulumi/pulumi/cmd/dynamic-provider` does with a dynamic
 * resource's `__provider` input (`requireFromString(props.__provider).handler()`). esbuild
 * bundles the factory with what it imports from the project; packages stay `require` calls, which
 * the host resolves from the project's node_modules as it does for the SDK's own serialization.
 * Paths in the text are relative to the project, so it is the same on every machine. A bundle is
 * cached (node_modules/.cache) until one of the files it was built from changes.
 */
export function dynamicProviderText(source: DynamicProviderSource): string {
  const specifier = `./${path.relative(PROJECT_ROOT, source.module).split(path.sep).join("/")}`;
  const entry =
    `import { ${source.factory} } from ${JSON.stringify(specifier)};\n` +
    `export function handler() { return ${source.factory}(${JSON.stringify(source.options ?? {})}); }\n`;
  let text = texts.get(entry);
  if (text === undefined) {
    const key = cache.hashOf(buildSettings(), entry);
    text = cachedBundle(key) ?? bundle(entry, key);
    texts.set(entry, text);
  }
  return text;
}

/**
 * A Pulumi dynamic resource whose provider is bundled from its module rather than serialized
 * from a live closure. `pulumi.dynamic.Resource` serializes the provider with the SDK's closure
 * serializer, which opens a V8 inspector session and parses every captured function: about a
 * second of every preview of a stack with one. This registers what the SDK would (type
 * `pulumi-nodejs:dynamic/<module>:<type>`, the provider's text in `__provider`), so the same host
 * runs it.
 */
export abstract class BundledDynamicResource extends pulumi.CustomResource {
  protected constructor(
    source: DynamicProviderSource,
    module: string,
    type: string,
    name: string,
    props: pulumi.Inputs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      `pulumi-nodejs:dynamic/${module}:${type}`,
      name,
      { ...props, __provider: dynamicProviderText(source) },
      opts,
    );
  }
}
