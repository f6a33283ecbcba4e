import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import type { Props } from "./values";

export type TypedValidation<P> = (
  props: P,
  args: ResourceValidationArgs,
  reportViolation: ReportViolation,
) => void;

/** One resource type (or several with the same shape) and how a policy validates it. */
export interface TypeCheck {
  readonly types: readonly string[];
  readonly validate: TypedValidation<Props>;
}

/**
 * Declares how a policy validates resources of `types`, whose properties have the shape `P`:
 * the subset of the provider's input type that the policy reads.
 */
export function on<P>(types: string | readonly string[], validate: TypedValidation<P>): TypeCheck {
  return {
    types: typeof types === "string" ? [types] : types,
    validate: (props, args, reportViolation) => validate(props as P, args, reportViolation),
  };
}

/**
 * A resource validation that runs the check for the resource's type and ignores other types. A
 * policy for a single type carries that type as `__pulumiType`, as the SDK's
 * `validateResourceOfType` does, so the analyzer skips other resources without calling it.
 */
export function validateTypes(...checks: TypeCheck[]): ResourceValidation {
  const byType = new Map<string, TypedValidation<Props>>();
  for (const check of checks) {
    for (const type of check.types) {
      byType.set(type, check.validate);
    }
  }
  const validation: ResourceValidation = (args, reportViolation) => {
    byType.get(args.type)?.(args.props, args, reportViolation);
  };
  if (byType.size === 1) {
    Object.assign(validation, { __pulumiType: [...byType.keys()][0] });
  }
  return validation;
}
