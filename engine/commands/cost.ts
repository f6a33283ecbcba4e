import { HOURS_PER_MONTH, describeInstance } from "../../policies/catalog";
import type { Cloud } from "../../policies/platform";
import {
  type ChargeLine,
  type CostLine,
  type StackEstimate,
  computeLines,
  totals,
  totalsByCloud,
} from "../../policies/cost/model";
import { BUDGET_KEY } from "../../policies/lib/stackConfig";
import { type CommandHelp, parseFlags, required } from "../args";
import { renderTable } from "../table";
import { loadAnalysis } from "../gate/pack";
import { cents, priced, scaleNotes } from "../estimate";

export const FLAGS = {
  stack: { type: "string" },
  "config-file": { type: "string" },
  json: { type: "boolean" },
} as const;

export const HELP: CommandHelp<keyof typeof FLAGS> = {
  usage: "--stack NAME [--config-file FILE] [--json]",
  description:
    "Estimates a stack's monthly idle floor (every autoscaler at its minimum) and scaled ceiling (at its maximum) per compute resource and per cloud, from the catalog's on-demand prices. Exit 0, or 2 on bad input.",
  flags: {
    stack: "the stack to plan and price (required)",
    "config-file": "read the stack's config from FILE instead of Pulumi.NAME.yaml",
    json: "print the estimate as JSON: per cloud, in total and per resource",
  },
  examples: ["npm run cost -- --stack prod", "npm run cost -- --stack dev --json"],
};

/** The config key that says where a stack deploys each cloud. */
const REGION_KEYS: Record<Cloud, string> = {
  aws: "aws:region",
  azure: "azure-native:location",
  gcp: "gcp:region",
};

