import { type Cloud } from "../../policies/platform";
import {
  type ErrorKind,
  ERROR_KINDS,
  type InvokerFactory,
  InvokeError,
  type ProbeEndpoints,
} from "./invoke";
import { type Sample, wrongAnswer } from "./sample";
import { type LatencySummary, summarizeLatencies } from "./stats";
import type { ProbeTarget } from "./targets";

/** How much load the probe sends to each endpoint; it stops at whichever bound comes first. */
export interface ProbeLimits {
  /** Requests to send. */
  requests: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Seconds after which no new request starts. */
  durationSeconds: number;
  /** Seconds a request may take before it counts as a time-out. */
  timeoutSeconds: number;
}

export const DEFAULT_LIMITS: ProbeLimits = {
  requests: 100,
  concurrency: 4,
  durationSeconds: 60,
  timeoutSeconds: 10,
};

/** The first few distinct failures of an endpoint, so a report says what went wrong. */
const MAX_ERROR_SAMPLES = 5;

const SECONDS_PER_HOUR = 3600;

/** What the probe measured on one endpoint. */
export interface EndpointReport {
  cloud: Cloud;
  name: string;
  region: string;
  endpointName: string;
  size: string;
  instanceType: string;
  /** Catalog on-demand USD an hour of one replica. */
  hourlyUsd: number;
  priceRegion: string | null;
  /** Replicas the cost is computed for: the endpoint's minimum, which serves a steady load. */
  replicas: number;
  /** Set when the endpoint could not be probed at all (credentials, keys). */
  error?: { kind: ErrorKind; message: string };
  requests: number;
  /** Requests answered with the expected predictions. */
  correct: number;
  errors: Record<ErrorKind, number>;
  errorSamples: { kind: ErrorKind; message: string }[];
  /** Latency of the requests the endpoint answered (right or wrong), in milliseconds. */
  latency: LatencySummary | null;
  elapsedSeconds: number;
  /** Requests completed a second, whatever their outcome. */
  requestsPerSecond: number;
  /** Correct predictions (instances scored) a second. */
  predictionsPerSecond: number;
  /**
   * USD per 1,000 predictions at the measured throughput: the replicas' catalog hourly price
   * over the predictions they served an hour. `null` when nothing was served or the endpoint is
   * not billed by the hour.
   */
  costPer1000PredictionsUsd: number | null;
  costNote?: string;
}

/**
 * USD per 1,000 predictions of `replicas` replicas at `hourlyUsd` each, serving
 * `predictionsPerSecond`; `null` when no prediction was served.
 */
export function costPer1000Predictions(
  hourlyUsd: number,
  replicas: number,
  predictionsPerSecond: number,
): number | null {
  if (!(predictionsPerSecond > 0)) return null;
  const usdPerSecond = (hourlyUsd * replicas) / SECONDS_PER_HOUR;
  return (usdPerSecond / predictionsPerSecond) * 1000;
}

function emptyErrors(): Record<ErrorKind, number> {
  return Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;
}

/** A monotonic clock in milliseconds; tests pass their own. */
export type Clock = () => number;
const monotonic: Clock = () => performance.now();

/**
 * Probes one endpoint: prepares its invoker (credentials, keys), then sends the sample request
 * from `limits.concurrency` workers until `limits.requests` are sent or `limits.durationSeconds`
 * have passed, each request bounded by `limits.timeoutSeconds`, and checks every answer.
 */
export async function probeEndpoint(
  target: ProbeTarget,
  factory: InvokerFactory,
  endpoints: ProbeEndpoints,
  sample: Sample,
  limits: ProbeLimits,
  clock: Clock = monotonic,
): Promise<EndpointReport> {
  const serverless = target.cloud === "aws" && target.minReplicas === 0;
  const report: EndpointReport = {
    cloud: target.cloud,
    name: target.name,
    region: target.region,
    endpointName: target.endpointName,
    size: target.size,
    instanceType: target.instanceType,
    hourlyUsd: target.hourlyUsd,
    priceRegion: target.priceRegion ?? null,
    replicas: target.minReplicas,
    requests: 0,
    correct: 0,
    errors: emptyErrors(),
    errorSamples: [],
    latency: null,
    elapsedSeconds: 0,
    requestsPerSecond: 0,
    predictionsPerSecond: 0,
    costPer1000PredictionsUsd: null,
    ...(serverless
      ? { costNote: "SageMaker serverless inference is billed per request, not by the hour" }
      : {}),
  };
  const record = (kind: ErrorKind, message: string) => {
    report.errors[kind] += 1;
    if (
      report.errorSamples.length < MAX_ERROR_SAMPLES &&
      !report.errorSamples.some((s) => s.kind === kind && s.message === message)
    ) {
      report.errorSamples.push({ kind, message });
    }
  };

  let invoke;
  try {
    invoke = await factory(target, endpoints);
  } catch (err) {
    const kind = err instanceof InvokeError ? err.kind : "other";
    report.error = { kind, message: (err as Error).message };
    return report;
  }

  const body = JSON.stringify(sample.request);
  const durations: number[] = [];
  const start = clock();
  const deadline = start + limits.durationSeconds * 1000;
  const worker = async () => {
    while (report.requests < limits.requests && clock() < deadline) {
      report.requests += 1;
      const sent = clock();
      try {
        const answer = await invoke(body, AbortSignal.timeout(limits.timeoutSeconds * 1000));
        durations.push(clock() - sent);
        const wrong = wrongAnswer(answer, sample.predictions);
        if (wrong === undefined) {
          report.correct += 1;
        } else {
          record("wrong-answer", wrong);
        }
      } catch (err) {
        if (err instanceof InvokeError) {
          if (err.kind === "wrong-answer") durations.push(clock() - sent);
          record(err.kind, err.message);
        } else {
          record("other", (err as Error).message);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limits.concurrency) }, worker));
  const elapsedSeconds = Math.max(clock() - start, 1) / 1000;

  const predictionsPerSecond = (report.correct * sample.predictions.length) / elapsedSeconds;
  report.latency = summarizeLatencies(durations) ?? null;
  report.elapsedSeconds = Math.round(elapsedSeconds * 1000) / 1000;
  report.requestsPerSecond = Math.round((report.requests / elapsedSeconds) * 100) / 100;
  report.predictionsPerSecond = Math.round(predictionsPerSecond * 100) / 100;
  report.costPer1000PredictionsUsd = serverless
    ? null
    : costPer1000Predictions(target.hourlyUsd, target.minReplicas, predictionsPerSecond);
  return report;
}

/** Whether an endpoint answered every request with the expected predictions. */
export function healthy(report: EndpointReport): boolean {
  return report.error === undefined && report.requests > 0 && report.correct === report.requests;
}
