import type { PolicyResource } from "@pulumi/policy";
import { T } from "../lib/types";
import { usd } from "../lib/values";
import type { CostLine } from "./model";

/** The `topResources` setting both cost policies take. */
export const TOP_RESOURCES_PROPERTY = {
  type: "integer",
  minimum: 1,
  default: 3,
  description: "How many of the costliest resources a violation names.",
} as const;

/** The stack's root resource, which violations about the whole stack name. */
export function rootUrn(resources: readonly PolicyResource[]): string | undefined {
  return resources.find((r) => r.type === T.stack)?.urn;
}

/** One end of the cost range: every autoscaler at its minimum, or at its maximum. */
export type End = "idle" | "peak";

function amountAt(line: CostLine, end: End): number {
  return end === "idle" ? line.idleMonthlyUsd : line.peakMonthlyUsd;
}

/** What a line prices, for messages: `ml.m5.xlarge x6`, `interface VPC endpoint, ... x2`. */
function pricedAs(line: CostLine, end: End): string {
  if (line.kind !== "compute") return `${line.what} x${line.quantity}`;
  return `${line.instanceType} x${end === "idle" ? line.machines.min : line.machines.max}`;
}

/**
 * The resources that cost most at one end of the range, with their share of the total:
 * `aws-endpoint-iris-config (ml.m5.xlarge x6) $1,007.40 (41%)`.
 */
export function costliest(
  lines: readonly CostLine[],
  end: End,
  count: number,
): { text: string; top?: CostLine } {
  const total = lines.reduce((sum, l) => sum + amountAt(l, end), 0);
  const sorted = [...lines]
    .filter((l) => amountAt(l, end) > 0)
    .sort((a, b) => amountAt(b, end) - amountAt(a, end));
  const text = sorted
    .slice(0, count)
    .map(
      (l) =>
        `${l.name} (${pricedAs(l, end)}) ${usd(amountAt(l, end))} (${Math.round((100 * amountAt(l, end)) / total)}%)`,
    )
    .join(", ");
  return { text, top: sorted[0] };
}
