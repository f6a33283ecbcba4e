import * as pulumi from "@pulumi/pulumi";
import type * as iam from "@pulumi/aws/iam";

/** The account, partition and region the platform is deployed to, for ARNs and service names. */
export interface AwsAccount {
  /** AWS region of every resource, such as `us-east-1`. */
  region: string;
  /** Twelve-digit account id. */
  accountId: pulumi.Input<string>;
  /** ARN partition: `aws`, `aws-cn` or `aws-us-gov`. */
  partition: pulumi.Input<string>;
  /** DNS suffix of the partition's endpoints, such as `amazonaws.com`. */
  dnsSuffix: pulumi.Input<string>;
  /** Reverse DNS prefix of the partition's VPC endpoint services, such as `com.amazonaws`. */
  reverseDnsPrefix: pulumi.Input<string>;
}

/** Where an AWS block is deployed: the wiring every AWS block takes besides the neutral args. */
export interface AwsPlacement {
  /** The platform's project and stack names: the start of every physical name. */
  nameParts: readonly string[];
  /** The account, partition and region the block's ARNs and service names are built in. */
  account: AwsAccount;
}

/** The platform's private network, as the blocks that run inside it need it. */
export interface AwsNetworkWiring {
  /** The platform's own VPC. */
  vpcId: pulumi.Input<string>;
  /** Its ARN, for the `ec2:Vpc` condition that keeps network-interface grants inside it. */
  vpcArn: pulumi.Input<string>;
  /** Private subnets, one per availability zone. */
  subnetIds: pulumi.Input<string>[];
  /** Security group of the platform's workloads (Studio apps, models, Batch instances). */
  securityGroupId: pulumi.Input<string>;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` in the platform's account. */
export function accountArn(
  account: AwsAccount,
  service: string,
  resource: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.interpolate`arn:${account.partition}:${service}:${account.region}:${account.accountId}:${resource}`;
}

/** The trust policy of a role that only the given AWS service may assume. */
export function trustedService(service: string): iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  };
}

/** A policy document from its statements. */
export function policyDocument(Statement: iam.PolicyStatement[]): iam.PolicyDocument {
  return { Version: "2012-10-17", Statement };
}

/** Encrypt and decrypt with the platform's key (S3 objects, data capture, model artifacts). */
export function useKeyStatement(kmsKeyArn: pulumi.Input<string>): iam.PolicyStatement {
  return {
    Sid: "UsePlatformKey",
    Effect: "Allow",
    Action: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
    Resource: kmsKeyArn,
  };
}

/**
 * Let AWS services that work for the role create grants on the platform key: SageMaker grants
 * itself the key when it starts a Studio app on the encrypted domain (checked by CreateApp) or
 * attaches an encrypted volume to a training job. `kms:GrantIsForAWSResource` limits this to
 * grants an integrated AWS service asks for on the caller's behalf (KMS Developer Guide,
 * "kms:GrantIsForAWSResource").
 */
export function grantKeyToServicesStatement(kmsKeyArn: pulumi.Input<string>): iam.PolicyStatement {
  return {
    Sid: "GrantPlatformKeyToAwsServices",
    Effect: "Allow",
    Action: "kms:CreateGrant",
    Resource: kmsKeyArn,
    Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
  };
}

/**
 * Pull images from the given ECR repositories. `ecr:GetAuthorizationToken` takes no resource;
 * the pulls are limited to the repositories named.
 */
export function pullImageStatements(
  repositoryArns: pulumi.Input<string | pulumi.Input<string>[]>,
): iam.PolicyStatement[] {
  return [
    {
      Sid: "GetRegistryToken",
      Effect: "Allow",
      Action: "ecr:GetAuthorizationToken",
      Resource: "*",
    },
    {
      Sid: "PullImages",
      Effect: "Allow",
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
      ],
      Resource: repositoryArns,
    },
  ];
}

/**
 * List the platform bucket and read and write its objects; `deleteObjects` adds deleting them,
 * which only the people's execution role needs, not training jobs.
 */
export function bucketAccessStatements(
  bucketArn: pulumi.Input<string>,
  options: { deleteObjects: boolean },
): iam.PolicyStatement[] {
  const objectActions = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"];
  return [
    {
      Sid: "ListPlatformBucket",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation", "s3:ListBucket"],
      Resource: bucketArn,
    },
    {
      Sid: "ReadWritePlatformObjects",
      Effect: "Allow",
      Action: options.deleteObjects ? [...objectActions, "s3:DeleteObject"].sort() : objectActions,
      Resource: pulumi.interpolate`${bucketArn}/*`,
    },
  ];
}

/**
 * What SageMaker needs to attach a job or model to the platform's VPC: describing the network
 * (these actions take no resource) and managing network interfaces inside the platform's VPC only.
 */
export function vpcAccessStatements(
  account: AwsAccount,
  vpcArn: pulumi.Input<string>,
): iam.PolicyStatement[] {
  return [
    {
      Sid: "DescribeNetwork",
      Effect: "Allow",
      Action: [
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeVpcs",
      ],
      Resource: "*",
    },
    {
      Sid: "ManageNetworkInterfacesInPlatformVpc",
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:CreateNetworkInterfacePermission",
        "ec2:DeleteNetworkInterface",
        "ec2:DeleteNetworkInterfacePermission",
      ],
      Resource: accountArn(account, "ec2", "*"),
      Condition: { ArnEquals: { "ec2:Vpc": vpcArn } },
    },
  ];
}