function money(amount: number): string {
  return amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** What a line prices: the instance type with its accelerators, or the charge. */
function pricedAs(line: CostLine): string {
  if (line.kind !== "compute") return line.what;
  const type = describeInstance(line);
  return line.spot ? `${type} (spot)` : type;
}

function table(lines: readonly CostLine[]): string {
  const header = [
    "cloud",
    "block",
    "kind",
    "resource",
    "priced as",
    "USD/unit",
    "units",
    "idle USD/month",
    "peak USD/month",
  ];
  const rows = lines
    .filter((l) => l.kind !== "usage")
    .map((l) => [
      l.cloud,
      l.block,
      l.kind,
      l.name,
      pricedAs(l),
      l.kind === "compute" ? `${l.hourlyUsd.toFixed(4)}/h` : `${l.unitMonthlyUsd.toFixed(2)}/mo`,
      l.kind === "compute" ? `${l.machines.min}..${l.machines.max}` : `${l.quantity}`,
      money(l.idleMonthlyUsd),
      money(l.peakMonthlyUsd),
    ]);
  const byCloud = totalsByCloud(lines);
  const all = totals(lines);
  const total = (who: string, t: { idleMonthlyUsd: number; peakMonthlyUsd: number }) => [
    who,
    "",
    "",
    "total",
    "",
    "",
    "",
    money(t.idleMonthlyUsd),
    money(t.peakMonthlyUsd),
  ];
  const footer = [
    ...Object.entries(byCloud).map(([cloud, t]) => total(cloud, t)),
    total("all", all),
  ];
  return renderTable(header, rows, { rightAligned: [5, 6, 7, 8], footer }).join("\n");
}

/** The lines in the order the report lists them: by cloud, block and resource name. */
function byCloudBlockName(lines: readonly CostLine[]): CostLine[] {
  const order = (l: CostLine) => `${l.cloud} ${l.block} ${l.name}`;
  return [...lines].sort((a, b) => order(a).localeCompare(order(b)));
}

/**
 * Where the figures of a cloud are priced, when that is not where the stack deploys it: the
 * catalog has one price region per cloud, and other regions' prices differ.
 */
function regionNotes(lines: readonly CostLine[], values: Record<string, string>): string[] {
  const notes: string[] = [];
  for (const [cloud, key] of Object.entries(REGION_KEYS) as [Cloud, string][]) {
    const deployed = values[key];
    const priced = [
      ...new Set(
        lines
          .filter((l) => l.cloud === cloud && l.priceRegion !== null)
          .map((l) => l.priceRegion as string),
      ),
    ].sort();
    if (deployed === undefined || priced.length === 0 || priced.every((r) => r === deployed)) {
      continue;
    }
    notes.push(
      `The ${cloud} figures are priced at the catalog's ${priced.length === 1 ? "region" : "regions"} ${priced.join(", ")}; the stack deploys ${cloud} in ${deployed} (${key}), whose prices may differ.`,
    );
  }
  return notes;
}

/**
 * The cost report as text: a table of every compute group and fixed charge with totals per
 * cloud and for the stack, then notes on what the figures are and are not: spot prices, scale
 * floors, ceilings the cloud does not enforce, price regions, and what is billed by use. `values`
 * is the stack's config.
 */
export function costText(
  estimate: StackEstimate,
  stack: string,
  values: Record<string, string>,
): string {
  const lines = byCloudBlockName(estimate.lines);
  const budget = values[BUDGET_KEY];
  const compute = computeLines(lines);
  const spotDates = [
    ...new Set(compute.filter((l) => l.spot).map((l) => l.priceDate ?? "an unknown date")),
  ];
  const usage = lines.filter((l): l is ChargeLine => l.kind === "usage");
  const notes = [
    `Stack ${stack}: USD a month (${HOURS_PER_MONTH} hours) at catalog prices; idle = every autoscaler at its minimum, peak = at its maximum; fixed charges are billed at both.`,
    ...(spotDates.length === 0
      ? []
      : [
          `Spot and low-priority lines use the catalog's spot price of ${spotDates.join(", ")}; spot prices move with supply and demand, and the capacity can be reclaimed.`,
        ]),
    ...scaleNotes(compute),
    ...regionNotes(lines, values),
    ...(budget === undefined ? [] : [`Budget (${BUDGET_KEY}): ${budget} USD a month.`]),
    ...estimate.unpriced.map((u) => `Not priced: ${u.urn}: ${u.reason}.`),
    ...(usage.length === 0 ? [] : ["Billed by use, not in the totals:"]),
    ...usage.map(
      (l) =>
        `  ${l.cloud} ${l.name} (${l.what}${l.detail === undefined ? "" : `, ${l.detail}`}): ${l.byUse ?? "by use"}`,
    ),
  ];
  return `${table(lines)}\n\n${notes.join("\n")}\n`;
}

/** The cost report as `--json` prints it. */
export function costJson(estimate: StackEstimate) {
  const lines = byCloudBlockName(estimate.lines);
  const clouds = Object.fromEntries(
    Object.entries(totalsByCloud(lines)).map(([cloud, t]) => [
      cloud,
      { idleMonthlyUsd: cents(t.idleMonthlyUsd), peakMonthlyUsd: cents(t.peakMonthlyUsd) },
    ]),
  );
  const all = totals(lines);
  const resources = lines.map((l) => {
    const common = { urn: l.urn, name: l.name, type: l.type, cloud: l.cloud, block: l.block };
    const amounts = {
      idleMonthlyUsd: cents(l.idleMonthlyUsd),
      peakMonthlyUsd: cents(l.peakMonthlyUsd),
    };
    return l.kind === "compute"
      ? {
          kind: l.kind,
          ...common,
          use: l.use,
          instanceType: l.instanceType,
          ...(l.accelerator === undefined ? {} : { accelerator: l.accelerator }),
          hourlyUsd: l.hourlyUsd,
          spot: l.spot,
          priceRegion: l.priceRegion,
          priceDate: l.priceDate,
          minMachines: l.machines.min,
          maxMachines: l.machines.max,
          ...(l.autoscalerUrn === undefined ? {} : { autoscalerUrn: l.autoscalerUrn }),
          ...(l.floor === undefined ? {} : { floor: l.floor }),
          ...(l.ceiling === undefined ? {} : { ceiling: l.ceiling }),
          ...amounts,
        }
      : {
          kind: l.kind,
          ...common,
          chargeId: l.chargeId,
          what: l.what,
          quantity: l.quantity,
          unit: l.unit,
          unitMonthlyUsd: l.unitMonthlyUsd,
          byUse: l.byUse,
          ...(l.detail === undefined ? {} : { detail: l.detail }),
          priceRegion: l.priceRegion,
          priceDate: l.priceDate,
          source: l.source,
          ...amounts,
        };
  });
  return {
    currency: "USD",
    clouds,
    total: {
      idleMonthlyUsd: cents(all.idleMonthlyUsd),
      peakMonthlyUsd: cents(all.peakMonthlyUsd),
    },
    resources,
    unpriced: estimate.unpriced,
  };
}

/**
 * `cost`: the monthly idle floor (every autoscaler at its minimum) and scaled ceiling (at its
 * maximum) of a stack's offline plan, per compute group, fixed charge and cloud, from the
 * catalog's prices; the same model and totals the pack's cost policies and `compare` use.
 */
export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, "cost");
  const stack = required(flags.stack, "stack", "cost");
  const analysis = await loadAnalysis({ stack, configFile: flags["config-file"], command: "cost" });
  const estimate = priced(analysis.input.resources, stack);
  process.stdout.write(
    flags.json === true
      ? `${JSON.stringify(costJson(estimate), null, 2)}\n`
      : costText(estimate, stack, analysis.config.values),
  );
  return 0;
}
