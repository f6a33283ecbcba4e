/**
 * A plan priced by the cost model, and what the commands that show cost (`cost`, `plan`, `diff`,
 * `compare`) say of it, in one place.
 */

import type { AnalyzerResource } from "./gate/input";
import { stackResources } from "./gate/args";
import { UnknownValueError } from "./gate/sdk";
import { UsageError } from "./errors";
import { type ComputeLine, type StackEstimate, estimateStack } from "../policies/cost/model";

/** USD rounded to cents, for JSON. */
export function cents(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/** The plan's estimate; a value the plan cannot know makes it a usage error, not a crash. */
export function priced(
  resources: readonly AnalyzerResource[],
  stack: string,
  command = "cost",
): StackEstimate {
  try {
    return estimateStack(stackResources(resources));
  } catch (err) {
    if (err instanceof UnknownValueError) {
      throw new UsageError(`${command}: cannot price stack ${stack}: ${err.message}`);
    }
    throw err;
  }
}

/**
 * What the stack's autoscalers cannot do as asked: the floor a cloud keeps above the minimum the
 * spec asks for, and the ceiling a cloud does not enforce; `cost` and `plan` both print them.
 */
export function scaleNotes(compute: readonly ComputeLine[]): string[] {
  const sorted = [...compute].sort((a, b) =>
    `${a.cloud} ${a.name}`.localeCompare(`${b.cloud} ${b.name}`),
  );
  return [
    ...sorted
      .filter((l) => l.floor !== undefined)
      .map((l) => `Floor: ${l.name} idles at ${l.machines.min}: ${l.floor}.`),
    ...sorted
      .filter((l) => l.ceiling !== undefined)
      .map((l) => `Ceiling: ${l.name} peaks at ${l.machines.max} by convention: ${l.ceiling}.`),
  ];
}
