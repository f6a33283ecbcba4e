import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as sagemaker from "@pulumi/aws/sagemaker";
import * as sns from "@pulumi/aws/sns";
import * as pulumi from "@pulumi/pulumi";
import type { WorkspaceArgs, WorkspaceOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import type { TeamMemberSpec } from "../../policies/platform";
import {
  type AwsAccount,
  type AwsNetworkWiring,
  type AwsPlacement,
  accountArn,
  grantKeyToServicesStatement,
  policyDocument,
  pullImageStatements,
  trustedService,
  useKeyStatement,
  vpcAccessStatements,
} from "./common";

/** The tag SageMaker Studio's attribute-based access control matches on profile and principal. */
export const STUDIO_USER_TAG = "studiouserid";

/** Days a deleted key waits before it is gone; prod keeps the longest window AWS allows. */
export const KEY_DELETION_WINDOW_DAYS = { dev: 7, prod: 30 } as const;

/**
 * SageMaker's prebuilt image repositories whose registries the execution role may pull from, so
 * training jobs can run SageMaker's own framework images: one repository of the first-party
 * algorithm and framework registry, one of the Deep Learning Containers registry. The provider's
 * table of registry accounts per region answers which accounts those are.
 */
export const PREBUILT_IMAGE_REPOSITORIES = ["sagemaker-scikit-learn", "pytorch-training"] as const;

/** The CloudWatch namespaces SageMaker jobs publish their metrics under. */
const SAGEMAKER_METRIC_NAMESPACES = "/aws/sagemaker/*";

export interface AwsWorkspaceArgs extends WorkspaceArgs, AwsPlacement {
  /** The private network the Studio domain and its apps run in. */
  network: AwsNetworkWiring;
}

/** The physical names of the workspace's resources. */
export function workspaceNames(nameParts: readonly string[]) {
  return {
    domain: physicalName(nameParts, NAME_RULES.sagemaker),
    executionRole: physicalName([...nameParts, "sagemaker"], NAME_RULES.iamRole),
    alertTopic: physicalName([...nameParts, "alerts"], NAME_RULES.sagemaker),
    keyAlias: `alias/${physicalName(nameParts, NAME_RULES.kmsAlias)}`,
    studioAccessPolicy: physicalName([...nameParts, "studio-access"], NAME_RULES.iamPolicy),
  };
}

/** A member's Studio user profile name. */
export function userProfileName(member: TeamMemberSpec): string {
  return physicalName([member.name], NAME_RULES.sagemaker);
}

/** The IAM group of a team, whose users get the Studio access policy. */
export function teamGroupName(nameParts: readonly string[], team: string): string {
  return physicalName([...nameParts, team], NAME_RULES.iamPolicy);
}

/**
 * The SageMaker workspace: a customer-managed KMS key that rotates, the execution role Studio
 * users and their jobs run as (trusted only by SageMaker, least privilege), a Studio domain with
 * IAM authentication in the platform's VPC (VPC-only in prod), one user profile per team member
 * tagged `studiouserid`, and the attribute-based access policy, attached to one IAM group per
 * team, that lets a user open only the profile whose tag matches their own `studiouserid`.
 *
 * The blocks that own the bucket, repository and model package groups grant the execution role
 * access to them (each adds its own inline policy), so this block does not depend on them.
 */
export class AwsWorkspace extends pulumi.ComponentResource implements WorkspaceOutputs {
  public readonly workspaceName: pulumi.Output<string>;
  /** The platform key every block encrypts with. */
  public readonly kmsKeyArn: pulumi.Output<string>;
  /** The execution role, which the storage, registry and model registry blocks grant access to. */
  public readonly executionRoleName: pulumi.Output<string>;
  /** The SNS topic, encrypted with the platform key, that the platform's alarms notify. */
  public readonly alertTopicArn: pulumi.Output<string>;

  constructor(name: string, args: AwsWorkspaceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("mlplatform:aws:Workspace", name, {}, opts);

    const tags = blockTags(args.tags, "workspace");
    const names = workspaceNames(args.nameParts);
    const { account, network } = args;

    const key = new kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the data of ML platform ${args.nameParts.join("/")}`,
        enableKeyRotation: true,
        deletionWindowInDays: KEY_DELETION_WINDOW_DAYS[args.tier],
        policy: pulumi.jsonStringify(keyPolicy(account)),
        tags,
      },
      statefulOptions(args.tier, this),
    );
    const alertTopic = new sns.Topic(
      `${name}-alerts`,
      { name: names.alertTopic, kmsMasterKeyId: key.arn, tags },
      { parent: this },
    );
    new kms.Alias(
      `${name}-key-alias`,
      { name: names.keyAlias, targetKeyId: key.keyId },
      { parent: this },
    );

    const role = new iam.Role(
      `${name}-execution`,
      {
        name: names.executionRole,
        description: "SageMaker Studio users and their jobs",
        assumeRolePolicy: trustedService("sagemaker.amazonaws.com"),
        tags,
      },
      { parent: this },
    );

    const domain = new sagemaker.Domain(
      `${name}-domain`,
      {
        domainName: names.domain,
        authMode: "IAM",
        vpcId: network.vpcId,
        subnetIds: network.subnetIds,
        appNetworkAccessType: args.tier === "prod" ? "VpcOnly" : "PublicInternetOnly",
        kmsKeyId: key.arn,
        defaultUserSettings: {
          executionRole: role.arn,
          securityGroups: [network.securityGroupId],
        },
        domainSettings: { securityGroupIds: [network.securityGroupId] },
        // Users' home directories stay on EFS if the domain goes away in prod.
        retentionPolicy: { homeEfsFileSystem: args.tier === "prod" ? "Retain" : "Delete" },
        tags,
      },
      { parent: this },
    );

    const prebuiltImageRegistries = PREBUILT_IMAGE_REPOSITORIES.map(
      (repositoryName) =>
        sagemaker.getPrebuiltEcrImageOutput(
          { repositoryName, region: account.region },
          { parent: this },
        ).registryId,
    );
    const domainResource = (kind: string) =>
      accountArn(account, "sagemaker", pulumi.interpolate`${kind}/${domain.id}/*`);
    new iam.RolePolicy(
      `${name}-execution-policy`,
      {
        role: role.name,
        name: "workspace",
        policy: policyDocument([
          useKeyStatement(key.arn),
          grantKeyToServicesStatement(key.arn),
          {
            Sid: "PutSageMakerMetrics",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringLike: { "cloudwatch:namespace": SAGEMAKER_METRIC_NAMESPACES } },
          },
          ...pullImageStatements(
            pulumi
              .all([account.partition, pulumi.all(prebuiltImageRegistries)])
              .apply(([partition, registries]) =>
                [...new Set(registries)].map(
                  (registry) => `arn:${partition}:ecr:${account.region}:${registry}:repository/*`,
                ),
              ),
          ),
          {
            Sid: "WriteSageMakerLogs",
            Effect: "Allow",
            Action: [
              "logs:CreateLogGroup",
              "logs:CreateLogStream",
              "logs:DescribeLogStreams",
              "logs:PutLogEvents",
            ],
            Resource: [
              accountArn(account, "logs", "log-group:/aws/sagemaker/*"),
              accountArn(account, "logs", "log-group:/aws/sagemaker/*:log-stream:*"),
            ],
          },
          ...vpcAccessStatements(account, network.vpcArn),
          {
            Sid: "PassOwnRoleToSageMaker",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: role.arn,
            Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
          },
          {
            Sid: "ListSageMaker",
            Effect: "Allow",
            Action: [
              "sagemaker:ListApps",
              "sagemaker:ListDomains",
              "sagemaker:ListModelPackageGroups",
              "sagemaker:ListModelPackages",
              "sagemaker:ListProcessingJobs",
              "sagemaker:ListSpaces",
              "sagemaker:ListTrainingJobs",
              "sagemaker:ListUserProfiles",
            ],
            Resource: "*",
          },
          {
            Sid: "UseStudioInPlatformDomain",
            Effect: "Allow",
            Action: [
              "sagemaker:AddTags",
              "sagemaker:CreateApp",
              "sagemaker:CreateSpace",
              "sagemaker:DeleteApp",
              "sagemaker:DeleteSpace",
              "sagemaker:DescribeApp",
              "sagemaker:DescribeDomain",
              "sagemaker:DescribeSpace",
              "sagemaker:DescribeUserProfile",
              "sagemaker:ListTags",
              "sagemaker:UpdateSpace",
            ],
            Resource: [
              accountArn(account, "sagemaker", pulumi.interpolate`domain/${domain.id}`),
              domainResource("user-profile"),
              domainResource("space"),
              domainResource("app"),
            ],
          },
          {
            Sid: "RunJobs",
            Effect: "Allow",
            Action: [
              "sagemaker:AddTags",
              "sagemaker:CreateProcessingJob",
              "sagemaker:CreateTrainingJob",
              "sagemaker:DescribeProcessingJob",
              "sagemaker:DescribeTrainingJob",
              "sagemaker:StopProcessingJob",
              "sagemaker:StopTrainingJob",
            ],
            Resource: [
              accountArn(account, "sagemaker", "training-job/*"),
              accountArn(account, "sagemaker", "processing-job/*"),
            ],
          },
        ]),
      },
      { parent: this },
    );

    const members = args.teams.flatMap((team) => team.members);
    for (const member of members) {
      new sagemaker.UserProfile(
        `${name}-${member.name}`,
        {
          domainId: domain.id,
          userProfileName: userProfileName(member),
          tags: { ...tags, [STUDIO_USER_TAG]: member.name },
        },
        { parent: this },
      );
    }

    // Seed 003's policy, scoped to this domain: anyone may list and describe, but a presigned
    // Studio URL is only issued for a profile whose tag matches the caller's own tag.
    const studioAccess = new iam.Policy(
      `${name}-studio-access`,
      {
        name: names.studioAccessPolicy,
        description: "Open only the SageMaker Studio profile tagged with your own studiouserid",
        policy: policyDocument([
          {
            Sid: "AllowConsoleListAndDescribe",
            Effect: "Allow",
            Action: [
              "sagemaker:ListApps",
              "sagemaker:ListDomains",
              "sagemaker:ListTags",
              "sagemaker:ListUserProfiles",
            ],
            Resource: "*",
          },
          {
            Sid: "DescribePlatformDomain",
            Effect: "Allow",
            Action: ["sagemaker:DescribeDomain", "sagemaker:DescribeUserProfile"],
            Resource: [
              accountArn(account, "sagemaker", pulumi.interpolate`domain/${domain.id}`),
              domainResource("user-profile"),
            ],
          },
          {
            Sid: "DescribeDomainKey",
            Effect: "Allow",
            Action: "kms:DescribeKey",
            Resource: key.arn,
          },
          grantKeyToServicesStatement(key.arn),
          {
            Sid: "AllowPresignedUrlWhenTagMatches",
            Effect: "Allow",
            Action: "sagemaker:CreatePresignedDomainUrl",
            Resource: domainResource("user-profile"),
            Condition: {
              StringEquals: {
                [`sagemaker:ResourceTag/${STUDIO_USER_TAG}`]: `\${aws:PrincipalTag/${STUDIO_USER_TAG}}`,
              },
            },
          },
        ]),
        tags,
      },
      { parent: this },
    );
    for (const team of args.teams) {
      const group = new iam.Group(
        `${name}-${team.name}`,
        { name: teamGroupName(args.nameParts, team.name) },
        { parent: this },
      );
      new iam.GroupPolicyAttachment(
        `${name}-${team.name}-studio-access`,
        { group: group.name, policyArn: studioAccess.arn },
        { parent: this },
      );
    }

    this.workspaceName = domain.domainName;
    this.kmsKeyArn = key.arn;
    this.executionRoleName = role.name;
    this.alertTopicArn = alertTopic.arn;
    this.registerOutputs({
      workspaceName: this.workspaceName,
      kmsKeyArn: this.kmsKeyArn,
      executionRoleName: this.executionRoleName,
      alertTopicArn: this.alertTopicArn,
    });
  }
}

/**
 * The platform key's policy: the account's default statement, which lets IAM policies grant
 * the key, and CloudWatch, which needs the key to publish alarms to the encrypted alert topic
 * (SNS Developer Guide, "Enable compatibility between event sources from AWS services and
 * encrypted topics"), for this account's alarms only.
 */
export function keyPolicy(account: AwsAccount): iam.PolicyDocument {
  return policyDocument([
    {
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: {
        AWS: pulumi.interpolate`arn:${account.partition}:iam::${account.accountId}:root`,
      },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": account.accountId },
        ArnLike: { "aws:SourceArn": accountArn(account, "cloudwatch", "alarm:*") },
      },
    },
  ]);
}
