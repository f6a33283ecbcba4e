import { describeInstance, instanceFor } from "../../policies/catalog";
import { type ConfigProblem, formatProblems, parsePlatformSpec } from "../../components/spec";
import { CLOUDS, type Cloud, platformComponent } from "../../policies/platform";
import { totalsByCloud } from "../../policies/cost/model";
import { cloudOfType } from "../../policies/lib/types";
import { type CommandHelp, parseFlags, required } from "../args";
import { UsageError } from "../errors";
import { cents, priced } from "../estimate";
import { fromStackExport } from "../gate/input";
import type { ExportedResource, StackExport } from "../plan";
import { planConfig } from "../plan";
import { PROJECT_DIR } from "../project";
import { renderTable } from "../table";
import { type StackConfig, loadStackConfig } from "../stackConfig";

export const FLAGS = {
  stack: { type: "string" },
  "config-file": { type: "string" },
  json: { type: "boolean" },
} as const;

export const HELP: CommandHelp<keyof typeof FLAGS> = {
  usage: "--stack NAME [--config-file FILE] [--json]",
  description:
    "Plans the stack's one spec on all three clouds side by side, whatever clouds the stack lists: resources per block, the instance types the catalog maps, and the monthly idle floor and scaled ceiling. Exit 0, or 2 on bad input. \`compare --live FILE... | --stacks a,b,c [--json | --markdown] [--html FILE]\` instead puts probed stacks side by side (see the README).",
  flags: {
    stack: "the stack whose spec to compare (required)",
    "config-file": "read the stack's config from FILE instead of Pulumi.NAME.yaml",
    json: "print the comparison as JSON",
  },
  examples: ["npm run compare -- --stack azure-prod"],
};

/**
 * Where a cloud the stack does not list is placed for the comparison: the regions the catalog
 * prices in, and a project id that only names the plan.
 */
const STAND_IN_TARGETS: Record<Cloud, Record<string, string>> = {
  aws: { "aws:region": "us-east-1" },
  azure: { "azure-native:location": "eastus" },
  gcp: { "gcp:project": "mlplatform-compare", "gcp:region": "us-central1" },
};

/**
 * Stand-in team principals, so access resources are counted on clouds the stack does not list.
 * They pass the spec's shape checks, which refuse documentation placeholders for deployments;
 * a comparison is planned, never deployed, and names the stand-ins it used.
 */
const STAND_IN_AZURE_PRINCIPAL = "ffffffff-ffff-4fff-bfff-ffffffffffff";
const standInGcpMember = (name: string) => `user:${name}@stand-in.mlplatform-compare`;

interface CloudComparison {
  cloud: Cloud;
  /** Why the spec cannot run on this cloud, when it cannot. */
  notComparable?: string[];
  resources?: number;
  blocks?: Record<string, number>;
  trainingType?: string;
  hostingTypes?: Record<string, string>;
  idleMonthlyUsd?: number;
  peakMonthlyUsd?: number;
}

const problemText = (p: ConfigProblem) => `${p.key}: ${p.message}`;

interface TeamLike {
  name?: unknown;
  members?: { name?: unknown; azurePrincipalId?: unknown; gcpMember?: unknown }[];
}

/** The stack's config with every cloud listed and stand-ins for what the stack leaves out. */
function allCloudsConfig(
  config: StackConfig,
  clouds: readonly Cloud[],
): { values: Record<string, string>; standIns: string[] } {
  const values: Record<string, string> = {
    ...config.values,
    "mlplatform:clouds": JSON.stringify(clouds),
  };
  const standIns: string[] = [];
  for (const cloud of clouds) {
    for (const [key, value] of Object.entries(STAND_IN_TARGETS[cloud])) {
      if (values[key] === undefined) {
        values[key] = value;
        standIns.push(`${key}=${value}`);
      }
    }
  }
  const teamsText = values["mlplatform:teams"];
  if (teamsText !== undefined) {
    try {
      const teams = JSON.parse(teamsText) as TeamLike[];
      let filled = false;
      for (const member of teams.flatMap((t) => (Array.isArray(t.members) ? t.members : []))) {
        if (clouds.includes("azure") && member.azurePrincipalId === undefined) {
          member.azurePrincipalId = STAND_IN_AZURE_PRINCIPAL;
          filled = true;
        }
        if (clouds.includes("gcp") && member.gcpMember === undefined) {
          member.gcpMember = standInGcpMember(String(member.name));
          filled = true;
        }
      }
      values["mlplatform:teams"] = JSON.stringify(teams);
      if (filled) standIns.push("team members' missing principals");
    } catch {
      // Left as it is: the spec validation reports the malformed value.
    }
  }
  return { values, standIns };
}

/**
 * The cloud and building block a resource belongs to: its nearest platform component below the
 * cloud's Platform, else the Platform's cloud, else its provider's cloud.
 */
function placeOf(
  resource: ExportedResource,
  byUrn: Map<string, ExportedResource>,
): { cloud: Cloud | undefined; block: string } {
  let cloud: Cloud | undefined;
  for (let r: ExportedResource | undefined = resource; r !== undefined;) {
    const component = platformComponent(r.type);
    if (component !== undefined && component.component !== "Platform") {
      return { cloud: component.cloud, block: component.component };
    }
    cloud = cloud ?? component?.cloud;
    r = r.parent === undefined ? undefined : byUrn.get(r.parent);
  }
  return { cloud: cloud ?? cloudOfType(resource.type), block: "Platform" };
}

