import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import type { StorageArgs, StorageOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import { type AwsPlacement, bucketAccessStatements, policyDocument } from "./common";

/** Days a replaced or deleted object version is kept before it expires. */
export const NONCURRENT_VERSION_DAYS = { dev: 30, prod: 90 } as const;

/** Days after which an unfinished multipart upload is aborted and its parts deleted. */
export const ABORT_MULTIPART_DAYS = 7;

/** Where endpoints write captured requests and responses, one folder per endpoint. */
export const DATA_CAPTURE_PREFIX = "data-capture/";

/** Days a captured request or response is kept; monitoring looks at recent traffic only. */
export const DATA_CAPTURE_DAYS = { dev: 30, prod: 90 } as const;

/** Bucket name starts S3 refuses, besides what the name rule already excludes. */
const S3_RESERVED_PREFIXES = ["sthree-", "amzn-s3-demo-"];

/**
 * The bucket's globally unique name: project, stack and the stable random suffix. A name that
 * would start with a prefix S3 reserves gets a leading `m-`.
 */
export function bucketName(nameParts: readonly string[], uniqueSuffix: string): string {
  const name = physicalName(nameParts, NAME_RULES.s3Bucket, uniqueSuffix);
  return S3_RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))
    ? physicalName(["m", ...nameParts], NAME_RULES.s3Bucket, uniqueSuffix)
    : name;
}

export interface AwsStorageArgs extends StorageArgs, Pick<AwsPlacement, "nameParts"> {
  /** The platform key, the bucket's default encryption. */
  kmsKeyArn: pulumi.Input<string>;
  /** Name of the SageMaker execution role that reads and writes the bucket. */
  executionRoleName: pulumi.Input<string>;
}

/**
 * The platform's S3 bucket: SSE-KMS with the platform key and a bucket key, versioning, all four
 * public access blocks, owner-enforced object ownership (no ACLs), a lifecycle that expires old
 * versions and captured endpoint data and aborts stale uploads, and a policy that refuses
 * requests without TLS 1.2. In prod the bucket and every one of these settings are protected
 * and retained together.
 */
export class AwsStorage extends pulumi.ComponentResource implements StorageOutputs {
  /** The bucket's name. */
  public readonly storageName: pulumi.Output<string>;
  /** The bucket's ARN, for the grants of the training and endpoint roles. */
  public readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: AwsStorageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("mlplatform:aws:Storage", name, {}, opts);

    const tags = blockTags(args.tags, "storage");

    // The bucket's settings (public access block, encryption, TLS policy...) are resources of
    // their own: a retained prod bucket keeps them too, or destroy would strip them from it.
    const keptWithBucket = statefulOptions(args.tier, this);
    const bucket = new s3.Bucket(
      `${name}-bucket`,
      {
        bucket: pulumi.output(args.uniqueSuffix).apply((s) => bucketName(args.nameParts, s)),
        forceDestroy: args.tier === "dev",
        tags,
      },
      keptWithBucket,
    );

    const publicAccess = new s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      keptWithBucket,
    );
    const ownership = new s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      keptWithBucket,
    );
    const encryption = new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: args.kmsKeyArn,
            },
            bucketKeyEnabled: true,
          },
        ],
      },
      keptWithBucket,
    );
    const versioning = new s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      keptWithBucket,
    );
    new s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS[args.tier] },
          },
          {
            id: "expire-data-capture",
            status: "Enabled",
            filter: { prefix: DATA_CAPTURE_PREFIX },
            expiration: { days: DATA_CAPTURE_DAYS[args.tier] },
          },
          {
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
          },
        ],
      },
      { ...keptWithBucket, dependsOn: [versioning] },
    );
    const objects = pulumi.interpolate`${bucket.arn}/*`;
    const policy = new s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: policyDocument([
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, objects],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
          {
            Sid: "DenyOutdatedTls",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, objects],
            Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
          },
        ]),
      },
      // S3 refuses a bucket policy while the public access block is still being applied.
      { ...keptWithBucket, dependsOn: [publicAccess] },
    );

    new iam.RolePolicy(
      `${name}-execution-access`,
      {
        role: args.executionRoleName,
        name: "platform-bucket",
        policy: policyDocument(bucketAccessStatements(bucket.arn, { deleteObjects: true })),
      },
      { parent: this },
    );

    // Users of the name wait until the bucket is encrypted, versioned, private and TLS-only.
    this.storageName = pulumi
      .all([bucket.bucket, publicAccess.id, ownership.id, encryption.id, versioning.id, policy.id])
      .apply(([name]) => name);
    this.bucketArn = bucket.arn;
    this.registerOutputs({ storageName: this.storageName, bucketArn: this.bucketArn });
  }
}
