import type { ResourceValidationPolicy } from "@pulumi/policy";
import { catalogEntry, computeGroups, describeRef } from "../lib/compute";

export const instanceTypeInCatalog: ResourceValidationPolicy = {
  name: "instance-type-in-catalog",
  description:
    "Checks whether every instance, VM or machine type of a SageMaker endpoint configuration, Batch compute environment, Azure ML compute or online deployment, or Vertex AI pool or deployment is one the catalog lists for that cloud and use, so sizes, prices and policies agree.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    for (const group of computeGroups(args.type, args.props)) {
      for (const ref of group.instanceTypes) {
        if (catalogEntry(group, ref) !== undefined) {
          continue;
        }
        reportViolation(
          `${ref.path} must be a type the catalog lists for ${group.cloud} ${group.use} (npm run catalog); it is ${describeRef(ref)}. Pick a canonical size and use the type the catalog maps it to.`,
        );
      }
    }
  },
};
