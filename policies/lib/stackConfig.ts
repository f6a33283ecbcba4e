import { getConfig } from "@pulumi/pulumi/runtime/config";
import { toNumber } from "./values";

/** The stack config key of the platform's monthly budget. */
export const BUDGET_KEY = "mlplatform:budgetMonthlyUsd";

/**
 * A number from the stack's config. Under `pulumi preview --policy-pack` the CLI hands the pack
 * the stack's config in `PULUMI_CONFIG`, which @pulumi/pulumi's runtime config reads; the gate
 * puts the same config in the same place before it runs the policies.
 */
export function stackConfigNumber(key: string): { raw?: string; value?: number } {
  const raw = getConfig(key);
  return raw === undefined ? {} : { raw, value: toNumber(raw) };
}
