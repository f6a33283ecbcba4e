import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import type { StorageArgs, StorageOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import type { Tier } from "../../policies/platform";
import { type GcpEncryption, type GcpPlacement, SECONDS_PER_DAY } from "./common";

/** Days an overwritten or deleted object version is kept before the lifecycle deletes it. */
export const NONCURRENT_VERSION_DAYS = 30;
/** Noncurrent versions kept per object; older ones are deleted at once. */
export const NEWER_VERSIONS_KEPT = 3;
/** Days an unfinished multipart upload may linger before it is aborted. */
export const INCOMPLETE_UPLOAD_DAYS = 7;
/** Days a deleted object can still be restored (soft delete): longer in prod. */
export const SOFT_DELETE_DAYS: Record<Tier, number> = { dev: 7, prod: 30 };

/** The role that reads, writes and deletes objects, without changing the bucket or its IAM. */
export const OBJECT_USER_ROLE = "roles/storage.objectUser";
/** The role that reads objects and nothing more. */
export const OBJECT_VIEWER_ROLE = "roles/storage.objectViewer";

export interface GcpStorageArgs extends StorageArgs, GcpPlacement, GcpEncryption {
  /** IAM members that read and write objects (the runtime service account). */
  objectUsers: pulumi.Input<string>[];
  /** IAM members that only read objects (the serving service account, which loads models). */
  objectViewers: pulumi.Input<string>[];
}

/** The bucket's lifecycle: prune old versions and abandoned uploads, never current objects. */
export const LIFECYCLE_RULES: storage.BucketArgs["lifecycleRules"] = [
  {
    action: { type: "Delete" },
    condition: { daysSinceNoncurrentTime: NONCURRENT_VERSION_DAYS, withState: "ARCHIVED" },
  },
  {
    action: { type: "Delete" },
    condition: { numNewerVersions: NEWER_VERSIONS_KEPT, withState: "ARCHIVED" },
  },
  {
    action: { type: "AbortIncompleteMultipartUpload" },
    condition: { age: INCOMPLETE_UPLOAD_DAYS },
  },
];

/**
 * The platform's object store: one regional GCS bucket with uniform bucket-level access, public
 * access prevention enforced, versioning, a lifecycle for old versions, soft delete, and the
 * platform's key as its default encryption. Its name is globally unique through the stack's
 * stable random suffix.
 */
export class GcpStorage extends pulumi.ComponentResource implements StorageOutputs {
  /** The bucket's name. */
  public readonly storageName: pulumi.Output<string>;

  constructor(name: string, args: GcpStorageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("mlplatform:gcp:Storage", name, {}, opts);

    const prod = args.tier === "prod";
    const bucket = new storage.Bucket(
      `${name}-bucket`,
      {
        project: args.project,
        location: args.region,
        name: pulumi
          .output(args.uniqueSuffix)
          .apply((suffix) => physicalName(args.nameParts, NAME_RULES.gcsBucket, suffix)),
        storageClass: "STANDARD",
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        versioning: { enabled: true },
        encryption: { defaultKmsKeyName: args.kmsKeyName },
        softDeletePolicy: {
          retentionDurationSeconds: SOFT_DELETE_DAYS[args.tier] * SECONDS_PER_DAY,
        },
        lifecycleRules: LIFECYCLE_RULES,
        // A dev bucket may be torn down with its objects; a prod bucket must be emptied first.
        forceDestroy: !prod,
        labels: blockTags(args.tags, "storage"),
      },
      statefulOptions(args.tier, this, { dependsOn: [args.keyAccess] }),
    );

    const grants: [string, string, pulumi.Input<string>[]][] = [
      ["object-user", OBJECT_USER_ROLE, args.objectUsers],
      ["object-viewer", OBJECT_VIEWER_ROLE, args.objectViewers],
    ];
    for (const [grant, role, members] of grants) {
      members.forEach(
        (member, i) =>
          new storage.BucketIAMMember(
            `${name}-${grant}-${i}`,
            { bucket: bucket.name, role, member },
            { parent: this },
          ),
      );
    }

    this.storageName = bucket.name;
    this.registerOutputs({ storageName: this.storageName });
  }
}
