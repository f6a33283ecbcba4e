import * as path from "node:path";
import type { Cloud } from "../../policies/platform";
import { UsageError } from "../errors";
import { PROJECT_DIR } from "../project";
import type { InvokerFactory, ProbeEndpoints } from "./invoke";
import { readOutputsFile, stackOutputs } from "./outputs";
import { type ProbeReport, REPORT_FORMAT } from "./report";
import { type ProbeLimits, probeEndpoint } from "./run";
import { loadSample } from "./sample";
import { targetsFromOutputs } from "./targets";

/** Each cloud's SDK is loaded only when a stack has an endpoint on that cloud. */
const INVOKERS: Record<Cloud, () => InvokerFactory> = {
  aws: () => (require("./aws") as typeof import("./aws")).awsInvoker,
  azure: () => (require("./azure") as typeof import("./azure")).azureInvoker,
  gcp: () => (require("./gcp") as typeof import("./gcp")).gcpInvoker,
};

/** Where a probe reads a stack's outputs: the Pulumi CLI for a stack, or a file it wrote. */
export type OutputsSource = { stack: string } | { outputsFile: string };

/**
 * Probes every endpoint a stack's outputs describe, one endpoint after another so that they do
 * not compete for this machine's network and CPU, and returns the report.
 */
export async function probeStack(
  source: OutputsSource,
  limits: ProbeLimits,
  endpoints: ProbeEndpoints,
  only?: string,
): Promise<ProbeReport> {
  const [name, outputs] =
    "stack" in source
      ? [source.stack, stackOutputs(source.stack, PROJECT_DIR)]
      : [path.basename(source.outputsFile, ".json"), readOutputsFile(source.outputsFile)];
  let targets = targetsFromOutputs(
    outputs,
    "stack" in source ? `stack ${name}` : source.outputsFile,
  );
  if (only !== undefined) {
    const names = [...new Set(targets.map((t) => t.name))];
    targets = targets.filter((t) => t.name === only);
    if (targets.length === 0) {
      throw new UsageError(
        `--endpoint ${only}: the stack has no such endpoint; it has ${names.join(", ")}`,
      );
    }
  }
  const sample = loadSample();
  const reports = [];
  for (const target of targets) {
    reports.push(await probeEndpoint(target, INVOKERS[target.cloud](), endpoints, sample, limits));
  }
  return {
    format: REPORT_FORMAT,
    stack: name,
    probedAt: new Date().toISOString(),
    limits,
    sample: {
      file: path.relative(PROJECT_DIR, sample.file),
      predictionsPerRequest: sample.predictions.length,
    },
    endpoints: reports,
  };
}
