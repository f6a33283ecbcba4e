import type { Cloud } from "../../policies/platform";
import { type ProbeReport, REPORT_FORMAT } from "../../engine/probe/report";
import { DEFAULT_LIMITS, type EndpointReport } from "../../engine/probe/run";

/** A probe report of one stack with one endpoint, as `probe --json` writes it. */
export function probeReport(
  stack: string,
  cloud: Cloud,
  measured: { p50Ms: number; costPer1000PredictionsUsd: number | null; correct?: number },
): ProbeReport {
  const p50 = measured.p50Ms;
  const endpoint: EndpointReport = {
    cloud,
    name: "iris",
    region: { aws: "us-east-1", azure: "eastus", gcp: "us-central1" }[cloud],
    endpointName: `${stack}-iris`,
    size: "cpu-4x16",
    instanceType: { aws: "ml.m5.xlarge", azure: "Standard_D4as_v4", gcp: "n2-standard-4" }[cloud],
    hourlyUsd: 0.25,
    priceRegion: null,
    replicas: 2,
    requests: 100,
    correct: measured.correct ?? 100,
    errors: {
      auth: 0,
      throttled: 100 - (measured.correct ?? 100),
      "5xx": 0,
      timeout: 0,
      "wrong-answer": 0,
      other: 0,
    },
    errorSamples:
      measured.correct === undefined ? [] : [{ kind: "throttled", message: "HTTP 429: busy" }],
    latency: {
      count: measured.correct ?? 100,
      minMs: p50 / 2,
      meanMs: p50,
      p50Ms: p50,
      p95Ms: p50 * 2,
      p99Ms: p50 * 3,
      maxMs: p50 * 4,
    },
    elapsedSeconds: 10,
    requestsPerSecond: 10,
    predictionsPerSecond: 40,
    costPer1000PredictionsUsd: measured.costPer1000PredictionsUsd,
  };
  return {
    format: REPORT_FORMAT,
    stack,
    probedAt: "2026-11-28T12:00:00.000Z",
    limits: DEFAULT_LIMITS,
    sample: { file: "models/iris/sample.json", predictionsPerRequest: 4 },
    endpoints: [endpoint],
  };
}
