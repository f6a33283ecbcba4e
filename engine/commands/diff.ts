import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { HOURS_PER_MONTH } from "../../policies/catalog";
import { CLOUDS, type Cloud } from "../../policies/platform";
import { type Totals, totals, totalsBy, totalsByCloud } from "../../policies/cost/model";
import { nameOfUrn } from "../../policies/lib/types";
import { isRecord, usd } from "../../policies/lib/values";
import { type CommandHelp, parseFlags, required } from "../args";
import { UsageError } from "../errors";
import type { Violation } from "../gate/analyze";
import { ARCHIVE_SIG, ASSET_SIG, providerUrn } from "../gate/args";
import { type AnalyzerResource, SIG_KEY } from "../gate/input";
import { type StackAnalysis, gateStack, loadAnalysis, policyConfigFile } from "../gate/pack";
import { renderMarkdownTable, renderTable } from "../table";
import { cents, priced } from "../estimate";

export const FLAGS = {
  base: { type: "string" },
  head: { type: "string" },
  stack: { type: "string" },
  "config-file": { type: "string" },
  "base-config-file": { type: "string" },
  "policy-config": { type: "string" },
  json: { type: "boolean" },
  markdown: { type: "boolean" },
} as const;

export const HELP: CommandHelp<keyof typeof FLAGS> = {
  usage:
    "--base FILE (--head FILE | --stack NAME) [--config-file FILE] [--base-config-file FILE] [--policy-config FILE] [--json | --markdown]",
  description:
    "Compares two versions of one stack, each a plan (npm run plan -- --json), a pulumi stack export or a pulumi preview --json file: resources added, removed, replaced and changed (by URN), the monthly idle floor and peak ceiling per cloud with the resources that moved them most, and the policy violations the change introduces and resolves. Exit 0, 1 when the head introduces a mandatory violation, 2 on bad input.",
  flags: {
    base: "the stack before the change: a plan, export or preview file (required)",
    head: "the stack after the change: a plan, export or preview file",
    stack: "instead of --head, plan this stack offline as it is now",
    "config-file":
      "the head's stack config, which planning and policies read; default Pulumi.<stack>.yaml",
    "base-config-file": "the base's stack config; default the head's",
    "policy-config":
      "the policy config for both sides; default policies/config/<tier>.json of each side's tier",
    json: "print the diff as JSON",
    markdown: "print a short report for a pull-request comment",
  },
  examples: [
    "npm run diff -- --base main-plan.json --stack dev",
    "npm run diff -- --base before.json --head after.json --markdown",
  ],
};

/** How many resources a cloud's cost line names as the ones that moved it most. */
const MOVERS = 3;

/**
 * Inputs that a change of forces the resource's replacement, for resource types whose provider
 * cannot update them in place. SageMaker has no UpdateEndpointConfig or UpdateModel API: every
 * argument of `aws_sagemaker_endpoint_configuration` and `aws_sagemaker_model` but the tags is
 * `ForceNew` in the Terraform provider that @pulumi/aws bridges
 * (internal/service/sagemaker/endpoint_configuration.go, model.go).
 */
const REPLACED_ON_ANY_CHANGE_BUT: Record<string, readonly string[]> = {
  "aws:sagemaker/endpointConfiguration:EndpointConfiguration": ["tags", "tagsAll"],
  "aws:sagemaker/model:Model": ["tags", "tagsAll"],
};

/** A before-and-after amount in USD a month, rounded to cents. */
export interface Change {
  base: number;
  head: number;
  delta: number;
}

export interface CloudCost {
  idleMonthlyUsd: Change;
  peakMonthlyUsd: Change;
}

/** A resource whose cost moved, and by how much. */
export interface Mover extends CloudCost {
  urn: string;
}

export interface ResourceEntry {
  urn: string;
  type: string;
  /** The resource's own cost (compute and charges), when the catalog prices it. */
  idleMonthlyUsd?: number;
  peakMonthlyUsd?: number;
}

export interface Replacement {
  urn: string;
  type: string;
  /** Why it is replaced: the provider reference, or the inputs that force it. */
  reason: string;
  paths: string[];
}

