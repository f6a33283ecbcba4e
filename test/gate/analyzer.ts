import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { servedPort, unary } from "../grpc";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import type { EnforcementLevel } from "@pulumi/policy";
import type { Violation } from "../../engine/gate/analyze";
import type { AnalyzerResource } from "../../engine/gate/input";
import type { PolicyConfigEntry, ReconciledConfig } from "../../engine/gate/policyConfig";
import type { StackConfig } from "../../engine/stackConfig";

export const POLICIES_DIR = path.join(__dirname, "..", "..", "policies");

const LEVELS: Record<proto.EnforcementLevel, EnforcementLevel> = {
  [proto.EnforcementLevel.ADVISORY]: "advisory",
  [proto.EnforcementLevel.MANDATORY]: "mandatory",
  [proto.EnforcementLevel.DISABLED]: "disabled",
  [proto.EnforcementLevel.REMEDIATE]: "remediate",
};

const PROTO_LEVELS: Record<EnforcementLevel, proto.EnforcementLevel> = {
  advisory: proto.EnforcementLevel.ADVISORY,
  mandatory: proto.EnforcementLevel.MANDATORY,
  disabled: proto.EnforcementLevel.DISABLED,
  remediate: proto.EnforcementLevel.REMEDIATE,
};

let inRepoPackBuilt = false;

/**
 * Bundles the in-repo pack into the JavaScript its package.json names as `main`, with the pack's
 * own build script, so a started pack runs the policies as they are in the repository. Once per
 * process: the sources do not change while it runs, and a timed start is the CLI's, not a build.
 */
function buildInRepoPack(): void {
  if (inRepoPackBuilt) return;
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["run", "build", "--silent"], {
    cwd: POLICIES_DIR,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`npm run build of the pack failed:\n${result.stdout}${result.stderr}`);
  }
  inRepoPackBuilt = true;
}

/** A policy that reported nothing because it did not apply, with the reason it gave. */
export interface NotApplicable {
  policy: string;
  reason: string;
}

/**
 * The pack run as the Pulumi CLI runs a Node.js policy pack: `run-policy-pack` with the engine's
 * address and the pack directory, from the pack directory, with the stack's config in
 * `PULUMI_CONFIG`; the pack prints the port of its analyzer service on stdout.
 */
export class PolicyPackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: AnalyzerClient,
  ) {}

  /**
   * Starts the pack in `dir` (the in-repo pack, bundled first, unless told otherwise) with the
   * stack's config, or with none when `stack` is `undefined`, as the CLI starts a pack for a
   * stack without config.
   */
  static async start(
    stack: StackConfig | undefined,
    dir: string = POLICIES_DIR,
  ): Promise<PolicyPackProcess> {
    if (dir === POLICIES_DIR) buildInRepoPack();
    const script = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PULUMI_DRY_RUN: "true",
      PULUMI_NODEJS_DRY_RUN: "true",
    };
    delete env.NODE_OPTIONS;
    delete env.PULUMI_CONFIG;
    if (stack !== undefined) {
      Object.assign(env, {
        PULUMI_CONFIG: JSON.stringify(stack.values),
        PULUMI_PROJECT: stack.project,
        PULUMI_STACK: stack.stack,
        PULUMI_NODEJS_PROJECT: stack.project,
        PULUMI_NODEJS_STACK: stack.stack,
      });
    }
    const child = spawn(process.execPath, [script, "127.0.0.1:0", "."], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const port = await servedPort(child, "the policy pack");
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PolicyPackProcess(child, client);
  }

  /** The pack's process id, to read its memory while it serves. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  async info(): Promise<proto.AnalyzerInfo> {
    return unary<Empty, proto.AnalyzerInfo>(this.client.getAnalyzerInfo, this.client, new Empty());
  }

  /** `Configure` with every policy's level and properties, as the CLI sends them. */
  async configure(config: Record<string, ReconciledConfig>): Promise<void> {
    const request = new proto.ConfigureAnalyzerRequest();
    for (const [name, entry] of Object.entries(config)) {
      const policyConfig = new proto.PolicyConfig();
      policyConfig.setEnforcementlevel(PROTO_LEVELS[entry.enforcementLevel]);
      policyConfig.setProperties(Struct.fromJavaScript(entry.properties as never));
      request.getPolicyconfigMap().set(name, policyConfig);
    }
    await unary<proto.ConfigureAnalyzerRequest, Empty>(this.client.configure, this.client, request);
  }

  /**
   * What a preview reports: `Analyze` for each resource with its inputs, then `AnalyzeStack`
   * with every resource's outputs. A diagnostic without a URN is about the analyzed resource,
   * or about the stack's root resource for `AnalyzeStack`, as the CLI attributes it.
   */
  async analyze(resources: readonly AnalyzerResource[]): Promise<Violation[]> {
    return (await this.analyzeWithReasons(resources)).violations;
  }

  /** `analyze`, and the policies that did not apply with their reasons, as the CLI lists them. */
  async analyzeWithReasons(
    resources: readonly AnalyzerResource[],
  ): Promise<{ violations: Violation[]; notApplicable: NotApplicable[] }> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const violations: Violation[] = [];
    const notApplicable: NotApplicable[] = [];
    const collect = (response: proto.AnalyzeResponse, defaultUrn: string) => {
      violations.push(...diagnostics(response, defaultUrn));
      for (const n of response.getNotApplicableList()) {
        notApplicable.push({ policy: n.getPolicyName(), reason: n.getReason() });
      }
    };
    for (const r of resources) {
      const request = new proto.AnalyzeRequest();
      request.setUrn(r.urn);
      request.setType(r.type);
      request.setName(r.name);
      request.setProperties(Struct.fromJavaScript(r.inputs as never));
      request.setOptions(options(r, true));
      const provider = providerOf(r, byUrn);
      if (provider !== undefined) request.setProvider(provider);
      const response = await unary<proto.AnalyzeRequest, proto.AnalyzeResponse>(
        this.client.analyze,
        this.client,
        request,
      );
      collect(response, r.urn);
    }
    const stackRequest = new proto.AnalyzeStackRequest();
    stackRequest.setResourcesList(
      resources.map((r) => {
        const resource = new proto.AnalyzerResource();
        resource.setUrn(r.urn);
        resource.setType(r.type);
        resource.setName(r.name);
        resource.setProperties(Struct.fromJavaScript(r.outputs as never));
        resource.setOptions(options(r, false));
        const provider = providerOf(r, byUrn);
        if (provider !== undefined) resource.setProvider(provider);
        resource.setParent(r.parent ?? "");
        resource.setDependenciesList(r.dependencies);
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
          resource
            .getPropertydependenciesMap()
            .set(key, new proto.AnalyzerPropertyDependencies().setUrnsList(urns));
        }
        return resource;
      }),
    );
    const root = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    const response = await unary<proto.AnalyzeStackRequest, proto.AnalyzeResponse>(
      this.client.analyzeStack,
      this.client,
      stackRequest,
    );
    collect(response, root);
    return { violations, notApplicable };
  }

  stop(): void {
    this.client.close();
    this.child.kill();
  }
}

