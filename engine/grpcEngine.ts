import { spawn } from "node:child_process";
import * as os from "node:os";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as pulumi from "@pulumi/pulumi";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import { InvokeResponse } from "@pulumi/pulumi/proto/provider_pb";
import { ResourceMonitorService } from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resourceProto from "@pulumi/pulumi/proto/resource_pb";
import { type CallHandler, type Registration, answerCall, toRegistration } from "./monitor";
import { type StackExport, toStackExport } from "./plan";
import { type StackConfig, readProject } from "./stackConfig";
import { type UnaryHandler, type UnaryServer, serveUnary } from "./unaryServer";
import { ROOT_STACK_TYPE, resourceUrn } from "./urn";

/** A message the program logged through the engine. */
export interface EngineLog {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string;
}

/** What a run of the program through Pulumi's Node.js entry point registered and said. */
export interface PreviewResult {
  /** Exit status of the program's process. */
  status: number | null;
  stdout: string;
  stderr: string;
  logs: EngineLog[];
  /** What the program registered, as `toStackExport` writes a plan. */
  export: StackExport;
}

const SEVERITIES: Record<engineProto.LogSeverity, EngineLog["severity"]> = {
  [engineProto.LogSeverity.DEBUG]: "debug",
  [engineProto.LogSeverity.INFO]: "info",
  [engineProto.LogSeverity.WARNING]: "warning",
  [engineProto.LogSeverity.ERROR]: "error",
};

/**
 * The features Pulumi's engine says it supports (`supportsFeatureID` in
 * pkg/resource/deploy/source_eval.go of pulumi/pulumi); the SDK serializes inputs by them.
 */
const FEATURES = new Set([
  "secrets",
  "resourceReferences",
  "outputValues",
  "aliasSpecs",
  "replacementTrigger",
  "deletedWith",
  "replaceWith",
  "transforms",
  "invokeTransforms",
  "parameterization",
  "resourceHooks",
  "errorHooks",
  "sendsOptionsToHooks",
]);

/** What the engine has been asked, as it is asked. */
interface Recorded {
  registrations: Registration[];
  logs: EngineLog[];
  rootUrn: string;
  stackOutputs: Record<string, unknown>;
}

/** Where a program reaches the engine: `--monitor` and `--engine`, each `127.0.0.1:<port>`. */
export interface EngineAddresses {
  monitor: string;
  engine: string;
}