/** Counts of custom resources per cloud and block in a plan. */
function countResources(plan: StackExport): Map<Cloud, Record<string, number>> {
  const resources = plan.deployment.resources;
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const counts = new Map<Cloud, Record<string, number>>();
  for (const r of resources) {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
    const { cloud, block } = placeOf(r, byUrn);
    if (cloud === undefined) continue;
    const blocks = counts.get(cloud) ?? {};
    blocks[block] = (blocks[block] ?? 0) + 1;
    counts.set(cloud, blocks);
  }
  return counts;
}

function money(amount: number | undefined): string {
  return amount === undefined ? "-" : amount.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

function render(stack: string, comparisons: CloudComparison[], standIns: string[]): string {
  const blocks = [...new Set(comparisons.flatMap((c) => Object.keys(c.blocks ?? {})))].sort();
  const endpoints = [...new Set(comparisons.flatMap((c) => Object.keys(c.hostingTypes ?? {})))];
  const rows: string[][] = [
    ["", ...comparisons.map((c) => c.cloud)],
    [
      "resources",
      ...comparisons.map((c) => (c.resources === undefined ? "-" : String(c.resources))),
    ],
    ...blocks.map((b) => [`  ${b}`, ...comparisons.map((c) => String(c.blocks?.[b] ?? "-"))]),
    ["training type", ...comparisons.map((c) => c.trainingType ?? "-")],
    ...endpoints.map((e) => [
      `endpoint ${e}`,
      ...comparisons.map((c) => c.hostingTypes?.[e] ?? "-"),
    ]),
    ["idle USD/month", ...comparisons.map((c) => money(c.idleMonthlyUsd))],
    ["peak USD/month", ...comparisons.map((c) => money(c.peakMonthlyUsd))],
  ];
  const [header, ...body] = rows;
  const lines = renderTable(header, body, { headerRule: false });
  const notes = comparisons
    .filter((c) => c.notComparable !== undefined)
    .map((c) => `${c.cloud} cannot run this spec: ${(c.notComparable ?? []).join("; ")}`);
  const standInNote =
    standIns.length > 0
      ? [`Stand-ins for what the stack does not set: ${standIns.join(", ")}.`]
      : [];
  return [
    `The spec of stack ${stack} on every cloud (offline plan, catalog prices, compute and fixed charges)`,
    "",
    ...lines,
    "",
    ...notes,
    ...standInNote,
  ]
    .join("\n")
    .trimEnd();
}

/**
 * `compare`: the stack's one spec planned on all three clouds side by side, whatever clouds the
 * stack lists: resources per block, the instance types the catalog maps, and the monthly idle
 * floor and scaled ceiling. A cloud that cannot run the spec (a size it does not offer) is named
 * with the reason. With `--live`, puts probed stacks side by side instead (`compareLive.ts`).
 */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--live")) {
    return (require("./compareLive") as typeof import("./compareLive")).runLive(argv);
  }
  const flags = parseFlags(argv, FLAGS, "compare");
  const stack = required(flags.stack, "stack", "compare");
  const config = loadStackConfig(PROJECT_DIR, stack, flags["config-file"]);
  const context = { project: config.project, stack: config.stack };

  const comparable: Cloud[] = [];
  const comparisons = new Map<Cloud, CloudComparison>();
  const problemsByCloud = new Map<Cloud, ConfigProblem[]>();
  for (const cloud of CLOUDS) {
    const result = parsePlatformSpec(allCloudsConfig(config, [cloud]).values, context);
    problemsByCloud.set(cloud, result.ok ? [] : result.problems);
    if (result.ok) {
      comparable.push(cloud);
      comparisons.set(cloud, {
        cloud,
        trainingType: describeInstance(instanceFor(cloud, result.spec.training.size, "training")),
        hostingTypes: Object.fromEntries(
          result.spec.endpoints.map((e) => [
            e.name,
            describeInstance(instanceFor(cloud, e.size, "hosting")),
          ]),
        ),
      });
    } else {
      comparisons.set(cloud, {
        cloud,
        notComparable: result.problems.map(problemText),
      });
    }
  }
  // A problem every cloud reports is the spec's own, not a cloud's: the config is bad.
  const [first, ...others] = [...problemsByCloud.values()];
  const shared = first.filter((p) =>
    others.every((problems) => problems.some((q) => problemText(q) === problemText(p))),
  );
  if (shared.length > 0) {
    throw new UsageError(`${config.file}: ${formatProblems(shared)}`);
  }
  const { values, standIns } = allCloudsConfig(config, comparable);
  if (comparable.length > 0) {
    const plan = await planConfig(PROJECT_DIR, { ...config, values });
    const counts = countResources(plan.export);
    const estimate = priced(fromStackExport(plan.export), stack, "compare");
    const costs = totalsByCloud(estimate.lines);
    for (const cloud of comparable) {
      const comparison = comparisons.get(cloud) as CloudComparison;
      const blocks = counts.get(cloud) ?? {};
      comparison.blocks = blocks;
      comparison.resources = Object.values(blocks).reduce((a, b) => a + b, 0);
      comparison.idleMonthlyUsd = cents(costs[cloud]?.idleMonthlyUsd ?? 0);
      comparison.peakMonthlyUsd = cents(costs[cloud]?.peakMonthlyUsd ?? 0);
    }
  }
  const ordered = CLOUDS.map((c) => comparisons.get(c) as CloudComparison);
  process.stdout.write(
    flags.json === true
      ? `${JSON.stringify({ stack, currency: "USD", standIns, clouds: ordered }, null, 2)}\n`
      : `${render(stack, ordered, standIns)}\n`,
  );
  return 0;
}
