import * as ecr from "@pulumi/aws/ecr";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerRegistryArgs, ContainerRegistryOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import { type AwsPlacement, policyDocument } from "./common";

/** Days an untagged image (a layer set no tag points to any more) is kept. */
export const UNTAGGED_IMAGE_DAYS = 14;

/** Tagged images kept; older ones expire first. */
export const TAGGED_IMAGES_KEPT = 200;

/** The repository's name: project, stack and the platform's stable suffix. */
export function repositoryName(nameParts: readonly string[], uniqueSuffix: string): string {
  return physicalName(nameParts, NAME_RULES.ecrRepository, uniqueSuffix);
}

export interface AwsContainerRegistryArgs
  extends ContainerRegistryArgs, Pick<AwsPlacement, "nameParts"> {
  /** The platform key, which encrypts the images. */
  kmsKeyArn: pulumi.Input<string>;
  /** Name of the SageMaker execution role that pushes and pulls images. */
  executionRoleName: pulumi.Input<string>;
}

/**
 * The platform's ECR repository: private, images scanned on push, tags immutable, encrypted with
 * the platform key, and a lifecycle policy that expires untagged images and caps tagged ones.
 */
export class AwsContainerRegistry
  extends pulumi.ComponentResource
  implements ContainerRegistryOutputs
{
  public readonly registryUrl: pulumi.Output<string>;

  constructor(
    name: string,
    args: AwsContainerRegistryArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("mlplatform:aws:ContainerRegistry", name, {}, opts);

    const tags = blockTags(args.tags, "registry");

    const repository = new ecr.Repository(
      `${name}-repository`,
      {
        name: pulumi.output(args.uniqueSuffix).apply((s) => repositoryName(args.nameParts, s)),
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
        forceDelete: args.tier === "dev",
        tags,
      },
      statefulOptions(args.tier, this),
    );

    new ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      {
        repository: repository.name,
        policy: {
          rules: [
            {
              rulePriority: 1,
              description: `Expire untagged images after ${UNTAGGED_IMAGE_DAYS} days`,
              selection: {
                tagStatus: "untagged",
                countType: "sinceImagePushed",
                countUnit: "days",
                countNumber: UNTAGGED_IMAGE_DAYS,
              },
              action: { type: "expire" },
            },
            {
              rulePriority: 2,
              description: `Keep the newest ${TAGGED_IMAGES_KEPT} images`,
              selection: {
                tagStatus: "any",
                countType: "imageCountMoreThan",
                countNumber: TAGGED_IMAGES_KEPT,
              },
              action: { type: "expire" },
            },
          ],
        },
      },
      { parent: this },
    );

    new iam.RolePolicy(
      `${name}-execution-access`,
      {
        role: args.executionRoleName,
        name: "platform-repository",
        policy: policyDocument([
          {
            Sid: "GetRegistryToken",
            Effect: "Allow",
            Action: "ecr:GetAuthorizationToken",
            Resource: "*",
          },
          {
            Sid: "PushPullPlatformRepository",
            Effect: "Allow",
            Action: [
              "ecr:BatchCheckLayerAvailability",
              "ecr:BatchGetImage",
              "ecr:CompleteLayerUpload",
              "ecr:DescribeImages",
              "ecr:GetDownloadUrlForLayer",
              "ecr:InitiateLayerUpload",
              "ecr:PutImage",
              "ecr:UploadLayerPart",
            ],
            Resource: repository.arn,
          },
        ]),
      },
      { parent: this },
    );

    this.registryUrl = repository.repositoryUrl;
    this.registerOutputs({ registryUrl: this.registryUrl });
  }
}
