import type {
  EnforcementLevel,
  Policies,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  deserializeProperties,
  isTypeOf,
  providerOf,
  proxied,
  resourceOptions,
  stackResources,
} from "./args";
import type { AnalyzerResource } from "./input";
import type { ReconciledConfig } from "./policyConfig";
import { UnknownValueError } from "./sdk";

/** A policy violation as the gate reports it. */
export interface Violation {
  policy: string;
  level: "advisory" | "mandatory";
  /** The resource the violation is about; the stack's root resource for a stack-wide one. */
  urn: string;
  message: string;
}

/** The pack as the analyzer names it in diagnostics. */
export interface PackInfo {
  name: string;
  version: string;
  /** The pack's default level for policies that set none. */
  enforcementLevel: EnforcementLevel;
}

/** A policy that said it does not apply (`notApplicable(reason)`), once per reason. */
export interface NotApplicable {
  policy: string;
  reason: string;
}

/** Thrown by `notApplicable()`: the policy does not apply; it reports nothing. */
class NotApplicableError extends Error {}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicableError(reason ?? "Policy does not apply");
}

function isResourcePolicy(
  policy: ResourceValidationPolicy | StackValidationPolicy,
): policy is ResourceValidationPolicy {
  const validation = (policy as ResourceValidationPolicy).validateResource;
  return (
    typeof validation === "function" ||
    (Array.isArray(validation) && validation.every((v) => typeof v === "function"))
  );
}

function isStackPolicy(
  policy: ResourceValidationPolicy | StackValidationPolicy,
): policy is StackValidationPolicy {
  return typeof (policy as StackValidationPolicy).validateStack === "function";
}

function pulumiTypeOf(validation: unknown): string | undefined {
  const type = (validation as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof type === "string" && type.length > 0 ? type : undefined;
}

/** The level a policy runs at, as the analyzer picks it; `remediate` reports as mandatory. */
function levelOf(
  policy: { name: string; enforcementLevel?: EnforcementLevel },
  config: Record<string, ReconciledConfig>,
  pack: PackInfo,
): Exclude<EnforcementLevel, "remediate"> {
  const level =
    config[policy.name]?.enforcementLevel || policy.enforcementLevel || pack.enforcementLevel;
  return level === "remediate" ? "mandatory" : level;
}

interface Runner {
  policy: { name: string; description: string };
  level: "advisory" | "mandatory";
  getConfig: <T extends object>() => T;
}

/**
 * Runs the pack's policies over a stack's resources as the Pulumi CLI drives a policy pack:
 * `Analyze` for every resource with its inputs, then `AnalyzeStack` with every resource's
 * outputs. Mirrors @pulumi/policy's analyzer (`server.js`): props behind the unknown-checking
 * proxy, config as `Configure` delivered it, an unknown value turned into an advisory "can't run
 * during preview", `notApplicable()` reporting nothing but its reason, which goes into
 * `notApplicable` when given.
 */
export async function analyzeStack(
  resources: readonly AnalyzerResource[],
  policies: Policies,
  config: Record<string, ReconciledConfig>,
  pack: PackInfo,
  notApplicable: NotApplicable[] = [],
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const skipped = (policy: string, err: NotApplicableError) => {
    if (!notApplicable.some((n) => n.policy === policy && n.reason === err.message)) {
      notApplicable.push({ policy, reason: err.message });
    }
  };
  const packRef = `'${pack.name}@v${pack.version}'`;
  const runner = (policy: ResourceValidationPolicy | StackValidationPolicy): Runner | undefined => {
    const level = levelOf(policy, config, pack);
    if (level === "disabled") return undefined;
    const properties = config[policy.name]?.properties ?? {};
    return {
      policy,
      level,
      getConfig: <T extends object>() => ({ ...properties }) as T,
    };
  };
  const report =
    (run: Runner, defaultUrn: string): ReportViolation =>
    (message: string, urn?: string) => {
      violations.push({
        policy: run.policy.name,
        level: run.level,
        urn: urn ?? defaultUrn,
        message: message === "" ? run.policy.description : message,
      });
    };
  const cannotRun = (run: Runner, urn: string, err: Error) => {
    violations.push({
      policy: run.policy.name,
      level: "advisory",
      urn,
      message: `can't run policy '${run.policy.name}' from policy pack ${packRef} during preview: ${err.message}`,
    });
  };

  const resourcePolicies = policies
    .filter(isResourcePolicy)
    .map((policy) => ({ policy, run: runner(policy) }))
    .filter((p): p is { policy: ResourceValidationPolicy; run: Runner } => p.run !== undefined);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  for (const resource of resources) {
    const props = deserializeProperties(resource.inputs);
    const opts = resourceOptions(resource, true);
    const provider = providerOf(resource, byUrn);
    for (const { policy, run } of resourcePolicies) {
      const validations: ResourceValidation[] = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : [policy.validateResource as ResourceValidation];
      if (!Array.isArray(policy.validateResource)) {
        const type = pulumiTypeOf(policy.validateResource);
        if (type !== undefined && type !== resource.type) continue;
      }
      for (const validation of validations) {
        const wrapped = proxied(props);
        const args: ResourceValidationArgs = {
          type: resource.type,
          props: wrapped,
          urn: resource.urn,
          name: resource.name,
          opts,
          stackTags: new Map(),
          isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
          asType: ((resourceClass: unknown) =>
            isTypeOf(resource.type, resourceClass)
              ? wrapped
              : undefined) as ResourceValidationArgs["asType"],
          getConfig: run.getConfig,
          notApplicable: throwNotApplicable,
        };
        if (provider !== undefined) args.provider = provider;
        try {
          await validation(args, report(run, resource.urn));
        } catch (err) {
          if (err instanceof UnknownValueError) {
            cannotRun(run, resource.urn, err);
          } else if (err instanceof NotApplicableError) {
            skipped(policy.name, err);
          } else {
            throw new Error(
              `Error validating resource with policy '${policy.name}' from policy pack ${packRef}: ${(err as Error).stack ?? String(err)}`,
            );
          }
        }
      }
    }
  }

  const stackPolicies = policies.filter(isStackPolicy);
  if (stackPolicies.length === 0) return violations;
  const stack = stackResources(resources);
  const rootUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
  for (const policy of stackPolicies) {
    const run = runner(policy);
    if (run === undefined) continue;
    const type = pulumiTypeOf(policy.validateStack);
    if (type !== undefined && !resources.some((r) => r.type === type)) continue;
    const args: StackValidationArgs = {
      resources: stack,
      getConfig: run.getConfig,
      stackTags: new Map(),
      notApplicable: throwNotApplicable,
    };
    try {
      await policy.validateStack(args, report(run, rootUrn));
    } catch (err) {
      if (err instanceof UnknownValueError) {
        cannotRun(run, rootUrn, err);
      } else if (err instanceof NotApplicableError) {
        skipped(policy.name, err);
      } else {
        throw new Error(
          `Error validating stack with policy '${policy.name}' from policy pack ${packRef}: ${(err as Error).stack ?? String(err)}`,
        );
      }
    }
  }
  return violations;
}
