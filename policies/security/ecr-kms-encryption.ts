import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { listOf, show } from "../lib/values";

interface RepositoryProps {
  encryptionConfigurations?: { encryptionType?: string; kmsKey?: string }[];
}

export const ecrKmsEncryption: ResourceValidationPolicy = {
  name: "ecr-kms-encryption",
  description:
    "Checks whether every ECR repository encrypts its images with AWS KMS keys rather than the default AES-256 (Security Hub ECR.5, Checkov CKV_AWS_136).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<RepositoryProps>(T.awsEcrRepository, (props, _, reportViolation) => {
      // ECR encrypts with AES256 when the repository sets no encryptionType (@pulumi/aws
      // ecr RepositoryEncryptionConfiguration: "Defaults to `AES256`").
      const types = listOf(props.encryptionConfigurations).map((c) => c.encryptionType ?? "AES256");
      if (types.includes("KMS")) return;
      reportViolation(
        `encryptionConfigurations[].encryptionType must be "KMS" so images are encrypted with a KMS key; it is ${types.length === 0 ? "not set (AES256)" : types.map(show).join(", ")}.`,
      );
    }),
  ),
};
