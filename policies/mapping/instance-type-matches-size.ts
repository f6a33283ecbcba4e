import type { ResourceValidationPolicy } from "@pulumi/policy";
import { SIZE_NAMES, isSizeName, resolveInstance, unavailableReason } from "../catalog";
import { TAG } from "../platform";
import { type InstanceTypeRef, computeGroups, describeRef } from "../lib/compute";
import { tagProperty, tagsOf } from "../lib/tags";
import { show } from "../lib/values";

export const instanceTypeMatchesSize: ResourceValidationPolicy = {
  name: "instance-type-matches-size",
  description: `Checks whether a compute resource marked with a canonical size (the ${TAG.size} tag or label) runs the type the catalog maps that size to on its cloud, so the mark the cost model and the cross-cloud check read is true.`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const groups = computeGroups(args.type, args.props);
    if (groups.length === 0) return;
    const size = tagsOf(args.type, args.props)?.[TAG.size];
    if (size === undefined) return;
    const where = `${tagProperty(args.type)}.${TAG.size}`;
    if (typeof size !== "string" || !isSizeName(size)) {
      reportViolation(
        `${where} must be a canonical size (${SIZE_NAMES.join(", ")}); it is ${show(size)}.`,
      );
      return;
    }
    for (const group of groups) {
      const unavailable = unavailableReason(size, group.cloud, group.use);
      if (unavailable !== undefined) {
        reportViolation(
          `${where} must be a size ${group.cloud} offers for ${group.use}; ${size} is not: ${unavailable}.`,
        );
        continue;
      }
      const row = resolveInstance(size, group.cloud, group.use);
      const expected: InstanceTypeRef = {
        value: row.instanceType,
        path: "",
        acceleratorType: row.accelerator?.type,
        acceleratorCount: row.accelerator?.count,
      };
      for (const ref of group.instanceTypes) {
        const matches =
          ref.value === expected.value &&
          ref.acceleratorType === expected.acceleratorType &&
          (expected.acceleratorType === undefined ||
            (ref.acceleratorCount ?? 1) === expected.acceleratorCount);
        if (!matches) {
          reportViolation(
            `${ref.path} must be ${describeRef(expected)}, the catalog's ${group.cloud} ${group.use} type for size ${size} (${where}); it is ${describeRef(ref)}.`,
          );
        }
      }
    }
  },
};