function options(r: AnalyzerResource, withParent: boolean): proto.AnalyzerResourceOptions {
  const opts = new proto.AnalyzerResourceOptions();
  opts.setProtect(r.protect);
  opts.setCustomtimeouts(new proto.AnalyzerResourceOptions.CustomTimeouts());
  if (withParent && r.parent !== undefined) opts.setParent(r.parent);
  return opts;
}

function providerOf(
  r: AnalyzerResource,
  byUrn: ReadonlyMap<string, AnalyzerResource>,
): proto.AnalyzerProviderResource | undefined {
  if (r.provider === undefined) return undefined;
  const provider = byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::")));
  if (provider === undefined) return undefined;
  return new proto.AnalyzerProviderResource()
    .setUrn(provider.urn)
    .setType(provider.type)
    .setName(provider.name)
    .setProperties(Struct.fromJavaScript(provider.inputs as never));
}

/** Diagnostics as gate violations: the policy's own message, without the description before it. */
function diagnostics(response: proto.AnalyzeResponse, defaultUrn: string): Violation[] {
  return response.getDiagnosticsList().map((d) => {
    const prefix = `${d.getDescription()}\n`;
    const message = d.getMessage().startsWith(prefix)
      ? d.getMessage().slice(prefix.length)
      : d.getMessage();
    return {
      policy: d.getPolicyname(),
      level: LEVELS[d.getEnforcementlevel()] as Violation["level"],
      urn: d.getUrn() === "" ? defaultUrn : d.getUrn(),
      message,
    };
  });
}

/**
 * The config the CLI sends in `Configure`, from what `GetAnalyzerInfo` says of each policy (its
 * level and config schema defaults) with a policy config file's entries on top.
 */
export function reconcileFromInfo(
  info: proto.AnalyzerInfo,
  file: Record<string, PolicyConfigEntry>,
): Record<string, ReconciledConfig> {
  const result: Record<string, ReconciledConfig> = {};
  for (const policy of info.getPoliciesList()) {
    const schema = (policy.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<
      string,
      { default?: unknown }
    >;
    const defaults = Object.fromEntries(
      Object.entries(schema)
        .filter(([, s]) => s.default !== undefined)
        .map(([key, s]) => [key, s.default]),
    );
    const entry = file[policy.getName()];
    result[policy.getName()] = {
      enforcementLevel:
        entry?.enforcementLevel ??
        file.all?.enforcementLevel ??
        LEVELS[policy.getEnforcementlevel()],
      properties: { ...defaults, ...entry?.properties },
    };
  }
  return result;
}
