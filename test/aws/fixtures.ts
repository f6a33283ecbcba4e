import * as pulumi from "@pulumi/pulumi";
import type { AwsAccount, AwsNetworkWiring } from "../../components/aws/common";
import type { Registration } from "../harness";

export const REGION = "us-east-1";
export const ACCOUNT_ID = "123456789012";
export const NAME_PARTS = ["mlplatform", "test"] as const;
export const ACCOUNT: AwsAccount = {
  region: REGION,
  accountId: ACCOUNT_ID,
  partition: "aws",
  dnsSuffix: "amazonaws.com",
  reverseDnsPrefix: "com.amazonaws",
};
export const PLACEMENT = { nameParts: NAME_PARTS, account: ACCOUNT };
export const TAGS = { owner: "ml-platform", "mlplatform-stack": "test", "mlplatform-tier": "dev" };

export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const VPC_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:vpc/vpc-0abc`;
export const BUCKET = "mlplatform-test-x7k2p9";
export const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
export const NETWORK: AwsNetworkWiring = {
  vpcId: "vpc-0abc",
  vpcArn: VPC_ARN,
  subnetIds: ["subnet-a", "subnet-b"],
  securityGroupId: "sg-workloads",
};

/** The bucket's settings, each a resource of its own (none takes tags). */
export const BUCKET_SETTINGS = [
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketPolicy:BucketPolicy",
] as const;

/** What the mocked random provider returns. */
export const SUFFIX = "x7k2p9";

/** The ARN a mocked resource reports: its type's service and its logical name. */
export function mockArn(type: string, name: string): string {
  const service = type.split(":")[1].split("/")[0];
  return `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${name}`;
}

/**
 * Outputs the mocked AWS provider computes: an ARN for everything, a name where the program
 * leaves it to the provider, and the few attributes the components read.
 */
export function awsOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const common = {
    arn: mockArn(args.type, args.name),
    name: args.inputs.name ?? args.inputs.namePrefix ?? `${args.name}-generated`,
  };
  switch (args.type) {
    case "random:index/randomString:RandomString":
      return { result: SUFFIX };
    case "aws:s3/bucket:Bucket":
      return { ...common, arn: `arn:aws:s3:::${args.inputs.bucket}` };
    case "aws:ecr/repository:Repository":
      return {
        ...common,
        repositoryUrl: `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${args.inputs.name}`,
      };
    case "aws:kms/key:Key":
      return { ...common, arn: KEY_ARN, keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" };
    case "aws:ec2/vpcEndpoint:VpcEndpoint":
      return { ...common, prefixListId: "pl-63a5400a" };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { ...common, latestVersion: 3 };
    case "aws:s3/bucketObjectv2:BucketObjectv2":
      return { ...common, versionId: "v3" };
    case "aws:sagemaker/modelPackageGroup:ModelPackageGroup":
      return {
        ...common,
        arn: `arn:aws:sagemaker:${REGION}:${ACCOUNT_ID}:model-package-group/${args.inputs.modelPackageGroupName}`,
      };
    default:
      return common;
  }
}

/** The registration of the component of a type (there must be one). */
export function component(registrations: readonly Registration[], type: string): Registration {
  const found = registrations.filter((r) => r.type === type && !r.custom);
  if (found.length !== 1) throw new Error(`expected one ${type} component, found ${found.length}`);
  return found[0];
}

/** The registration with a logical name and type (there must be one). */
export function named(
  registrations: readonly Registration[],
  type: string,
  name: string,
): Registration {
  const found = registrations.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1)
    throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a policy input (a document object or its JSON). */
export function statements(policy: unknown): Statement[] {
  const doc = (typeof policy === "string" ? JSON.parse(policy) : policy) as {
    Statement: Statement[];
  };
  return doc.Statement;
}

/** One statement by its Sid (there must be one). */
export function statement(policy: unknown, sid: string): Statement {
  const found = statements(policy).filter((s) => s.Sid === sid);
  if (found.length !== 1) throw new Error(`expected one statement ${sid}, found ${found.length}`);
  return found[0];
}

export function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/**
 * Actions that take no resource (so `Resource: "*"` is the only form IAM accepts for them), or
 * that are bounded by a condition on the request.
 */
const RESOURCELESS_ACTION =
  /^(ec2:Describe|sagemaker:List|ecr:GetAuthorizationToken$|cloudwatch:PutMetricData$)/;

/**
 * Least-privilege problems of an identity policy: an Allow with a wildcard action (`*`,
 * `service:*`), or an Allow on every resource for an action that can be scoped.
 */
export function privilegeProblems(policy: unknown): string[] {
  return statements(policy)
    .filter((s) => s.Effect === "Allow")
    .flatMap((s) => {
      const actions = asList(s.Action);
      const problems = actions
        .filter((a) => a === "*" || a.endsWith(":*"))
        .map((a) => `${s.Sid}: wildcard action ${a}`);
      if (asList(s.Resource).includes("*")) {
        problems.push(
          ...actions
            .filter((a) => !RESOURCELESS_ACTION.test(a))
            .map((a) => `${s.Sid}: ${a} on every resource`),
        );
      }
      return problems;
    });
}

/** AWS's rules for the physical names the components build. */
export const AWS_NAME = {
  s3Bucket: /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  ecrRepository: /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
  /** Domains, user profiles, endpoints, model package groups: `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`. */
  sagemaker: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
  iamRole: /^[\w+=,.@-]{1,64}$/,
  iamPolicy: /^[\w+=,.@-]{1,128}$/,
  batch: /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,127}$/,
  kmsAlias: /^alias\/(?!aws\/)[a-zA-Z0-9/_-]{1,250}$/,
} as const;
