import type { StackValidationPolicy } from "@pulumi/policy";
import { StackGraph } from "../lib/stack";
import { T } from "../lib/types";
import { show } from "../lib/values";

const SETTINGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

type PublicAccessBlockProps = Partial<Record<(typeof SETTINGS)[number], boolean>>;

const BUCKETS = new Set<string>([T.awsBucket, T.awsBucketV2]);

export const s3BlockPublicAccess: StackValidationPolicy = {
  name: "s3-block-public-access",
  description:
    "Checks whether every S3 bucket has a public access block with all four settings on (Security Hub S3.8, Checkov CKV_AWS_53 to CKV_AWS_56).",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const graph = new StackGraph(args.resources);
    for (const bucket of args.resources.filter((r) => BUCKETS.has(r.type))) {
      const blocks = graph
        .dependentsOf(bucket)
        .filter((r) => r.type === T.awsBucketPublicAccessBlock);
      if (blocks.length === 0) {
        reportViolation(
          `the bucket must have a public access block (${T.awsBucketPublicAccessBlock}) with ${SETTINGS.join(", ")} all true; it has none.`,
          bucket.urn,
        );
      }
      for (const block of blocks) {
        const props = block.props as PublicAccessBlockProps;
        for (const setting of SETTINGS) {
          if (props[setting] !== true) {
            reportViolation(
              `${setting} must be true so the bucket cannot be made public; it is ${show(props[setting])}.`,
              block.urn,
            );
          }
        }
      }
    }
  },
};
