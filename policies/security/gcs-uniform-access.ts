import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { show } from "../lib/values";

interface BucketProps {
  uniformBucketLevelAccess?: boolean;
}

export const gcsUniformAccess: ResourceValidationPolicy = {
  name: "gcs-uniform-access",
  description:
    "Checks whether every Cloud Storage bucket has uniform bucket-level access, so IAM alone decides who reads its objects (CIS GCP 5.2, Checkov CKV_GCP_29).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<BucketProps>(T.gcpBucket, (props, _, reportViolation) => {
      if (props.uniformBucketLevelAccess !== true) {
        reportViolation(
          `uniformBucketLevelAccess must be true so object ACLs cannot grant access around IAM; it is ${show(props.uniformBucketLevelAccess)}.`,
        );
      }
    }),
  ),
};
