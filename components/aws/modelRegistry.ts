import * as iam from "@pulumi/aws/iam";
import * as sagemaker from "@pulumi/aws/sagemaker";
import * as pulumi from "@pulumi/pulumi";
import type { ModelRegistryArgs, ModelRegistryOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import { type AwsPlacement, policyDocument } from "./common";

/** The model package group of one model. */
export function modelPackageGroupName(nameParts: readonly string[], model: string): string {
  return physicalName([...nameParts, model], NAME_RULES.sagemaker);
}

/**
 * The ARN pattern of the packages in a group, taken from the group's own ARN so that it has the
 * casing SageMaker gives it.
 */
export function packagesOf(groupArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi
    .output(groupArn)
    .apply((arn) => `${arn.replace(":model-package-group/", ":model-package/")}/*`);
}

export interface AwsModelRegistryArgs extends ModelRegistryArgs, Pick<AwsPlacement, "nameParts"> {
  /** Name of the SageMaker execution role that registers model versions. */
  executionRoleName: pulumi.Input<string>;
}

/**
 * The SageMaker Model Registry of the platform: one model package group per model, where each
 * trained version is registered (and approved) as a model package. The execution role may
 * register, describe and approve packages in these groups only.
 */
export class AwsModelRegistry extends pulumi.ComponentResource implements ModelRegistryOutputs {
  /** The model package groups, comma-separated in spec order (SageMaker has no registry object). */
  public readonly modelRegistryName: pulumi.Output<string>;
  /** Model name to its model package group name. */
  public readonly groupNames: Record<string, pulumi.Output<string>>;

  constructor(
    name: string,
    args: AwsModelRegistryArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("mlplatform:aws:ModelRegistry", name, {}, opts);

    const tags = blockTags(args.tags, "model-registry");

    const groups = args.modelNames.map(
      (model) =>
        new sagemaker.ModelPackageGroup(
          `${name}-${model}`,
          {
            modelPackageGroupName: modelPackageGroupName(args.nameParts, model),
            modelPackageGroupDescription: `Versions of the ${model} model`,
            tags,
          },
          statefulOptions(args.tier, this),
        ),
    );

    if (groups.length > 0) {
      new iam.RolePolicy(
        `${name}-execution-access`,
        {
          role: args.executionRoleName,
          name: "model-package-groups",
          policy: policyDocument([
            {
              Sid: "RegisterModelVersions",
              Effect: "Allow",
              Action: [
                "sagemaker:AddTags",
                "sagemaker:CreateModelPackage",
                "sagemaker:DescribeModelPackage",
                "sagemaker:DescribeModelPackageGroup",
                "sagemaker:UpdateModelPackage",
              ],
              Resource: groups.flatMap((group) => [group.arn, packagesOf(group.arn)]),
            },
          ]),
        },
        { parent: this },
      );
    }

    this.groupNames = Object.fromEntries(
      args.modelNames.map((model, i) => [model, groups[i].modelPackageGroupName]),
    );
    this.modelRegistryName = pulumi
      .all(groups.map((group) => group.modelPackageGroupName))
      .apply((names) => names.join(","));
    this.registerOutputs({
      modelRegistryName: this.modelRegistryName,
      groupNames: this.groupNames,
    });
  }
}
