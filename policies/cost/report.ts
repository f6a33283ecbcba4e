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

/**
 * The resources that cost most at one end of the range, with their share of the total:
 * `aws-endpoint-iris-config (ml.m5.xlarge x6) $1,007.40 (41%)`.
 */
export function costliest(
  lines: readonly CostLine[],
  amount: (line: CostLine) => number,
  bound: (line: CostLine) => number,
  count: number,
): { text: string; top?: CostLine } {
  const total = lines.reduce((sum, l) => sum + amount(l), 0);
  const sorted = [...lines].filter((l) => amount(l) > 0).sort((a, b) => amount(b) - amount(a));
  const text = sorted
    .slice(0, count)
    .map(
      (l) =>
        `${l.name} (${l.instanceType} x${bound(l)}) ${usd(amount(l))} (${Math.round((100 * amount(l)) / total)}%)`,
    )
    .join(", ");
  return { text, top: sorted[0] };
}
