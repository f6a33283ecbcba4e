import * as artifactregistry from "@pulumi/gcp/artifactregistry";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerRegistryArgs, ContainerRegistryOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import { type GcpEncryption, type GcpPlacement, daysAsDuration } from "./common";

/** Image versions of each package the cleanup never deletes, however old. */
export const KEEP_RECENT_VERSIONS = 10;
/** Days an untagged image version is kept before the cleanup deletes it. */
export const UNTAGGED_IMAGE_DAYS = 7;

/** The role that pulls images, without pushing or deleting them. */
export const IMAGE_READER_ROLE = "roles/artifactregistry.reader";

export interface GcpContainerRegistryArgs
  extends ContainerRegistryArgs, GcpPlacement, GcpEncryption {
  /** IAM members that pull images (the runtime service account). */
  readers: pulumi.Input<string>[];
}

/** Cleanup: untagged images go after a week; the most recent versions always stay. */
export const CLEANUP_POLICIES: artifactregistry.RepositoryArgs["cleanupPolicies"] = [
  {
    id: "keep-recent-versions",
    action: "KEEP",
    mostRecentVersions: { keepCount: KEEP_RECENT_VERSIONS },
  },
  {
    id: "delete-untagged",
    action: "DELETE",
    condition: { tagState: "UNTAGGED", olderThan: daysAsDuration(UNTAGGED_IMAGE_DAYS) },
  },
];

/** The registry host of a region's Docker repositories. */
export function dockerHost(region: string): string {
  return `${region}-docker.pkg.dev`;
}

/**
 * The platform's container registry: a regional Artifact Registry Docker repository with
 * immutable tags, cleanup policies and the platform's key. Repository ids are unique per project
 * and region only, so the stack's unique suffix is not needed in the name.
 */
export class GcpContainerRegistry
  extends pulumi.ComponentResource
  implements ContainerRegistryOutputs
{
  /** Where images are pushed and pulled: `<region>-docker.pkg.dev/<project>/<repository>`. */
  public readonly registryUrl: pulumi.Output<string>;

  constructor(
    name: string,
    args: GcpContainerRegistryArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("mlplatform:gcp:ContainerRegistry", name, {}, opts);

    const repositoryId = physicalName(args.nameParts, NAME_RULES.gcpResourceId);
    const repository = new artifactregistry.Repository(
      `${name}-repository`,
      {
        project: args.project,
        location: args.region,
        repositoryId,
        format: "DOCKER",
        mode: "STANDARD_REPOSITORY",
        description: "Training and serving images of the ML platform.",
        dockerConfig: { immutableTags: true },
        cleanupPolicies: CLEANUP_POLICIES,
        cleanupPolicyDryRun: false,
        kmsKeyName: args.kmsKeyName,
        labels: blockTags(args.tags, "registry"),
      },
      statefulOptions(args.tier, this, { dependsOn: [args.keyAccess] }),
    );

    args.readers.forEach(
      (member, i) =>
        new artifactregistry.RepositoryIamMember(
          `${name}-reader-${i}`,
          {
            project: args.project,
            location: args.region,
            repository: repository.repositoryId,
            role: IMAGE_READER_ROLE,
            member,
          },
          { parent: this },
        ),
    );

    this.registryUrl = pulumi.interpolate`${dockerHost(args.region)}/${args.project}/${repository.repositoryId}`;
    this.registerOutputs({ registryUrl: this.registryUrl });
  }
}
