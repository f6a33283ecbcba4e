import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { show } from "../lib/values";

interface BucketProps {
  publicAccessPrevention?: string;
}

export const gcsPublicAccessPrevention: ResourceValidationPolicy = {
  name: "gcs-public-access-prevention",
  description:
    "Checks whether every Cloud Storage bucket enforces public access prevention, so no grant can make it public (CIS GCP 5.1, Checkov CKV_GCP_114).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<BucketProps>(T.gcpBucket, (props, _, reportViolation) => {
      if (props.publicAccessPrevention !== "enforced") {
        reportViolation(
          `publicAccessPrevention must be "enforced" so allUsers and allAuthenticatedUsers grants are refused; it is ${show(props.publicAccessPrevention)}.`,
        );
      }
    }),
  ),
};
