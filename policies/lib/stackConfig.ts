import { allConfig, getConfig } from "@pulumi/pulumi/runtime/config";
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

/**
 * Whether the pack was handed any stack config at all. The CLI passes a stack's config as JSON
 * in `PULUMI_CONFIG` (pulumi/pulumi `pkg/resource/plugin/analyzer_plugin.go`, `constructEnv`, and
 * the Node.js language host's `RunPlugin`); a pack run without a stack, or for a stack with no
 * config, gets none.
 */
export function hasStackConfig(): boolean {
  return Object.keys(allConfig()).length > 0;
}
