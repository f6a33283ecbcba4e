import { spawn } from "node:child_process";
import * as path from "node:path";

/** The project's root, where every benchmarked command runs. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

/** Node options that make a process report its peak memory on stderr when it exits. */
export const RSS_PROBE_ARGS = ["--require", path.join(__dirname, "rss-probe.js")];

export interface Sample {
  wallMs: number;
  maxRssMiB: number;
}

/** Something measured once per call: a command, or a path through an entry point. */
export interface Benchmarked {
  label: string;
  sample(): Promise<Sample>;
}

/** The peak memory the probe reported on a process's stderr. */
export function probedRssMiB(stderr: string): number {
  const rss = /maxRssKiB=(\d+)/.exec(stderr);
  return rss === null ? Number.NaN : Number(rss[1]) / 1024;
}

/** `node <args>` run once, its wall time and peak memory (via the preloaded probe). */
export function nodeCommand(label: string, args: string[], cwd = PROJECT_DIR): Benchmarked {
  return {
    label,
    sample: () =>
      new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, [...RSS_PROBE_ARGS, ...args], {
          cwd,
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (status) => {
          const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
          if (status !== 0) {
            reject(new Error(`${label} exited ${status}: ${stderr.slice(0, 500)}`));
          } else {
            resolve({ wallMs, maxRssMiB: probedRssMiB(stderr) });
          }
        });
      }),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface PairResult {
  text: string;
  wallRatio: number;
  rssRatio: number;
  /** Median peak memory of A. */
  maxRssMiB: number;
}

/**
 * Runs A and B in turn (A B A B ...) after one warm-up each, and reports medians and the median of
 * the pairwise ratios A/B, which holds when the machine's speed drifts during the run.
 */
export async function comparePair(
  a: Benchmarked,
  b: Benchmarked,
  runs: number,
): Promise<PairResult> {
  await a.sample();
  await b.sample();
  const as: Sample[] = [];
  const bs: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(await a.sample());
    bs.push(await b.sample());
  }
  const wallRatio = median(as.map((s, i) => s.wallMs / bs[i].wallMs));
  const rssRatio = median(as.map((s, i) => s.maxRssMiB / bs[i].maxRssMiB));
  const row = (c: Benchmarked, s: Sample[]) =>
    `  ${c.label.padEnd(56)} wall ${median(s.map((x) => x.wallMs))
      .toFixed(0)
      .padStart(6)} ms   peak RSS ${median(s.map((x) => x.maxRssMiB))
      .toFixed(0)
      .padStart(5)} MiB`;
  const text = [
    `${a.label} vs ${b.label} (${runs} pairs, medians)`,
    row(a, as),
    row(b, bs),
    `  ratio A/B: wall ${wallRatio.toFixed(2)}x, peak RSS ${rssRatio.toFixed(2)}x`,
  ].join("\n");
  return { text, wallRatio, rssRatio, maxRssMiB: median(as.map((s) => s.maxRssMiB)) };
}

/** A line that says whether a measured figure meets its target. */
export function verdict(what: string, value: number, target: number, unit: string): string {
  const met = value <= target ? "meets" : "MISSES";
  return `  ${what}: ${value.toFixed(2)}${unit} ${met} the target of ${target}${unit}`;
}
