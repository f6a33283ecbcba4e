import * as pulumi from "@pulumi/pulumi";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { resourceUrn } from "./urn";

/** What the program asked the engine to register, as `pulumi preview` would see it. */
export interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  /** Provider reference `urn::id`, when the resource names one explicitly. */
  provider?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  retainOnDelete: boolean;
  /** Replace by deleting first: decides the order in which the engine replaces resources. */
  deleteBeforeReplace: boolean;
  /** Inputs whose change replaces the resource, beyond what the provider's schema says. */
  replaceOnChanges: string[];
  /** Inputs in the engine's wire form: unknowns are `UNKNOWN`, secrets keep their signature. */
  inputs: Record<string, unknown>;
  /** Version of the provider package that registered the resource. */
  version?: string;
}

/** What an unknown value looks like on the wire and in `pulumi preview --json`. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type CallHandler = (inputs: Record<string, unknown>) => Record<string, unknown>;

export interface RecorderOptions {
  project: string;
  stack: string;
  /** Full config keys (`mlplatform:tier`) to the strings Pulumi would pass the program. */
  config: Record<string, string>;
  secretKeys?: string[];
  /** `true` runs as `pulumi preview`: outputs the engine would compute stay unknown. */
  preview: boolean;
  /** Answers for data-source calls, by token; any other call fails and names its token. */
  calls: Record<string, CallHandler>;
  /** Outputs a mock resource reports besides its inputs (unit tests fill ARNs and ids). */
  outputs?: (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;
}

export interface Recorder {
  registrations: Registration[];
  /** Data-source calls the program made, in order. */
  calls: { token: string; inputs: Record<string, unknown> }[];
  /** Data-source calls that failed, in order: no answer, or an answer that refused the inputs. */
  failedCalls: string[];
  /** Forget what was recorded, for the next test. */
  reset(): void;
}

/** The fields of a `RegisterResourceRequest` the engine reads. */
export interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(fn: (value: { getUrnsList(): string[] }, key: string) => void): void;
  };
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getReplaceonchangesList(): string[];
  getObject(): Struct | undefined;
  getVersion(): string;
}

interface RegisterResponse {
  getUrn(): string;
}

type Callback = (err: Error | null, resp?: RegisterResponse) => void;

interface Monitor {
  registerResource(req: RegisterRequest, callback: Callback): void;
  newUrn(parent: string, type: string, name: string): string;
}

/**
 * A data-source call the engine cannot answer. The SDK rethrows a monitor's error as
 * `new Error(details)`, as it would a gRPC status, so the message travels in `details`.
 */
class CallError extends Error {
  readonly details: string;
  constructor(message: string) {
    super(message);
    this.details = message;
  }
}

/** The placeholder answer to a data-source call; an error naming the token when there is none. */
export function answerCall(
  token: string,
  handler: CallHandler | undefined,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  if (handler === undefined) {
    throw new CallError(
      `the offline engine has no answer for the data-source call ${token}; add one to engine/placeholders/`,
    );
  }
  try {
    return handler(inputs);
  } catch (err) {
    throw new CallError(`the offline engine cannot answer ${token}: ${(err as Error).message}`);
  }
}

/**
 * Installs Pulumi's mock monitor with the given config, and records every registration request
 * with what the mock callbacks do not see: parent, provider, dependencies, protect and
 * retain-on-delete.
 */
export async function startRecording(options: RecorderOptions): Promise<Recorder> {
  pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);
  const recorder: Recorder = {
    registrations: [],
    calls: [],
    failedCalls: [],
    reset() {
      this.registrations.length = 0;
      this.calls.length = 0;
      this.failedCalls.length = 0;
    },
  };
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const extra = options.outputs?.(args) ?? {};
        const id = options.preview ? undefined : `${args.name}-id`;
        return { id, state: { ...args.inputs, ...extra } };
      },
      call(args) {
        recorder.calls.push({ token: args.token, inputs: args.inputs });
        try {
          return answerCall(args.token, options.calls[args.token], args.inputs);
        } catch (err) {
          recorder.failedCalls.push((err as Error).message);
          throw err;
        }
      },
    },
    options.project,
    options.stack,
    options.preview,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  if (typeof monitor.newUrn !== "function") {
    throw new Error("@pulumi/pulumi's mock monitor no longer names resources with newUrn");
  }
  // The mock monitor keeps only the parent's last type and the root stack's type in a URN; the
  // engine keeps the parent's whole chain and leaves the stack out.
  monitor.newUrn = (parent, type, name) =>
    resourceUrn(options.stack, options.project, parent, type, name);
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, resp) => {
      if (err === null && resp !== undefined) {
        recorder.registrations.push(toRegistration(req, resp.getUrn()));
      }
      callback(err, resp);
    });
  return recorder;
}

/** A registration request and the URN the engine gave it, as the engine records it. */
export function toRegistration(req: RegisterRequest, urn: string): Registration {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    propertyDependencies[key] = value.getUrnsList();
  });
  const registration: Registration = {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    protect: req.getProtect() ?? false,
    retainOnDelete: req.getRetainondelete() ?? false,
    deleteBeforeReplace: req.getDeletebeforereplace(),
    replaceOnChanges: req.getReplaceonchangesList(),
    inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
  };
  if (req.getParent() !== "") registration.parent = req.getParent();
  if (req.getProvider() !== "") registration.provider = req.getProvider();
  if (req.getVersion() !== "") registration.version = req.getVersion();
  return registration;
}

/** Waits until every registration and call the program started has been answered. */
export async function settle(): Promise<void> {
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}
