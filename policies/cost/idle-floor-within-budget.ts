import type { StackValidationPolicy } from "@pulumi/policy";
import { usd } from "../lib/values";
import { estimateStack, totals } from "./model";
import { TOP_RESOURCES_PROPERTY, costliest, rootUrn } from "./report";

interface IdleConfig {
  idleBudgetMonthlyUsd?: number;
  topResources: number;
}

export const idleFloorWithinBudget: StackValidationPolicy = {
  name: "idle-floor-within-budget",
  description:
    "Checks whether the stack's estimated monthly idle floor (every autoscaler at its minimum, with the fixed charges, at catalog prices) stays within the policy's idleBudgetMonthlyUsd, so a stack nobody uses costs little; the tiers' policy config sets that budget where it applies.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      idleBudgetMonthlyUsd: {
        type: "number",
        minimum: 0,
        description: "What the stack may cost a month with every autoscaler at its minimum.",
      },
      topResources: TOP_RESOURCES_PROPERTY,
    },
  },
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<IdleConfig>();
    const budget = config.idleBudgetMonthlyUsd;
    if (budget === undefined) {
      return args.notApplicable("no idleBudgetMonthlyUsd is configured");
    }
    const { lines } = estimateStack(args.resources);
    const floor = totals(lines).idleMonthlyUsd;
    if (floor <= budget) return;
    const { text, top } = costliest(lines, "idle", config.topResources);
    reportViolation(
      `the estimated monthly idle floor, every autoscaler at its minimum, must stay within ${usd(budget)} (policy config idleBudgetMonthlyUsd); it is ${usd(floor)}. Costliest at idle: ${text}. Let training scale to zero and endpoints to their least replicas, or raise the idle budget.`,
      top?.urn ?? rootUrn(args.resources),
    );
  },
};