export interface StackDiff {
  stack: string;
  currency: "USD";
  clouds: Partial<Record<Cloud, CloudCost & { movers: Mover[] }>>;
  total: CloudCost;
  resources: {
    added: ResourceEntry[];
    removed: ResourceEntry[];
    replaced: Replacement[];
    changed: { urn: string; paths: string[] }[];
  };
  policy: { introduced: Violation[]; resolved: Violation[]; unchanged: number };
}

/** A property name as a Pulumi property path writes it: `a.b`, or `a["b-c"]` when it must. */
function pathOf(prefix: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return prefix === "" ? key : `${prefix}.${key}`;
  return `${prefix}[${JSON.stringify(key)}]`;
}

/** Whether a value is a plain object of properties, not one of Pulumi's special values. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && !(SIG_KEY in value);
}

/**
 * What identifies an asset or archive read from a file: its contents' SHA-256, as the engine
 * compares assets by hash, not by where the checkout sits. Other values are themselves.
 */
function contentOf(value: unknown): unknown {
  if (!isRecord(value) || (value[SIG_KEY] !== ASSET_SIG && value[SIG_KEY] !== ARCHIVE_SIG)) {
    return value;
  }
  if (typeof value.path !== "string") return value;
  try {
    const hash = createHash("sha256").update(fs.readFileSync(value.path)).digest("hex");
    return { [SIG_KEY]: value[SIG_KEY], sha256: hash };
  } catch {
    // A directory archive, or a file no longer there: compared by its path.
    return value;
  }
}

/**
 * The property paths at which two input values differ, as `pulumi preview --diff` names them:
 * `productionVariants[0].initialInstanceCount`. A secret, asset or other special value is
 * compared whole, a file asset by its contents. A value unknown in both (not computed before
 * deployment) counts as equal.
 */
export function changedPaths(base: unknown, head: unknown, prefix = ""): string[] {
  if (isDeepStrictEqual(base, head)) return [];
  if (isDeepStrictEqual(contentOf(base), contentOf(head))) return [];
  if (isPlainObject(base) && isPlainObject(head)) {
    const keys = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort();
    return keys.flatMap((k) => changedPaths(base[k], head[k], pathOf(prefix, k)));
  }
  if (Array.isArray(base) && Array.isArray(head)) {
    const length = Math.max(base.length, head.length);
    return Array.from({ length }, (_, i) =>
      changedPaths(base[i], head[i], `${prefix}[${i}]`),
    ).flat();
  }
  return [prefix];
}

