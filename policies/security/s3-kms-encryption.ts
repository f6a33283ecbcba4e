import type { StackValidationPolicy } from "@pulumi/policy";
import { inlineSseAlgorithms } from "../lib/s3";
import { StackGraph } from "../lib/stack";
import { T } from "../lib/types";
import { listOf, show } from "../lib/values";

interface EncryptionByDefault {
  applyServerSideEncryptionByDefault?: { sseAlgorithm?: string };
}

interface EncryptionConfigurationProps {
  rules?: EncryptionByDefault[];
}

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];
const BUCKETS = new Set<string>([T.awsBucket, T.awsBucketV2]);
const ENCRYPTION = new Set<string>([T.awsBucketEncryption, T.awsBucketEncryptionV2]);

export const s3KmsEncryption: StackValidationPolicy = {
  name: "s3-kms-encryption",
  description:
    "Checks whether every S3 bucket encrypts objects by default with AWS KMS keys (SSE-KMS) (Security Hub S3.17, Checkov CKV_AWS_145).",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const graph = new StackGraph(args.resources);
    for (const bucket of args.resources.filter((r) => BUCKETS.has(r.type))) {
      const algorithms = [
        ...inlineSseAlgorithms(bucket.props),
        ...graph
          .dependentsOf(bucket)
          .filter((r) => ENCRYPTION.has(r.type))
          .flatMap((r) => listOf((r.props as EncryptionConfigurationProps).rules))
          .map((rule) => rule.applyServerSideEncryptionByDefault?.sseAlgorithm),
      ];
      if (algorithms.some((a) => a !== undefined && KMS_ALGORITHMS.includes(a))) continue;
      reportViolation(
        algorithms.length === 0
          ? `the bucket must encrypt objects with SSE-KMS (a ${T.awsBucketEncryption} whose sseAlgorithm is "aws:kms"); it has no server-side encryption configuration.`
          : `sseAlgorithm must be "aws:kms" or "aws:kms:dsse" so objects are encrypted with KMS keys; it is ${algorithms.map(show).join(", ")}.`,
        bucket.urn,
      );
    }
  },
};
