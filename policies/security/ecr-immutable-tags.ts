import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { show } from "../lib/values";

interface RepositoryProps {
  imageTagMutability?: string;
}

const IMMUTABLE = ["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"];

export const ecrImmutableTags: ResourceValidationPolicy = {
  name: "ecr-immutable-tags",
  description:
    "Checks whether every ECR repository makes image tags immutable, so a tag always names the image that was scanned and deployed (Security Hub ECR.2, Checkov CKV_AWS_51).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<RepositoryProps>(T.awsEcrRepository, (props, _, reportViolation) => {
      if (!IMMUTABLE.includes(props.imageTagMutability ?? "MUTABLE")) {
        reportViolation(
          `imageTagMutability must be "IMMUTABLE" so a pushed tag cannot be overwritten; it is ${show(props.imageTagMutability ?? "MUTABLE")}.`,
        );
      }
    }),
  ),
};
