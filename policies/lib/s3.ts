import { isRecord, listOf, peek } from "./values";

interface EncryptionByDefault {
  sseAlgorithm?: string;
}

/**
 * A bucket's own encryption and versioning settings, in both shapes the AWS provider takes
 * inline (@pulumi/aws `s3/bucket.d.ts` and `s3/bucketV2.d.ts`): `aws:s3/bucket:Bucket` has
 * singular blocks, `aws:s3/bucketV2:BucketV2` lists (`serverSideEncryptionConfigurations[]
 * .rules[].applyServerSideEncryptionByDefaults[]`, `versionings[]`).
 */
interface InlineBucketProps {
  serverSideEncryptionConfiguration?: {
    rule?: { applyServerSideEncryptionByDefault?: EncryptionByDefault };
  };
  serverSideEncryptionConfigurations?: {
    rules?: { applyServerSideEncryptionByDefaults?: EncryptionByDefault[] }[];
  }[];
  versioning?: { enabled?: boolean };
  versionings?: { enabled?: boolean }[];
}

/**
 * The bucket's inline settings as the engine sent them: in a preview the provider computes the
 * ones a program leaves out, so they are unknown until the bucket exists, and a bucket
 * configured by separate resources must still be judged by those.
 */
function inline(props: object): InlineBucketProps {
  const keys = [
    "serverSideEncryptionConfiguration",
    "serverSideEncryptionConfigurations",
    "versioning",
    "versionings",
  ];
  const known = keys
    .map((key) => [key, peek(props, key)])
    .filter(([, value]) => isRecord(value) || Array.isArray(value));
  return Object.fromEntries(known) as InlineBucketProps;
}

/** The default encryption algorithms a bucket sets inline, in either shape. */
export function inlineSseAlgorithms(props: object): (string | undefined)[] {
  const bucket = inline(props);
  const singular =
    bucket.serverSideEncryptionConfiguration?.rule?.applyServerSideEncryptionByDefault;
  const plural = listOf(bucket.serverSideEncryptionConfigurations)
    .flatMap((c) => listOf(c.rules))
    .flatMap((r) => listOf(r.applyServerSideEncryptionByDefaults));
  return [...(singular === undefined ? [] : [singular]), ...plural].map((d) => d.sseAlgorithm);
}

/** Whether a bucket turns versioning on inline, in either shape. */
export function inlineVersioningEnabled(props: object): boolean {
  const bucket = inline(props);
  return (
    bucket.versioning?.enabled === true ||
    listOf(bucket.versionings).some((v) => v.enabled === true)
  );
}
