import type { StackValidationPolicy } from "@pulumi/policy";
import { BUDGET_KEY, hasStackConfig, stackConfigNumber } from "../lib/stackConfig";
import { show, usd } from "../lib/values";
import { estimateStack, totals } from "./model";
import { TOP_RESOURCES_PROPERTY, costliest, rootUrn } from "./report";

interface CeilingConfig {
  budgetMonthlyUsd?: number;
  topResources: number;
}

export const monthlyCeilingWithinBudget: StackValidationPolicy = {
  name: "monthly-ceiling-within-budget",
  description: `Checks whether the stack's estimated monthly ceiling (every autoscaler at its maximum, with the fixed charges, at catalog prices) stays within its budget: the stack config's ${BUDGET_KEY}, or this policy's budgetMonthlyUsd where that is lower.`,
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      budgetMonthlyUsd: {
        type: "number",
        minimum: 0,
        description: `A cap in USD a month; where it is lower than ${BUDGET_KEY}, it applies instead.`,
      },
      topResources: TOP_RESOURCES_PROPERTY,
    },
  },
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<CeilingConfig>();
    const stack = stackConfigNumber(BUDGET_KEY);
    if (stack.raw !== undefined && (stack.value === undefined || stack.value < 0)) {
      reportViolation(
        `${BUDGET_KEY} must be a number of USD a month, 0 or more; it is ${show(stack.raw)}.`,
        rootUrn(args.resources),
      );
      return;
    }
    const budgets = [
      ...(stack.value === undefined
        ? []
        : [{ amount: stack.value, source: `stack config ${BUDGET_KEY}` }]),
      ...(config.budgetMonthlyUsd === undefined
        ? []
        : [{ amount: config.budgetMonthlyUsd, source: "policy config budgetMonthlyUsd" }]),
    ].sort((a, b) => a.amount - b.amount);
    const budget = budgets[0];
    if (budget === undefined) {
      return args.notApplicable(
        hasStackConfig()
          ? `neither ${BUDGET_KEY} nor the policy's budgetMonthlyUsd is set`
          : `the pack was handed no stack config, so ${BUDGET_KEY} cannot be read, and the policy's budgetMonthlyUsd is not set; the ceiling is not judged`,
      );
    }
    const { lines } = estimateStack(args.resources);
    const ceiling = totals(lines).peakMonthlyUsd;
    if (ceiling <= budget.amount) return;
    const { text, top } = costliest(lines, "peak", config.topResources);
    reportViolation(
      `the estimated monthly ceiling, every autoscaler at its maximum, must stay within ${usd(budget.amount)} (${budget.source}); it is ${usd(ceiling)}. Costliest at peak: ${text}. Lower maximum replicas or nodes, pick a smaller size, or raise the budget.`,
      top?.urn ?? rootUrn(args.resources),
    );
  },
};
