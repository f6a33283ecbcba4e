import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";

/**
 * The code of a dynamic provider: `factory`, a function exported by the module at `module` that
 * returns the provider, and the plain JSON `options` it is called with.
 */
export interface DynamicProviderSource {
  /** Absolute path of the module (its `__filename`). */
  module: string;
  /** Name of the exported function that returns the provider. */
  factory: string;
  /** Passed to `factory` as JSON; functions and other non-JSON values cannot cross. */
  options?: Record<string, unknown>;
}

const PROJECT_ROOT = path.resolve(__dirname, "..");

const texts = new Map<string, string>();

/**
 * The text the dynamic-provider host loads for `source`: one CommonJS module whose `handler()`
 * returns the provider, which is what `@pulumi/pulumi/cmd/dynamic-provider` does with a dynamic
 * resource's `__provider` input (`requireFromString(props.__provider).handler()`). esbuild
 * bundles the factory with what it imports from the project; packages stay `require` calls, which
 * the host resolves from the project's node_modules as it does for the SDK's own serialization.
 * Paths in the text are relative to the project, so it is the same on every machine.
 */
export function dynamicProviderText(source: DynamicProviderSource): string {
  const specifier = `./${path.relative(PROJECT_ROOT, source.module).split(path.sep).join("/")}`;
  const entry =
    `import { ${source.factory} } from ${JSON.stringify(specifier)};\n` +
    `export function handler() { return ${source.factory}(${JSON.stringify(source.options ?? {})}); }\n`;
  let text = texts.get(entry);
  if (text === undefined) {
    text = buildSync({
      stdin: { contents: entry, resolveDir: PROJECT_ROOT, sourcefile: "provider.ts", loader: "ts" },
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
      write: false,
      logLevel: "silent",
    }).outputFiles[0].text;
    texts.set(entry, text);
  }
  return text;
}

/**
 * A Pulumi dynamic resource whose provider is bundled from its module rather than serialized
 * from a live closure. `pulumi.dynamic.Resource` serializes the provider with the SDK's closure
 * serializer, which loads the TypeScript compiler and opens a V8 inspector session: about a
 * second of every preview of a stack with one. This registers the same thing the SDK would (type
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
