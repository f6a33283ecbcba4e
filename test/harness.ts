import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { parsePlatformSpec } from "../components/spec";
import type { PlatformSpec } from "../policies/platform";
import {
  type CallHandler,
  type Recorder,
  type Registration,
  settle,
  startRecording,
} from "../engine/monitor";

export type { Registration };

/**
 * Installs Pulumi's mocks for a unit test (not a preview, so outputs resolve) and returns the
 * recorder. Any data-source call not in `calls` fails the test with its token.
 */
export async function mockPulumi(
  options: {
    calls?: Record<string, CallHandler>;
    outputs?: (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;
    stack?: string;
  } = {},
): Promise<Recorder> {
  return startRecording({
    project: "mlplatform",
    stack: options.stack ?? "test",
    config: {},
    preview: false,
    calls: options.calls ?? {},
    outputs: options.outputs,
  });
}

/** The value of an output, once every registration it waits on has been answered. */
export async function unwrap<T>(output: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  const value = await new Promise<pulumi.Unwrap<T>>((resolve) => {
    pulumi.output(output).apply((v) => {
      resolve(v);
      return v;
    });
  });
  await settle();
  return value;
}

/** Waits for every pending registration, then returns what was registered. */
export async function registered(recorder: Recorder): Promise<Registration[]> {
  await settle();
  return recorder.registrations;
}

/** The registrations of one resource type; fails when there are none. */
export function ofType(registrations: readonly Registration[], type: string): Registration[] {
  const found = registrations.filter((r) => r.type === type);
  if (found.length === 0) {
    const types = [...new Set(registrations.map((r) => r.type))].sort().join(", ");
    throw new Error(`no ${type} was registered; registered types: ${types}`);
  }
  return found;
}

/** The one registration of a type; fails unless there is exactly one. */
export function single(registrations: readonly Registration[], type: string): Registration {
  const found = ofType(registrations, type);
  if (found.length !== 1) {
    throw new Error(`expected one ${type}, found ${found.length}`);
  }
  return found[0];
}

/** Default config of a valid stack, as `pulumi.runtime.allConfig()` would give it. */
export const BASE_CONFIG: Record<string, string> = {
  "mlplatform:clouds": JSON.stringify(["aws", "azure", "gcp"]),
  "mlplatform:tier": "dev",
  "mlplatform:training": JSON.stringify({ size: "cpu-4x16", minNodes: 0, maxNodes: 4 }),
  "mlplatform:endpoints": JSON.stringify([
    { name: "iris", size: "cpu-2x8", minReplicas: 1, maxReplicas: 3 },
  ]),
  "mlplatform:teams": JSON.stringify([
    {
      name: "fraud",
      members: [
        {
          name: "alice",
          azurePrincipalId: "11111111-2222-3333-4444-555555555555",
          gcpMember: "user:alice@contoso.com",
        },
      ],
    },
  ]),
  "mlplatform:tags": JSON.stringify({ owner: "ml-platform", "cost-center": "cc-1234" }),
  "aws:region": "us-east-1",
  "azure-native:location": "eastus",
  "gcp:project": "ml-platform-test",
  "gcp:region": "us-central1",
};

/** A valid spec from BASE_CONFIG with some keys replaced (values given unencoded). */
export function specWith(overrides: Record<string, unknown> = {}): PlatformSpec {
  const config = { ...BASE_CONFIG };
  for (const [key, value] of Object.entries(overrides)) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const result = parsePlatformSpec(config, { project: "mlplatform", stack: "test" });
  if (!result.ok) {
    throw new Error(result.problems.map((p) => `${p.key}: ${p.message}`).join("\n"));
  }
  return result.spec;
}

/**
 * Loads a dynamic resource's `__provider` text the way the SDK's dynamic-provider host does
 * (`@pulumi/pulumi/cmd/dynamic-provider`: `requireFromString(text).handler()`), with the
 * `require-from-string` the host itself requires.
 */
export function loadProviderText(text: string): pulumi.dynamic.ResourceProvider {
  const hostRequire = createRequire(require.resolve("@pulumi/pulumi/cmd/dynamic-provider"));
  const requireFromString = hostRequire("require-from-string") as (code: string) => {
    handler?: () => pulumi.dynamic.ResourceProvider;
  };
  const loaded = requireFromString(text);
  if (typeof loaded.handler !== "function") throw new Error("the provider text exports no handler");
  return loaded.handler();
}