/** Whether a path lies under a top-level input: `productionVariants[0].x` under `productionVariants`. */
function topLevelKey(path: string): string {
  return /^[^.[]+/.exec(path)?.[0] ?? path;
}

/** The resources of one side of the diff, by URN. */
type ByUrn = ReadonlyMap<string, AnalyzerResource>;

/**
 * Why a resource present on both sides is replaced rather than updated, or `undefined`.
 *
 * When a resource's provider reference moves to another provider, the Pulumi engine asks the new
 * provider to diff the two providers' config and replaces the resource when that diff asks for it
 * (pkg/resource/deploy/step_generator.go, providerChanged). Offline, a move between providers
 * whose config differs apart from the plugin version counts as a replacement, and so does a move
 * to or from a provider one side does not hold; a version bump alone (`default_7_48_0` to
 * `default_7_49_0`) does not. Changes to inputs a provider cannot update in place
 * (`REPLACED_ON_ANY_CHANGE_BUT`) replace it too. Other replacements are decided by the
 * provider's own diff at `pulumi preview`, which needs the plugin: those show as changed.
 */
function replacementReason(
  base: AnalyzerResource,
  head: AnalyzerResource,
  paths: readonly string[],
  sides: { base: ByUrn; head: ByUrn },
): string | undefined {
  if (base.provider !== undefined && head.provider !== undefined) {
    const [from, to] = [providerUrn(base.provider), providerUrn(head.provider)];
    if (from !== to) {
      const [before, after] = [sides.base.get(from), sides.head.get(to)];
      if (before === undefined || after === undefined) {
        return `provider changes from ${from} to ${to}`;
      }
      const config = changedPaths(
        { ...before.inputs, version: undefined },
        { ...after.inputs, version: undefined },
      );
      if (config.length > 0) {
        return `provider changes from ${from} to ${to}, whose config differs at ${config.join(", ")}`;
      }
    }
  }
  const kept = REPLACED_ON_ANY_CHANGE_BUT[head.type];
  if (kept !== undefined) {
    const forcing = paths.filter((p) => !kept.includes(topLevelKey(p)));
    if (forcing.length > 0) {
      return `${forcing.join(", ")} cannot change in place on ${head.type}`;
    }
  }
  return undefined;
}

/** Both amounts and the change between them, each rounded to cents from the exact figures. */
function change(base: number, head: number): Change {
  return { base: cents(base), head: cents(head), delta: cents(head - base) };
}

function costChange(base: Totals | undefined, head: Totals | undefined): CloudCost {
  return {
    idleMonthlyUsd: change(base?.idleMonthlyUsd ?? 0, head?.idleMonthlyUsd ?? 0),
    peakMonthlyUsd: change(base?.peakMonthlyUsd ?? 0, head?.peakMonthlyUsd ?? 0),
  };
}

function entry(r: AnalyzerResource, cost: Totals | undefined): ResourceEntry {
  return cost === undefined
    ? { urn: r.urn, type: r.type }
    : {
        urn: r.urn,
        type: r.type,
        idleMonthlyUsd: cents(cost.idleMonthlyUsd),
        peakMonthlyUsd: cents(cost.peakMonthlyUsd),
      };
}

/**
 * Pairs the two sides' violations: the same policy, resource, level and message first, then the
 * same policy, resource and level (a message that names an amount changes with it), then the same
 * policy and level (a stack-wide policy such as a budget names the resource that costs most, which
 * a change may move). What the head has left over is introduced, what the base has left over is
 * resolved.
 */
export function compareViolations(
  base: readonly Violation[],
  head: readonly Violation[],
): StackDiff["policy"] {
  const remaining = [...base];
  let unchanged = 0;
  const pair = (candidates: readonly Violation[], same: (a: Violation, b: Violation) => boolean) =>
    candidates.filter((v) => {
      const i = remaining.findIndex((b) => same(b, v));
      if (i < 0) return true;
      remaining.splice(i, 1);
      unchanged += 1;
      return false;
    });
  const samePolicy = (a: Violation, b: Violation) => a.policy === b.policy && a.level === b.level;
  const sameSubject = (a: Violation, b: Violation) => samePolicy(a, b) && a.urn === b.urn;
  const unpaired = pair(head, (a, b) => sameSubject(a, b) && a.message === b.message);
  const introduced = pair(pair(unpaired, sameSubject), samePolicy);
  return { introduced, resolved: remaining, unchanged };
}

/** The diff of two versions of one stack, with both sides' verdicts given. */
export function diffStacks(
  base: readonly AnalyzerResource[],
  head: readonly AnalyzerResource[],
  verdicts: { base: readonly Violation[]; head: readonly Violation[] },
  stack: string,
): StackDiff {
  const baseLines = priced(base, stack, "diff").lines;
  const headLines = priced(head, stack, "diff").lines;
  // Each resource's own monthly cost: the sum of its lines, compute and charges.
  const baseCosts = totalsBy(baseLines, (l) => l.urn);
  const headCosts = totalsBy(headLines, (l) => l.urn);
  // Each priced resource's cloud: every URN of either side's costs.
  const cloudOf = new Map([...baseLines, ...headLines].map((l) => [l.urn, l.cloud]));
  const baseByUrn = new Map(base.map((r) => [r.urn, r]));
  const headByUrn = new Map(head.map((r) => [r.urn, r]));

  const resources: StackDiff["resources"] = { added: [], removed: [], replaced: [], changed: [] };
  for (const r of head) {
    const before = baseByUrn.get(r.urn);
    if (before === undefined) {
      resources.added.push(entry(r, headCosts.get(r.urn)));
      continue;
    }
    const paths = changedPaths(before.inputs, r.inputs);
    const reason = replacementReason(before, r, paths, { base: baseByUrn, head: headByUrn });
    if (reason !== undefined) {
      resources.replaced.push({ urn: r.urn, type: r.type, reason, paths });
    } else if (paths.length > 0) {
      resources.changed.push({ urn: r.urn, paths });
    }
  }
  for (const r of base) {
    if (!headByUrn.has(r.urn)) resources.removed.push(entry(r, baseCosts.get(r.urn)));
  }

  const baseByCloud = totalsByCloud(baseLines);
  const headByCloud = totalsByCloud(headLines);
  const clouds: StackDiff["clouds"] = {};
  for (const cloud of CLOUDS) {
    if (baseByCloud[cloud] === undefined && headByCloud[cloud] === undefined) continue;
    const movers = [...cloudOf]
      .filter(([, of]) => of === cloud)
      .map(([urn]) => ({ urn, ...costChange(baseCosts.get(urn), headCosts.get(urn)) }))
      .filter((m) => m.idleMonthlyUsd.delta !== 0 || m.peakMonthlyUsd.delta !== 0)
      .sort((a, b) => moved(b) - moved(a) || a.urn.localeCompare(b.urn))
      .slice(0, MOVERS);
    clouds[cloud] = { ...costChange(baseByCloud[cloud], headByCloud[cloud]), movers };
  }
  return {
    stack,
    currency: "USD",
    clouds,
    total: costChange(totals(baseLines), totals(headLines)),
    resources,
    policy: compareViolations(verdicts.base, verdicts.head),
  };
}

/** How far a resource moved its cloud's cost: the larger of its two changes. */
function moved(m: CloudCost): number {
  return Math.max(Math.abs(m.idleMonthlyUsd.delta), Math.abs(m.peakMonthlyUsd.delta));
}

/** `+$12.00`, `-$3.50`, `$0.00`. */
function signedUsd(amount: number): string {
  if (amount === 0) return usd(0);
  return `${amount > 0 ? "+" : "-"}${usd(Math.abs(amount))}`;
}

function moverText(m: Mover): string {
  return `${nameOfUrn(m.urn)} (idle ${signedUsd(m.idleMonthlyUsd.delta)}, peak ${signedUsd(m.peakMonthlyUsd.delta)})`;
}

function costOf(e: ResourceEntry): string {
  return e.peakMonthlyUsd === undefined
    ? ""
    : ` (idle ${usd(e.idleMonthlyUsd ?? 0)}, peak ${usd(e.peakMonthlyUsd)} a month)`;
}

function resourceCounts(d: StackDiff): string {
  const r = d.resources;
  return `${r.added.length} added, ${r.removed.length} removed, ${r.replaced.length} replaced, ${r.changed.length} changed`;
}

function resourceLines(d: StackDiff): string[] {
  const r = d.resources;
  return [
    ...r.added.map((e) => `+  ${e.urn}${costOf(e)}`),
    ...r.removed.map((e) => `-  ${e.urn}${costOf(e)}`),
    ...r.replaced.map((e) => `+- ${e.urn}: ${e.reason}`),
    ...r.changed.map((e) => `~  ${e.urn}: ${e.paths.join(", ")}`),
  ];
}

function violationLines(kind: string, violations: readonly Violation[]): string[] {
  return violations.map((v) => `${kind} ${v.level} ${v.policy}\n  ${v.urn}\n  ${v.message}`);
}

const PRICES_NOTE = `USD a month (${HOURS_PER_MONTH} hours) of compute at the catalog's on-demand prices; idle = every autoscaler at its minimum, peak = at its maximum.`;

/** The diff as a readable text report. */
export function diffText(d: StackDiff): string {
  const header = [
    "cloud",
    "idle base",
    "idle head",
    "idle change",
    "peak base",
    "peak head",
    "peak change",
  ];
  const row = (name: string, c: CloudCost) => [
    name,
    usd(c.idleMonthlyUsd.base),
    usd(c.idleMonthlyUsd.head),
    signedUsd(c.idleMonthlyUsd.delta),
    usd(c.peakMonthlyUsd.base),
    usd(c.peakMonthlyUsd.head),
    signedUsd(c.peakMonthlyUsd.delta),
  ];
  const clouds = Object.entries(d.clouds);
  const table = renderTable(
    header,
    clouds.map(([cloud, c]) => row(cloud, c)),
    { rightAligned: [1, 2, 3, 4, 5, 6], footer: [row("all", d.total)] },
  );
  const movers = clouds
    .filter(([, c]) => c.movers.length > 0)
    .map(([cloud, c]) => `  ${cloud}: ${c.movers.map(moverText).join(", ")}`);
  const p = d.policy;
  return [
    `Stack ${d.stack}, base to head`,
    "",
    `Resources: ${resourceCounts(d)}`,
    ...resourceLines(d).map((l) => `  ${l}`),
    "",
    `Cost: ${PRICES_NOTE}`,
    ...table,
    ...(movers.length > 0 ? ["Moved most:", ...movers] : []),
    "",
    `Policy: ${p.introduced.length} introduced, ${p.resolved.length} resolved, ${p.unchanged} unchanged`,
    ...violationLines("introduced", p.introduced),
    ...violationLines("resolved", p.resolved),
    "",
  ].join("\n");
}

/** The diff as a short Markdown report for a pull-request comment. */
export function diffMarkdown(d: StackDiff): string {
  const rows = (c: CloudCost) => [
    [
      "idle floor",
      usd(c.idleMonthlyUsd.base),
      usd(c.idleMonthlyUsd.head),
      signedUsd(c.idleMonthlyUsd.delta),
    ],
    [
      "peak ceiling",
      usd(c.peakMonthlyUsd.base),
      usd(c.peakMonthlyUsd.head),
      signedUsd(c.peakMonthlyUsd.delta),
    ],
  ];
  const table = (c: CloudCost) =>
    renderMarkdownTable(["USD a month", "base", "head", "change"], rows(c), [1, 2, 3]);
  const sections = Object.entries(d.clouds).flatMap(([cloud, c]) => [
    `**${cloud}**`,
    "",
    ...table(c),
    ...(c.movers.length > 0 ? ["", `Moved most: ${c.movers.map(moverText).join(", ")}`] : []),
    "",
  ]);
  const p = d.policy;
  const violation = (v: Violation) =>
    `- **${v.level}** \`${v.policy}\` on \`${nameOfUrn(v.urn)}\`: ${v.message}`;
  const details = resourceLines(d);
  return [
    `### Stack \`${d.stack}\``,
    "",
    ...sections,
    `**total**`,
    "",
    ...table(d.total),
    "",
    `<sub>${PRICES_NOTE}</sub>`,
    "",
    `**Policy**: ${p.introduced.length} introduced, ${p.resolved.length} resolved, ${p.unchanged} unchanged`,
    "",
    ...(p.introduced.length > 0 ? ["Introduced:", "", ...p.introduced.map(violation), ""] : []),
    ...(p.resolved.length > 0 ? ["Resolved:", "", ...p.resolved.map(violation), ""] : []),
    `**Resources**: ${resourceCounts(d)}`,
    ...(details.length > 0
      ? [
          "",
          "<details><summary>by URN</summary>",
          "",
          "```text",
          ...details,
          "```",
          "",
          "</details>",
        ]
      : []),
    "",
    "",
  ].join("\n");
}

async function verdicts(analysis: StackAnalysis, policyConfig: string | undefined) {
  return gateStack(analysis, policyConfigFile(analysis.config, policyConfig));
}

/**
 * `diff`: compares two versions of one stack (plans, exports or previews) by URN: resources,
 * monthly cost per cloud, policy verdicts. Exit 1 when the head introduces a mandatory
 * violation, 2 on bad input.
 */
export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, "diff");
  const baseFile = required(flags.base, "base", "diff");
  if ((flags.head === undefined) === (flags.stack === undefined)) {
    throw new UsageError("diff: give either --head FILE or --stack NAME for the head");
  }
  if (flags.json === true && flags.markdown === true) {
    throw new UsageError("diff: use --json or --markdown, not both");
  }
  const base = await loadAnalysis({
    from: baseFile,
    fromFlag: "--base",
    configFile: flags["base-config-file"] ?? flags["config-file"],
    command: "diff",
  });
  const head = await loadAnalysis({
    stack: flags.stack,
    from: flags.head,
    fromFlag: "--head",
    configFile: flags["config-file"],
    command: "diff",
  });
  if (base.input.stack !== head.input.stack) {
    throw new UsageError(
      `diff: --base holds stack ${base.input.stack} and the head stack ${head.input.stack}; diff compares two versions of one stack, whose resources match by URN`,
    );
  }
  const d = diffStacks(
    base.input.resources,
    head.input.resources,
    {
      base: await verdicts(base, flags["policy-config"]),
      head: await verdicts(head, flags["policy-config"]),
    },
    head.input.stack,
  );
  process.stdout.write(
    flags.json === true
      ? `${JSON.stringify(d, null, 2)}\n`
      : flags.markdown === true
        ? diffMarkdown(d)
        : diffText(d),
  );
  return d.policy.introduced.some((v) => v.level === "mandatory") ? 1 : 0;
}
