import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { setAllConfig } from "@pulumi/pulumi/runtime/config";
import { analyzeStack } from "../../engine/gate/analyze";
import { type AnalyzerResource, fromStackExport } from "../../engine/gate/input";
import { reconcilePolicyConfig } from "../../engine/gate/policyConfig";
import type { ExportedResource, StackExport } from "../../engine/plan";
import { DEV_SHAPE, PROD_SHAPE, type PlatformShape, platformExport } from "../gate/fixtures";

type Policy = ResourceValidationPolicy | StackValidationPolicy;

/** A violation as a test asserts it: which resource, and the exact message. */
export interface Finding {
  urn: string;
  message: string;
}

/**
 * Runs one policy over resources as the analyzer would: props behind `unknownCheckingProxy`,
 * the policy's config filled with its schema's defaults and then `config`, the stack's config
 * (`mlplatform:budgetMonthlyUsd`...) where the policies read it.
 */
export async function check(
  policy: Policy,
  resources: readonly AnalyzerResource[],
  options: { config?: Record<string, unknown>; stackConfig?: Record<string, string> } = {},
): Promise<Finding[]> {
  setAllConfig(options.stackConfig ?? {}, []);
  const config = reconcilePolicyConfig(
    [policy],
    "advisory",
    { [policy.name]: { enforcementLevel: "mandatory", properties: options.config ?? {} } },
    "test config",
  );
  const violations = await analyzeStack(resources, [policy], config, {
    name: "mlplatform",
    version: "0.1.0",
    enforcementLevel: "advisory",
  });
  return violations.map((v) => ({ urn: v.urn, message: v.message }));
}

/** A compliant plan of the platform on all three clouds, as resources the gate analyzes. */
export function plan(shape: PlatformShape = PROD_SHAPE): AnalyzerResource[] {
  return fromStackExport(platformExport(shape));
}

export const prodPlan = (): AnalyzerResource[] => plan(PROD_SHAPE);
export const devPlan = (): AnalyzerResource[] => plan(DEV_SHAPE);

/**
 * A compliant plan with one resource changed: `change` edits the exported resource (its inputs,
 * its `protect` flag). Returns the plan and the changed resource's URN.
 */
export function planWith(
  name: string,
  change: (resource: ExportedResource) => void,
  shape: PlatformShape = PROD_SHAPE,
): { resources: AnalyzerResource[]; urn: string } {
  const stackExport: StackExport = platformExport(shape);
  const resource = stackExport.deployment.resources.find((r) => r.urn.endsWith(`::${name}`));
  if (resource === undefined) {
    throw new Error(`the plan has no resource named ${name}`);
  }
  change(resource);
  return { resources: fromStackExport(stackExport), urn: resource.urn };
}

/** The URN of a resource of the plan by name. */
export function urnOf(resources: readonly AnalyzerResource[], name: string): string {
  const resource = resources.find((r) => r.name === name);
  if (resource === undefined) throw new Error(`the plan has no resource named ${name}`);
  return resource.urn;
}

/** The stack's root URN in plans of a shape. */
export function rootUrn(shape: PlatformShape = PROD_SHAPE): string {
  return `urn:pulumi:${shape.stack}::mlplatform::pulumi:pulumi:Stack::mlplatform-${shape.stack}`;
}

/** A resource outside the platform's plan, to add to one. */
export function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  options: { protect?: boolean; dependencies?: string[]; stack?: string } = {},
): AnalyzerResource {
  return {
    urn: `urn:pulumi:${options.stack ?? PROD_SHAPE.stack}::mlplatform::${type}::${name}`,
    type,
    name,
    inputs,
    outputs: inputs,
    protect: options.protect ?? false,
    dependencies: options.dependencies ?? [],
    propertyDependencies: {},
  };
}
