import * as path from "node:path";
import { setAllConfig } from "@pulumi/pulumi/runtime/config";
import { POLICIES, POLICY_PACK_NAME } from "../../policies/policies";
import { UsageError } from "../errors";
import { planStack } from "../plan";
import { PROJECT_DIR } from "../project";
import { type StackConfig, loadStackConfig, projectName } from "../stackConfig";
import { type NotApplicable, type Violation, analyzeStack } from "./analyze";
import { type AnalysisInput, fromStackExport, readAnalysisFile } from "./input";
import { readPolicyConfig, reconcilePolicyConfig } from "./policyConfig";

/** Where the pack keeps its policy config per tier. */
export const POLICY_CONFIG_DIR = path.join(PROJECT_DIR, "policies", "config");

/** The pack's version, from its own package.json, as `PolicyPack` reads it. */
function packVersion(): string {
  return (require("../../policies/package.json") as { version: string }).version;
}

/** A stack's resources with the stack config they were planned with. */
export interface StackAnalysis {
  input: AnalysisInput;
  config: StackConfig;
  /**
   * Set when no stack config was found for another project's export or preview: the policies
   * run on the resources alone, with `config` empty.
   */
  withoutConfig?: true;
}

/**
 * The config of the stack a `--from` file holds: `--config-file` when given, else this project's
 * `Pulumi.<stack>.yaml` when the file is this project's, else none: a platform team gates stacks
 * of any project, whose config files it does not have.
 */
function configOfFile(
  from: string,
  input: AnalysisInput,
  configFile: string | undefined,
): Pick<StackAnalysis, "config" | "withoutConfig"> {
  if (configFile !== undefined || input.project === projectName(PROJECT_DIR)) {
    return { config: loadStackConfig(PROJECT_DIR, input.stack, configFile, input.project) };
  }
  const config: StackConfig = {
    project: input.project,
    stack: input.stack,
    file: from,
    values: {},
    secretKeys: [],
  };
  return { config, withoutConfig: true };
}

/**
 * The resources to analyze: the offline plan of `--stack`, or the export or preview file of
 * `--from` (or the flag `fromFlag` names) with its stack's config (see `configOfFile`).
 */
export async function loadAnalysis(options: {
  stack?: string;
  from?: string;
  fromFlag?: string;
  configFile?: string;
  command: string;
}): Promise<StackAnalysis> {
  const { stack, from, configFile, command } = options;
  const fromFlag = options.fromFlag ?? "--from";
  if ((stack === undefined) === (from === undefined)) {
    throw new UsageError(`${command}: give either --stack NAME or ${fromFlag} FILE`);
  }
  if (from !== undefined) {
    const input = readAnalysisFile(from, fromFlag);
    return { input, ...configOfFile(from, input, configFile) };
  }
  const plan = await planStack({ projectDir: PROJECT_DIR, stack: stack as string, configFile });
  return {
    input: {
      project: plan.config.project,
      stack: plan.config.stack,
      resources: fromStackExport(plan.export),
    },
    config: plan.config,
  };
}

/** The policy config for stacks this program did not build: the security and reliability baseline. */
export const BASELINE_POLICY_CONFIG = path.join(POLICY_CONFIG_DIR, "baseline.json");

/**
 * The policy config file for a stack: `--policy-config`, else its tier's file, else (a stack
 * whose config sets no `mlplatform:tier`, so not built by this program) the baseline.
 */
export function policyConfigFile(config: StackConfig, explicit: string | undefined): string {
  if (explicit !== undefined) return explicit;
  const tier = config.values["mlplatform:tier"];
  if (tier === undefined) return BASELINE_POLICY_CONFIG;
  if (tier !== "dev" && tier !== "prod") {
    throw new UsageError(
      `${config.file}: mlplatform:tier is ${JSON.stringify(tier)}, so there is no tier policy config to pick; use dev or prod, or pass --policy-config FILE`,
    );
  }
  return path.join(POLICY_CONFIG_DIR, `${tier}.json`);
}

/**
 * Runs the pack over a stack as `pulumi preview --policy-pack` would: the stack's config where
 * the policies read it (the runtime config that `PULUMI_CONFIG` fills under CrossGuard), the
 * policy config reconciled with the policies' defaults.
 */
export async function gateStack(
  analysis: StackAnalysis,
  configFile: string,
  notApplicable: NotApplicable[] = [],
): Promise<Violation[]> {
  setAllConfig(analysis.config.values, analysis.config.secretKeys);
  const policyConfig = reconcilePolicyConfig(
    POLICIES,
    "advisory",
    readPolicyConfig(configFile),
    configFile,
  );
  return analyzeStack(
    analysis.input.resources,
    POLICIES,
    policyConfig,
    {
      name: POLICY_PACK_NAME,
      version: packVersion(),
      enforcementLevel: "advisory",
    },
    notApplicable,
  );
}
