import { instanceFor } from "../../policies/catalog";
import * as batch from "@pulumi/aws/batch";
import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import type { TrainingClusterArgs, TrainingClusterOutputs } from "../blocks";
import type { CatalogRow } from "../../policies/catalog";
import { NAME_RULES, physicalName } from "../naming";
import { blockTags } from "../tags";
import {
  type AwsNetworkWiring,
  type AwsPlacement,
  accountArn,
  bucketAccessStatements,
  policyDocument,
  trustedService,
  useKeyStatement,
} from "./common";

/** Root volume of a training instance: room for large training images and scratch data. */
export const ROOT_VOLUME_GIB = 100;

/** Root device of the Amazon ECS-optimized Amazon Linux 2023 AMIs Batch launches. */
const ROOT_DEVICE = "/dev/xvda";

/** Where Batch jobs write their logs unless a job definition says otherwise. */
const BATCH_LOG_GROUP = "/aws/batch/job";

/** The physical names of the training cluster's resources. */
export function trainingNames(nameParts: readonly string[]) {
  return {
    computeEnvironment: physicalName([...nameParts, "training"], NAME_RULES.batch),
    jobQueue: physicalName([...nameParts, "training"], NAME_RULES.batch),
    instanceRole: physicalName([...nameParts, "batch-instance"], NAME_RULES.iamRole),
    instanceProfile: physicalName([...nameParts, "batch-instance"], NAME_RULES.iamPolicy),
    jobRole: physicalName([...nameParts, "batch-job"], NAME_RULES.iamRole),
  };
}

/** The Batch compute resources for a catalog type, node bounds and capacity kind. */
export function computeCapacity(
  instance: Pick<CatalogRow, "instanceType" | "vcpus" | "gpu">,
  minNodes: number,
  maxNodes: number,
  spot: boolean,
) {
  return {
    type: spot ? "SPOT" : "EC2",
    allocationStrategy: spot ? "SPOT_PRICE_CAPACITY_OPTIMIZED" : "BEST_FIT_PROGRESSIVE",
    instanceTypes: [instance.instanceType],
    minVcpus: minNodes * instance.vcpus,
    maxVcpus: maxNodes * instance.vcpus,
    imageType: instance.gpu === null ? "ECS_AL2023" : "ECS_AL2023_NVIDIA",
  };
}

export interface AwsTrainingClusterArgs extends TrainingClusterArgs, AwsPlacement {
  /** The private subnets and workload security group the instances run in. */
  network: AwsNetworkWiring;
  /** The platform key, which the job role may use for the bucket's objects. */
  kmsKeyArn: pulumi.Input<string>;
  /** The platform bucket, which the job role may read and write. */
  bucketArn: pulumi.Input<string>;
}

/**
 * The training cluster: an AWS Batch managed compute environment of the catalog's training type
 * for the size, scaling between `minNodes` and `maxNodes` instances (Batch counts vCPUs, so the
 * bounds are nodes times the type's vCPUs), on spot capacity when `spot`, in the private subnets.
 * Instances run the ECS-optimized Amazon Linux 2023 AMI (the NVIDIA one for GPU sizes) with
 * IMDSv2 and an encrypted root volume. Jobs are submitted to the job queue and run as the job
 * role, which reads and writes the platform's bucket.
 *
 * Batch terminates instances it no longer needs on its own schedule and has no idle timeout to
 * set, so `idleMinutes` has no AWS equivalent and is not used here.
 */
export class AwsTrainingCluster extends pulumi.ComponentResource implements TrainingClusterOutputs {
  /** The Batch compute environment's name. */
  public readonly clusterName: pulumi.Output<string>;
  public readonly instanceType: string;
  public readonly minNodes: number;
  public readonly maxNodes: number;

