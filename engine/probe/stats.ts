/** Latency percentiles of one endpoint's answered requests, in milliseconds. */
export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The nearest-rank percentile of values sorted ascending: the smallest value that at least `p`
 * percent of the values are less than or equal to. `p` is in (0, 100].
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    throw new RangeError("percentile of no values");
  }
  if (!(p > 0 && p <= 100)) {
    throw new RangeError(`percentile ${p} is outside (0, 100]`);
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Milliseconds rounded to hundredths, as reports print them. */
function ms(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The latency summary of a set of request durations; `undefined` when there are none. */
export function summarizeLatencies(durationsMs: readonly number[]): LatencySummary | undefined {
  if (durationsMs.length === 0) return undefined;
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    minMs: ms(sorted[0]),
    meanMs: ms(sum / sorted.length),
    p50Ms: ms(percentile(sorted, 50)),
    p95Ms: ms(percentile(sorted, 95)),
    p99Ms: ms(percentile(sorted, 99)),
    maxMs: ms(sorted[sorted.length - 1]),
  };
}
