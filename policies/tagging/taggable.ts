import { T, cloudOfType } from "../lib/types";
import type { Props } from "../lib/values";
import { tagProperty } from "../lib/tags";
import taggableTypes from "./taggable-types.json";

/**
 * Objects in a bucket take tags too, but they are billed and owned through their bucket, which
 * carries the tags; Azure blobs and GCS objects take none.
 */
const BUCKET_OBJECT_TYPES: readonly string[] = [
  "aws:s3/bucketObject:BucketObject",
  "aws:s3/bucketObjectv2:BucketObjectv2",
  "aws:s3/objectCopy:ObjectCopy",
];

/**
 * The resource types whose inputs take `tags` (AWS, Azure) or `labels` (GCP), as the providers'
 * input types declare them, in the modules the platform uses (`taggable-types.json`), less
 * bucket objects; and the platform's dynamic resources whose args take labels (the Vertex AI
 * model deployment labels the model it uploads).
 */
const TAGGABLE_TYPES: ReadonlySet<string> = new Set([
  ...taggableTypes.filter((type) => !BUCKET_OBJECT_TYPES.includes(type)),
  T.gcpVertexModelDeployment,
]);

/** Whether a resource takes tags: its type does, or it carries a tag map anyway. */
export function isTaggable(type: string, props: Props): boolean {
  if (cloudOfType(type) === undefined || BUCKET_OBJECT_TYPES.includes(type)) return false;
  return TAGGABLE_TYPES.has(type) || tagProperty(type) in props;
}
