import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRetired } from "../../components/catalog";
import { catalogEntry, computeGroups } from "../lib/compute";

export const noRetiredInstanceType: ResourceValidationPolicy = {
  name: "no-retired-instance-type",
  description:
    "Checks whether a compute resource runs an instance, VM or machine type its cloud has retired, which can no longer be provisioned.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const today = new Date().toISOString().slice(0, 10);
    for (const group of computeGroups(args.type, args.props)) {
      for (const ref of group.instanceTypes) {
        const row = catalogEntry(group, ref);
        if (row?.retirement && isRetired(row, today)) {
          reportViolation(
            `${ref.path} must be a type ${group.cloud} still offers; ${row.instanceType} was retired on ${row.retirement.date} (${row.retirement.source}). Use the catalog's type for the size you need (npm run catalog).`,
          );
        }
      }
    }
  },
};
