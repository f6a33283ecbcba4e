import {
  type CostLine,
  type StackEstimate,
  estimateStack,
  totals,
  totalsByCloud,
} from "../../policies/cost/model";
import { BUDGET_KEY } from "../../policies/lib/stackConfig";
import { parseFlags, required } from "../args";
import { UsageError } from "../errors";
import { stackResources } from "../gate/args";
import type { AnalyzerResource } from "../gate/input";
import { loadAnalysis } from "../gate/pack";
import { UnknownValueError } from "../gate/sdk";

const FLAGS = {
  stack: { type: "string" },
  "config-file": { type: "string" },
  json: { type: "boolean" },
} as const;

/** USD rounded to cents, for JSON. */
function cents(amount: number): number {
  return Math.round(amount * 100) / 100;
}

function money(amount: number): string {
  return amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function table(lines: readonly CostLine[]): string {
  const header = [
    "cloud",
    "block",
    "resource",
    "instance type",
    "USD/h",
    "machines",
    "idle USD/month",
    "peak USD/month",
  ];
  const rows = lines.map((l) => [
    l.cloud,
    l.block,
    l.name,
    l.instanceType,
    l.hourlyUsd.toFixed(4),
    `${l.machines.min}..${l.machines.max}`,
    money(l.idleMonthlyUsd),
    money(l.peakMonthlyUsd),
  ]);
  const byCloud = totalsByCloud(lines);
  const all = totals(lines);
  const footer = [
    ...Object.entries(byCloud).map(([cloud, t]) => [
      cloud,
      "",
      "total",
      "",
      "",
      "",
      money(t.idleMonthlyUsd),
      money(t.peakMonthlyUsd),
    ]),
    ["all", "", "total", "", "", "", money(all.idleMonthlyUsd), money(all.peakMonthlyUsd)],
  ];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...[...rows, ...footer].map((r) => r[i].length)),
  );
  const numeric = new Set([4, 5, 6, 7]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const rule = line(widths.map((w) => "-".repeat(w)));
  return [line(header), rule, ...rows.map(line), rule, ...footer.map(line)].join("\n");
}

/** The plan's estimate; a value the plan cannot know makes it a usage error, not a crash. */
function priced(resources: readonly AnalyzerResource[], stack: string): StackEstimate {
  try {
    return estimateStack(stackResources(resources));
  } catch (err) {
    if (err instanceof UnknownValueError) {
      throw new UsageError(`cost: cannot price stack ${stack}: ${err.message}`);
    }
    throw err;
  }
}

/**
 * `cost`: the monthly idle floor (every autoscaler at its minimum) and scaled ceiling (at its
 * maximum) of a stack's offline plan, per compute resource and per cloud, from the catalog's
 * on-demand prices; the same model the pack's cost policies use.
 */
export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, "cost");
  const stack = required(flags.stack, "stack", "cost");
  const analysis = await loadAnalysis({ stack, configFile: flags["config-file"], command: "cost" });
  const estimate = priced(analysis.input.resources, stack);
  const order = (l: CostLine) => `${l.cloud} ${l.block} ${l.name}`;
  const lines = [...estimate.lines].sort((a, b) => order(a).localeCompare(order(b)));
  const { unpriced } = estimate;
  const budget = analysis.config.values[BUDGET_KEY];
  if (flags.json === true) {
    const clouds = Object.fromEntries(
      Object.entries(totalsByCloud(lines)).map(([cloud, t]) => [
        cloud,
        { idleMonthlyUsd: cents(t.idleMonthlyUsd), peakMonthlyUsd: cents(t.peakMonthlyUsd) },
      ]),
    );
    const all = totals(lines);
    const resources = lines.map((l) => ({
      urn: l.urn,
      name: l.name,
      type: l.type,
      cloud: l.cloud,
      block: l.block,
      use: l.use,
      instanceType: l.instanceType,
      hourlyUsd: l.hourlyUsd,
      minMachines: l.machines.min,
      maxMachines: l.machines.max,
      ...(l.autoscalerUrn === undefined ? {} : { autoscalerUrn: l.autoscalerUrn }),
      idleMonthlyUsd: cents(l.idleMonthlyUsd),
      peakMonthlyUsd: cents(l.peakMonthlyUsd),
    }));
    const result = {
      currency: "USD",
      clouds,
      total: {
        idleMonthlyUsd: cents(all.idleMonthlyUsd),
        peakMonthlyUsd: cents(all.peakMonthlyUsd),
      },
      resources,
      unpriced,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const notes = [
    `Stack ${stack}: USD a month (730 hours) at on-demand catalog prices; idle = every autoscaler at its minimum, peak = at its maximum.`,
    "Spot and low-priority capacity is priced on demand. Storage, registries and requests are billed by use and not included.",
    ...(budget === undefined ? [] : [`Budget (${BUDGET_KEY}): ${budget} USD a month.`]),
    ...unpriced.map((u) => `Not priced: ${u.urn}: ${u.reason}.`),
  ];
  process.stdout.write(`${table(lines)}\n\n${notes.join("\n")}\n`);
  return 0;
}