  constructor(
    name: string,
    args: AwsTrainingClusterArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("mlplatform:aws:TrainingCluster", name, {}, opts);

    const instance = instanceFor("aws", args.size, "training");
    const tags = blockTags(args.tags, "training", args.size);
    const names = trainingNames(args.nameParts);
    const capacity = computeCapacity(instance, args.minNodes, args.maxNodes, args.spot);
    const { account } = args;

    const instanceRole = new iam.Role(
      `${name}-instance`,
      {
        name: names.instanceRole,
        description: "ECS agent on the platform's AWS Batch instances",
        assumeRolePolicy: trustedService("ec2.amazonaws.com"),
        tags,
      },
      { parent: this },
    );
    // AWS's own policy for the ECS agent: it tracks what the agent needs as the agent changes.
    new iam.RolePolicyAttachment(
      `${name}-instance-ecs`,
      {
        role: instanceRole.name,
        policyArn: pulumi.interpolate`arn:${account.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role`,
      },
      { parent: this },
    );
    const instanceProfile = new iam.InstanceProfile(
      `${name}-instance`,
      { name: names.instanceProfile, role: instanceRole.name, tags },
      { parent: this },
    );

    const jobRole = new iam.Role(
      `${name}-job`,
      {
        name: names.jobRole,
        description: "Training jobs on the platform's AWS Batch queue",
        assumeRolePolicy: trustedService("ecs-tasks.amazonaws.com"),
        tags,
      },
      { parent: this },
    );
    new iam.RolePolicy(
      `${name}-job-access`,
      {
        role: jobRole.name,
        name: "training-job",
        policy: policyDocument([
          useKeyStatement(args.kmsKeyArn),
          ...bucketAccessStatements(args.bucketArn, { deleteObjects: false }),
          {
            Sid: "WriteJobLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: accountArn(account, "logs", `log-group:${BATCH_LOG_GROUP}:log-stream:*`),
          },
        ]),
      },
      { parent: this },
    );

    const launchTemplate = new ec2.LaunchTemplate(
      `${name}-instance`,
      {
        description: "Platform Batch instances: IMDSv2 only, hop limit 1, encrypted root volume",
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          // Only the instance (the ECS agent) reaches the metadata service; containers one hop
          // behind it get their credentials from the job role through the ECS agent instead.
          httpPutResponseHopLimit: 1,
        },
        blockDeviceMappings: [
          {
            deviceName: ROOT_DEVICE,
            ebs: {
              volumeSize: ROOT_VOLUME_GIB,
              volumeType: "gp3",
              encrypted: "true",
              deleteOnTermination: "true",
            },
          },
        ],
        tagSpecifications: [{ resourceType: "volume", tags }],
        tags,
      },
      { parent: this },
    );

    const environment = new batch.ComputeEnvironment(
      `${name}-environment`,
      {
        name: names.computeEnvironment,
        type: "MANAGED",
        state: "ENABLED",
        computeResources: {
          type: capacity.type,
          allocationStrategy: capacity.allocationStrategy,
          instanceTypes: capacity.instanceTypes,
          minVcpus: capacity.minVcpus,
          maxVcpus: capacity.maxVcpus,
          ec2Configurations: [{ imageType: capacity.imageType }],
          instanceRole: instanceProfile.arn,
          launchTemplate: {
            launchTemplateId: launchTemplate.id,
            version: launchTemplate.latestVersion.apply(String),
          },
          subnets: args.network.subnetIds,
          securityGroupIds: [args.network.securityGroupId],
          tags,
        },
        tags,
      },
      { parent: this },
    );

    new batch.JobQueue(
      `${name}-queue`,
      {
        name: names.jobQueue,
        state: "ENABLED",
        priority: 1,
        computeEnvironmentOrders: [{ order: 1, computeEnvironment: environment.arn }],
        tags,
      },
      { parent: this },
    );

    this.clusterName = environment.name;
    this.instanceType = instance.instanceType;
    this.minNodes = args.minNodes;
    this.maxNodes = args.maxNodes;
    this.registerOutputs({
      clusterName: this.clusterName,
      instanceType: this.instanceType,
      minNodes: this.minNodes,
      maxNodes: this.maxNodes,
    });
  }
}