function monitorHandlers(
  { stack, project }: StackConfig,
  recorded: Recorded,
  calls: Record<string, CallHandler>,
): Record<string, UnaryHandler> {
  return {
    supportsFeature: (req: resourceProto.SupportsFeatureRequest) =>
      new resourceProto.SupportsFeatureResponse().setHassupport(FEATURES.has(req.getId())),
    registerResource: (req: resourceProto.RegisterResourceRequest) => {
      const urn = resourceUrn(stack, project, req.getParent(), req.getType(), req.getName());
      recorded.registrations.push(toRegistration(req, urn));
      return new resourceProto.RegisterResourceResponse()
        .setUrn(urn)
        .setId("")
        .setObject(req.getObject() ?? new Struct());
    },
    registerResourceOutputs: (req: resourceProto.RegisterResourceOutputsRequest) => {
      if (req.getUrn() === recorded.rootUrn) {
        recorded.stackOutputs = (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
      }
      return new Empty();
    },
    invoke: async (req: resourceProto.ResourceInvokeRequest) => {
      const inputs = pulumi.runtime.deserializeProperties(req.getArgs() ?? new Struct());
      const result = answerCall(req.getTok(), calls[req.getTok()], inputs);
      const wire = await pulumi.runtime.serializeProperties("invoke", result);
      return new InvokeResponse().setReturn(Struct.fromJavaScript(wire));
    },
    signalAndWaitForShutdown: () => new Empty(),
  };
}

function engineHandlers(recorded: Recorded): Record<string, UnaryHandler> {
  return {
    log: (req: engineProto.LogRequest) => {
      recorded.logs.push({
        severity: SEVERITIES[req.getSeverity()],
        message: req.getMessage(),
        urn: req.getUrn(),
      });
      return new Empty();
    },
    getRootResource: () => new engineProto.GetRootResourceResponse().setUrn(recorded.rootUrn),
    setRootResource: (req: engineProto.SetRootResourceRequest) => {
      recorded.rootUrn = req.getUrn();
      return new engineProto.SetRootResourceResponse();
    },
  };
}

/**
 * The part of Pulumi's engine a Node.js program talks to during `pulumi preview`: a
 * `ResourceMonitor` and an `Engine` service over gRPC on loopback, each on its own port as the
 * CLI serves them (the deployment's resource monitor, and its plugin host's server:
 * pkg/resource/plugin/host_server.go in pulumi/pulumi). It names resources as the engine does,
 * answers each registration with its inputs (outputs the providers would compute stay unknown,
 * as in a preview), answers data-source calls with the offline plan's placeholders and records
 * what it is asked, so a run through the SDK's own entry point can be compared with the offline
 * plan. The SDK sends its debug messages one after another, hundreds a preview, each waiting for
 * the answer to the one before; the CLI's Go servers answer each in microseconds, so these are
 * served from node:http2 without grpc-js's server, whose work for each call was most of the
 * time a preview waited for them.
 */
export class GrpcEngine {
  private constructor(
    private readonly config: StackConfig,
    private readonly recorded: Recorded,
    private readonly servers: { monitor: UnaryServer; engine: UnaryServer },
  ) {}

  static async start(config: StackConfig, calls: Record<string, CallHandler>): Promise<GrpcEngine> {
    const recorded: Recorded = { registrations: [], logs: [], rootUrn: "", stackOutputs: {} };
    const [monitor, engine] = await Promise.all([
      serveUnary(ResourceMonitorService, monitorHandlers(config, recorded, calls)),
      serveUnary(EngineService, engineHandlers(recorded)),
    ]);
    return new GrpcEngine(config, recorded, { monitor, engine });
  }

  get addresses(): EngineAddresses {
    return { monitor: this.servers.monitor.address, engine: this.servers.engine.address };
  }

  get logs(): readonly EngineLog[] {
    return this.recorded.logs;
  }

  /** What the program registered, as the offline plan writes it. */
  toStackExport(): StackExport {
    const { registrations, rootUrn, stackOutputs } = this.recorded;
    const stack = registrations.find((r) => r.type === ROOT_STACK_TYPE);
    return toStackExport(this.config, registrations, stack?.urn === rootUrn ? stackOutputs : {});
  }

  async close(): Promise<void> {
    await Promise.all([this.servers.monitor.close(), this.servers.engine.close()]);
  }
}

/** The `runtime.options` of `Pulumi.yaml` the Node.js language host reads. */
interface RuntimeOptions {
  typescript: boolean;
  tsconfig?: string;
  nodeargs: string[];
  main: string;
}

function runtimeOptions(projectDir: string): RuntimeOptions {
  const project = readProject(projectDir) as {
    main?: string;
    runtime?: string | { options?: Record<string, unknown> };
  };
  const options = typeof project.runtime === "object" ? (project.runtime.options ?? {}) : {};
  const nodeargs = typeof options.nodeargs === "string" ? options.nodeargs.trim() : "";
  return {
    typescript: options.typescript !== false,
    tsconfig: typeof options.tsconfig === "string" ? options.tsconfig : undefined,
    // The host splits nodeargs as a shell would; the project's use no quotes.
    nodeargs: nodeargs === "" ? [] : nodeargs.split(/\s+/),
    main: project.main ?? ".",
  };
}

/**
 * The command the Node.js language host runs for `pulumi preview` (`execRuntime` and
 * `constructArguments` in sdk/nodejs/cmd/pulumi-language-nodejs/main.go of pulumi/pulumi): node
 * with the project's `nodeargs`, the SDK's `cmd/run` with the monitor and engine addresses, the
 * organization, project, root directory, stack, program directory, `--dry-run`, parallelism and
 * the entry point; the config in `PULUMI_CONFIG` as `<namespace>:config:<name>` keys, and
 * `PULUMI_NODEJS_TYPESCRIPT` / `PULUMI_NODEJS_TSCONFIG_PATH` from the runtime options. The host's
 * `--sync` directory for synchronous invokes is left out: the program makes none.
 */
export function previewCommand(
  projectDir: string,
  config: StackConfig,
  addresses: EngineAddresses,
): { args: string[]; env: NodeJS.ProcessEnv } {
  const options = runtimeOptions(projectDir);
  const runPath = require.resolve("@pulumi/pulumi/cmd/run", { paths: [projectDir] });
  const pulumiConfig: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.values)) {
    const colon = key.indexOf(":");
    pulumiConfig[`${key.slice(0, colon)}:config:${key.slice(colon + 1)}`] = value;
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_CONFIG: JSON.stringify(pulumiConfig),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(config.secretKeys),
  };
  // What this process was started with (mocha's options, the TypeScript loader) is not the CLI's.
  delete env.NODE_OPTIONS;
  delete env.PULUMI_NODEJS_TRANSPILE_ONLY;
  delete env.PULUMI_NODEJS_TYPESCRIPT;
  delete env.PULUMI_NODEJS_TSCONFIG_PATH;
  if (options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (options.tsconfig !== undefined) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
  const args = [
    ...options.nodeargs,
    runPath,
    ...["--monitor", addresses.monitor, "--engine", addresses.engine],
    ...["--organization", "organization", "--project", config.project],
    ...["--root-directory", projectDir, "--stack", config.stack, "--pwd", projectDir],
    "--dry-run",
    ...["--parallel", String(os.availableParallelism() * 4)],
    options.main,
  ];
  return { args, env };
}

/**
 * Runs the program for a stack as `pulumi preview` does: through `@pulumi/pulumi/cmd/run`,
 * started as the Node.js language host starts it, against an in-process gRPC engine.
 */
export async function previewThroughCli(
  projectDir: string,
  config: StackConfig,
  calls: Record<string, CallHandler>,
  /** Node options put before the host's own, to measure the process (a preloaded probe). */
  probeArgs: string[] = [],
): Promise<PreviewResult> {
  const engine = await GrpcEngine.start(config, calls);
  try {
    const { args, env } = previewCommand(projectDir, config, engine.addresses);
    const child = spawn(process.execPath, [...probeArgs, ...args], { cwd: projectDir, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve(code));
    });
    return { status, stdout, stderr, logs: [...engine.logs], export: engine.toStackExport() };
  } finally {
    await engine.close();
  }
}
