import { HOURS_PER_MONTH } from "../../policies/catalog";
import type { Cloud } from "../../policies/platform";
import { UsageError } from "../errors";
import { renderTable } from "../table";
import { ERROR_KINDS } from "./invoke";
import type { EndpointReport, ProbeLimits } from "./run";

/** Marks a file as a probe report, so `compare --live` can tell one from another JSON file. */
export const REPORT_FORMAT = "mlplatform-probe/1";

/** What `probe --json` prints: one stack's endpoints, measured. */
export interface ProbeReport {
  format: typeof REPORT_FORMAT;
  /** The stack probed (`--stack`), or the outputs file's name without `.json` (`--outputs`). */
  stack: string;
  probedAt: string;
  limits: ProbeLimits;
  /** The sample request's file and how many predictions one request asks for. */
  sample: { file: string; predictionsPerRequest: number };
  endpoints: EndpointReport[];
}

/** Reads and checks a report `probe --json` wrote. */
export function parseReport(text: string, file: string): ProbeReport {
  let report: Partial<ProbeReport>;
  try {
    report = JSON.parse(text) as Partial<ProbeReport>;
  } catch (err) {
    throw new UsageError(`${file}: not JSON (${(err as Error).message})`);
  }
  if (report?.format !== REPORT_FORMAT || !Array.isArray(report.endpoints)) {
    throw new UsageError(
      `${file}: not a probe report (format ${JSON.stringify(report?.format)}); write one with \`npm run probe -- --stack NAME --json > ${file}\``,
    );
  }
  return report as ProbeReport;
}

/** One endpoint of one stack, as the comparison lists it. */
export interface LiveRow {
  stack: string;
  endpoint: EndpointReport;
}

export function rowsOf(reports: readonly ProbeReport[]): LiveRow[] {
  return reports.flatMap((r) => r.endpoints.map((endpoint) => ({ stack: r.stack, endpoint })));
}

/** Monthly USD of the endpoint's replicas at the catalog price: the offline idle floor. */
export function idleMonthlyUsd(endpoint: EndpointReport): number {
  return endpoint.hourlyUsd * endpoint.replicas * HOURS_PER_MONTH;
}

/** The errors of an endpoint as a short phrase: `throttled 3, 5xx 1`, or `0`. */
export function errorsText(endpoint: EndpointReport): string {
  if (endpoint.error !== undefined) return `not probed (${endpoint.error.kind})`;
  const parts = ERROR_KINDS.filter((k) => endpoint.errors[k] > 0).map(
    (k) => `${k} ${endpoint.errors[k]}`,
  );
  return parts.length === 0 ? "0" : parts.join(", ");
}

const fixed = (value: number | undefined | null, digits: number) =>
  value === undefined || value === null ? "-" : value.toFixed(digits);

export const LIVE_HEADER = [
  "stack",
  "cloud",
  "endpoint",
  "instance type",
  "replicas",
  "USD/h",
  "idle USD/month",
  "requests",
  "correct",
  "errors",
  "p50 ms",
  "p95 ms",
  "p99 ms",
  "req/s",
  "pred/s",
  "USD/1k pred",
] as const;

/** Columns of `LIVE_HEADER` that hold numbers. */
export const LIVE_NUMERIC = [4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15] as const;

export function liveCells(row: LiveRow): string[] {
  const e = row.endpoint;
  return [
    row.stack,
    e.cloud,
    e.name,
    e.instanceType,
    String(e.replicas),
    fixed(e.hourlyUsd, 4),
    fixed(idleMonthlyUsd(e), 0),
    String(e.requests),
    String(e.correct),
    errorsText(e),
    fixed(e.latency?.p50Ms, 1),
    fixed(e.latency?.p95Ms, 1),
    fixed(e.latency?.p99Ms, 1),
    fixed(e.requestsPerSecond, 2),
    fixed(e.predictionsPerSecond, 2),
    e.costPer1000PredictionsUsd === null ? "-" : e.costPer1000PredictionsUsd.toPrecision(3),
  ];
}

/** Notes under a table: why an endpoint was not probed, what failed, what was not priced. */
export function liveNotes(rows: readonly LiveRow[]): string[] {
  const notes: string[] = [];
  for (const { stack, endpoint: e } of rows) {
    const where = `${stack} ${e.cloud} ${e.name}`;
    if (e.error !== undefined) notes.push(`${where}: not probed: ${e.error.message}`);
    for (const sample of e.errorSamples) notes.push(`${where}: ${sample.kind}: ${sample.message}`);
    if (e.costNote !== undefined) notes.push(`${where}: no cost per prediction: ${e.costNote}`);
  }
  return notes;
}

/** What every figure is, printed under the tables. */
export const LIVE_LEGEND =
  "Latency: answered requests, nearest-rank percentiles. USD/h and idle USD/month: catalog on-demand price of the replicas at their minimum. USD/1k pred: those replicas' hourly price over the correct predictions (instances scored) they served an hour at the measured throughput.";

/** The comparison as a plain-text table with its notes. */
export function liveText(rows: readonly LiveRow[]): string {
  const table = renderTable(LIVE_HEADER, rows.map(liveCells), { rightAligned: [...LIVE_NUMERIC] });
  return [...table, "", LIVE_LEGEND, ...liveNotes(rows)].join("\n");
}

const escapeMarkdown = (cell: string) => cell.replace(/\|/g, "\\|");

/** The comparison as a Markdown table (a pull-request comment, a wiki page). */
export function liveMarkdown(rows: readonly LiveRow[]): string {
  const numeric = new Set<number>(LIVE_NUMERIC);
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdown).join(" | ")} |`;
  return [
    line(LIVE_HEADER),
    `|${LIVE_HEADER.map((_, i) => (numeric.has(i) ? " ---: " : " --- ")).join("|")}|`,
    ...rows.map((r) => line(liveCells(r))),
    "",
    LIVE_LEGEND,
    ...liveNotes(rows).map((n) => `- ${escapeMarkdown(n)}`),
  ].join("\n");
}

/** The clouds' colours in charts: each vendor's brand colour. */
export const CLOUD_COLOURS: Record<Cloud, string> = {
  aws: "#ff9900",
  azure: "#0078d4",
  gcp: "#34a853",
};
