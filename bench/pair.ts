import { spawnSync } from "node:child_process";
import * as path from "node:path";

/** The project's root, where every benchmarked command runs. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

const RSS_PROBE = path.join(__dirname, "rss-probe.js");

export interface Sample {
  wallMs: number;
  maxRssMiB: number;
}

export interface Command {
  label: string;
  args: string[];
}

/** Runs `node <args>` once and measures its wall time and peak memory (via the preloaded probe). */
function sample(command: Command): Sample {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["--require", RSS_PROBE, ...command.args], {
    cwd: PROJECT_DIR,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${command.label} exited ${result.status}: ${result.stderr.slice(0, 500)}`);
  }
  const rss = /maxRssKiB=(\d+)/.exec(result.stderr);
  return { wallMs, maxRssMiB: rss === null ? Number.NaN : Number(rss[1]) / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs A and B in turn (A B A B ...) after one warm-up each, and reports medians and the median of
 * the pairwise ratios A/B, which holds when the machine's speed drifts during the run.
 */
export function comparePair(a: Command, b: Command, runs: number): string {
  sample(a);
  sample(b);
  const as: Sample[] = [];
  const bs: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(sample(a));
    bs.push(sample(b));
  }
  const wallRatio = median(as.map((s, i) => s.wallMs / bs[i].wallMs));
  const rssRatio = median(as.map((s, i) => s.maxRssMiB / bs[i].maxRssMiB));
  const row = (c: Command, s: Sample[]) =>
    `  ${c.label.padEnd(44)} wall ${median(s.map((x) => x.wallMs))
      .toFixed(0)
      .padStart(6)} ms   peak RSS ${median(s.map((x) => x.maxRssMiB))
      .toFixed(0)
      .padStart(5)} MiB`;
  return [
    `${a.label} vs ${b.label} (${runs} pairs, medians)`,
    row(a, as),
    row(b, bs),
    `  ratio A/B: wall ${wallRatio.toFixed(2)}x, peak RSS ${rssRatio.toFixed(2)}x`,
  ].join("\n");
}
