import { type CommandHelp, parseFlags } from "../args";
import { UsageError } from "../errors";
import { type OutputsSource, probeStack } from "../probe";
import type { ProbeEndpoints } from "../probe/invoke";
import { liveText, rowsOf } from "../probe/report";
import { DEFAULT_LIMITS, type ProbeLimits, healthy } from "../probe/run";

/** The flags that bound the load and say where to send it; `compare --live` takes them too. */
export const LOAD_FLAGS = {
  requests: { type: "string" },
  concurrency: { type: "string" },
  duration: { type: "string" },
  timeout: { type: "string" },
  endpoint: { type: "string" },
  "azure-management-url": { type: "string" },
} as const;

export const FLAGS = {
  stack: { type: "string" },
  outputs: { type: "string" },
  json: { type: "boolean" },
  ...LOAD_FLAGS,
} as const;

export const HELP: CommandHelp<keyof typeof FLAGS> = {
  usage:
    "(--stack NAME | --outputs FILE) [--requests N] [--concurrency C] [--duration S] [--timeout S] [--endpoint NAME] [--azure-management-url URL] [--json]",
  description:
    "Sends the sample model's request to every endpoint a deployed stack exports and reports latency percentiles, errors by kind, throughput and cost per 1,000 predictions. Exit 0 when every endpoint answered every request correctly, 1 when one did not, 2 on bad input.",
  flags: {
    stack: "read the stack's outputs with `pulumi stack output --json --show-secrets`",
    outputs: "read the outputs from FILE, which that command wrote",
    json: "print the report as JSON, as compare --live reads it",
    requests: "requests to send each endpoint (default 100)",
    concurrency: "requests in flight at once (default 4)",
    duration: "seconds after which no new request starts (default 60)",
    timeout: "seconds a request may take (default 10)",
    endpoint: "probe only the endpoint of this spec name",
    "azure-management-url":
      "Azure Resource Manager for listKeys (default https://management.azure.com)",
  },
  examples: [
    "npm run probe -- --stack aws-prod --requests 500 --concurrency 8 --json > probe-aws-prod.json",
  ],
};

/** Azure Resource Manager's public endpoint. */
const AZURE_MANAGEMENT_URL = "https://management.azure.com";

/** Bounds of the load flags: what a probe may ask of an endpoint. */
const RANGES = {
  requests: { min: 1, max: 100_000 },
  concurrency: { min: 1, max: 64 },
  duration: { min: 1, max: 3600 },
  timeout: { min: 1, max: 300 },
} as const;

function integerFlag(
  value: string | undefined,
  flag: keyof typeof RANGES,
  fallback: number,
  command: string,
): number {
  if (value === undefined) return fallback;
  const { min, max } = RANGES[flag];
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new UsageError(
      `${command}: --${flag} ${value} is not allowed; use an integer from ${min} to ${max}`,
    );
  }
  return number;
}

type LoadFlagValues = { [K in keyof typeof LOAD_FLAGS]?: string | boolean };

/** The probe's limits and endpoints from the load flags. */
export function loadOptions(
  flags: LoadFlagValues,
  command: string,
): { limits: ProbeLimits; endpoints: ProbeEndpoints; only?: string } {
  const text = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);
  const limits: ProbeLimits = {
    requests: integerFlag(text(flags.requests), "requests", DEFAULT_LIMITS.requests, command),
    concurrency: integerFlag(
      text(flags.concurrency),
      "concurrency",
      DEFAULT_LIMITS.concurrency,
      command,
    ),
    durationSeconds: integerFlag(
      text(flags.duration),
      "duration",
      DEFAULT_LIMITS.durationSeconds,
      command,
    ),
    timeoutSeconds: integerFlag(
      text(flags.timeout),
      "timeout",
      DEFAULT_LIMITS.timeoutSeconds,
      command,
    ),
  };
  const management = text(flags["azure-management-url"]) ?? AZURE_MANAGEMENT_URL;
  if (!URL.canParse(management) || !/^https?:$/.test(new URL(management).protocol)) {
    throw new UsageError(
      `${command}: --azure-management-url ${management} is not allowed; use an http(s) URL`,
    );
  }
  const only = text(flags.endpoint);
  return {
    limits,
    endpoints: { azureManagementUrl: management },
    ...(only === undefined ? {} : { only }),
  };
}

/**
 * `probe`: sends the sample model's request to every endpoint a stack exports and reports
 * latency, errors by kind, throughput and cost per 1,000 predictions. Exits 0 when every
 * endpoint answered every request correctly, 1 when one did not, 2 on bad input.
 */
export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, "probe");
  const stack = flags.stack;
  const outputs = flags.outputs;
  if ((stack === undefined) === (outputs === undefined)) {
    throw new UsageError("probe: give one of --stack NAME or --outputs FILE");
  }
  const source: OutputsSource =
    stack !== undefined ? { stack } : { outputsFile: outputs as string };
  const { limits, endpoints, only } = loadOptions(flags, "probe");
  const report = await probeStack(source, limits, endpoints, only);
  process.stdout.write(
    flags.json === true
      ? `${JSON.stringify(report, null, 2)}\n`
      : `Probe of ${report.stack}: ${limits.requests} requests at most, ${limits.concurrency} at once, for ${limits.durationSeconds} s at most each endpoint\n\n${liveText(rowsOf([report]))}\n`,
  );
  return report.endpoints.every(healthy) ? 0 : 1;
}
