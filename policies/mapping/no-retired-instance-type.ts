import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRetired } from "../catalog";
import { catalogEntry, computeGroups } from "../lib/compute";

interface RetirementConfig {
  asOfDate?: string;
}

/** Today as an ISO date, in UTC as the catalog's retirement dates are. */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export const noRetiredInstanceType: ResourceValidationPolicy = {
  name: "no-retired-instance-type",
  description:
    "Checks whether a compute resource runs an instance, VM or machine type its cloud has retired, which can no longer be provisioned.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      asOfDate: {
        type: "string",
        pattern: "^\\d{4}-\\d{2}-\\d{2}$",
        description:
          "The day (YYYY-MM-DD) retirements are judged on: a type retired on or before it is refused. Leave it out to judge on the day the policy runs.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const asOfDate = args.getConfig<RetirementConfig>().asOfDate ?? today();
    for (const group of computeGroups(args.type, args.props)) {
      for (const ref of group.instanceTypes) {
        const row = catalogEntry(group, ref);
        if (row?.retirement && isRetired(row, asOfDate)) {
          reportViolation(
            `${ref.path} must be a type ${group.cloud} still offers; ${row.instanceType} was retired on ${row.retirement.date} (${row.retirement.source}). Use the catalog's type for the size you need (npm run catalog).`,
          );
        }
      }
    }
  },
};
