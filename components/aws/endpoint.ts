import {
  SERVERLESS_MEMORY_MB,
  instanceFor,
  isSizeName,
  scaledBounds,
  serverlessFits,
} from "../../policies/catalog";
import * as appautoscaling from "@pulumi/aws/appautoscaling";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as sagemaker from "@pulumi/aws/sagemaker";
import * as pulumi from "@pulumi/pulumi";
import { RandomId } from "@pulumi/random/randomId";
import {
  type OnlineEndpointArgs,
  type OnlineEndpointOutputs,
  DeclaringBlock,
  endpointDeclarations,
} from "../blocks";
import type { CatalogRow } from "../../policies/catalog";
import { MODEL_ARTIFACTS } from "../model";
import { NAME_RULES, physicalName } from "../naming";
import { blockTags } from "../tags";
import type { Tier } from "../../policies/platform";
import {
  type AwsNetworkWiring,
  type AwsPlacement,
  accountArn,
  policyDocument,
  pullImageStatements,
  trustedService,
  useKeyStatement,
  vpcAccessStatements,
} from "./common";
import { DATA_CAPTURE_PREFIX } from "./storage";

/** SageMaker's prebuilt scikit-learn serving image, matching the version the model was trained with. */
export const SERVING_IMAGE = {
  repositoryName: "sagemaker-scikit-learn",
  imageTag: `${MODEL_ARTIFACTS.sklearnVersion}-1-cpu-py3`,
} as const;

/** The one production variant of every endpoint; autoscaling and alarms name it. */
export const VARIANT_NAME = "AllTraffic";

/** Invocations per instance per minute the target-tracking policy holds the variant at. */
export const INVOCATIONS_PER_INSTANCE_TARGET = 1000;

/** Seconds after a scale-out before another, and after a scale-in before another. */
export const SCALE_OUT_COOLDOWN_SECONDS = 60;
export const SCALE_IN_COOLDOWN_SECONDS = 300;

/** Share of requests and responses written to the bucket for monitoring. */
export const DATA_CAPTURE_PERCENT: Record<Tier, number> = { dev: 20, prod: 100 };

/** The latency alarm fires when the 90th percentile model latency stays above this. */
export const LATENCY_ALARM_MS = 500;

/** Alarms look at this many one-minute periods and fire when this many breach. */
const ALARM_PERIODS = 5;
const ALARM_BREACHING_PERIODS = 3;
const MICROSECONDS_PER_MILLISECOND = 1000;

/** Serverless inference serves at most 200 concurrent requests. */
const SERVERLESS_MAX_CONCURRENCY = 200;

/**
 * Instance families whose hosts carry NVMe instance storage. SageMaker encrypts that storage
 * with a hardware key and refuses an endpoint configuration `KmsKeyId` for them
 * (SageMaker Developer Guide, "Host instance storage volumes").
 */
const INSTANCE_STORE_FAMILIES = new Set([
  "c5d",
  "g4dn",
  "g5",
  "g6",
  "g6e",
  "m5d",
  "p3dn",
  "p4d",
  "p4de",
  "p5",
  "r5d",
]);

/** Whether a SageMaker hosting type keeps its volume on instance storage rather than EBS. */
export function hasInstanceStorage(instanceType: string): boolean {
  const family = instanceType.split(".")[1] ?? "";
  return INSTANCE_STORE_FAMILIES.has(family);
}

/** The EC2 type a SageMaker hosting type is named after: `ml.m5.xlarge` is `m5.xlarge`. */
export function sagemakerHostEc2Type(instanceType: string): string {
  return instanceType.replace(/^ml\./, "");
}

/**
 * An endpoint that may scale to zero runs on serverless inference where its size fits it (no GPU,
 * at most 6 GB). Any other size runs on instances from the catalog's floor of 1: instance-based
 * variants keep at least one, and the cost report names that floor.
 */
export function isServerless(size: string, minReplicas: number): boolean {
  return minReplicas === 0 && isSizeName(size) && serverlessFits(size);
}

/** Serverless memory and concurrency for a catalog size and the spec's replica ceiling. */
export function serverlessConfig(memoryGiB: number, maxReplicas: number) {
  const wanted = Math.round(memoryGiB) * SERVERLESS_MEMORY_MB.step;
  return {
    memorySizeInMb: Math.min(SERVERLESS_MEMORY_MB.max, Math.max(SERVERLESS_MEMORY_MB.min, wanted)),
    maxConcurrency: Math.min(SERVERLESS_MAX_CONCURRENCY, maxReplicas),
  };
}

/** The physical names of one endpoint's resources. */
export function endpointNames(nameParts: readonly string[], endpoint: string) {
  return {
    endpoint: physicalName([...nameParts, endpoint], NAME_RULES.sagemaker),
    configPrefix: `${physicalName([...nameParts, endpoint], NAME_RULES.sagemakerNamePrefix)}-`,
    role: physicalName([...nameParts, endpoint, "endpoint"], NAME_RULES.iamRole),
  };
}

export interface AwsOnlineEndpointArgs extends OnlineEndpointArgs, AwsPlacement {
  /** The private subnets and workload security group the model runs in. */
  network: AwsNetworkWiring;
  /** The platform key: instance volumes and captured data. */
  kmsKeyArn: pulumi.Input<string>;
  /** The platform bucket, where the archive is uploaded and data is captured. */
  bucketName: pulumi.Input<string>;
  /** The same bucket's ARN, for the endpoint role's grants on its archive and capture prefix. */
  bucketArn: pulumi.Input<string>;
  /** SNS topic the 5xx and latency alarms notify, when they fire and when they clear. */
  alertTopicArn: pulumi.Input<string>;
  /**
   * SageMaker model archive (`model.tar.gz` with the model and `code/inference.py`) to upload and serve.
   * @default the sample iris model, `MODEL_ARTIFACTS.sagemakerArchive`
   */
  modelArchivePath?: string;
}

/**
 * One online endpoint on SageMaker. The model archive is uploaded to the platform's bucket and
 * served by SageMaker's prebuilt scikit-learn image under the endpoint's own execution role
 * (read its archive, write its data capture, pull its image, write its logs).
 *
 * With `minReplicas` of 1 or more the endpoint runs on instances of the catalog's hosting type
 * for the size: the model is network-isolated inside the platform's VPC, the configuration starts
 * `minReplicas` instances, encrypts their volumes with the platform key and captures requests and
 * responses to the bucket, and Application Auto Scaling keeps the variant between `minReplicas`
 * and `maxReplicas` by tracking invocations per instance. With `minReplicas` 0 (dev only) and a
 * size that fits serverless inference (`serverlessFits`: no GPU, at most 6 GB) the endpoint uses
 * serverless inference, which costs nothing idle and supports no VPC, network isolation or data
 * capture, so those are left out; a size that does not fit runs on instances from 1, the least
 * an instance-based variant keeps (`SCALE_FLOORS`).
 * Both kinds get CloudWatch alarms on 5xx errors and on p90 model latency.
 */
export class AwsOnlineEndpoint extends DeclaringBlock implements OnlineEndpointOutputs {
  public readonly endpointName: pulumi.Output<string>;
  /** HTTPS URL that `InvokeEndpoint` requests (SigV4-signed) are sent to. */
  public readonly scoringUrl: pulumi.Output<string>;
  /** The catalog's hosting type; on serverless inference, the type whose memory sizes it. */
  public readonly instanceType: string;
  /** Instances the variant starts with and scales in to; 0 on serverless inference. */
  public readonly minReplicas: number;
  /** Instances the variant scales out to; on serverless inference, caps the concurrency. */
  public readonly maxReplicas: number;

  constructor(
    name: string,
    args: AwsOnlineEndpointArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("mlplatform:aws:OnlineEndpoint", name, endpointDeclarations(args), opts);

    const instance = instanceFor("aws", args.size, "hosting");
    const serverless = isServerless(args.size, args.minReplicas);
    const replicas = serverless
      ? { min: 0, max: args.maxReplicas }
      : scaledBounds("aws", "hosting", args.minReplicas, args.maxReplicas);
    const tags = blockTags(args.tags, "endpoint", args.size);
    const names = endpointNames(args.nameParts, args.name);
    const { account, network } = args;

    const image = sagemaker.getPrebuiltEcrImageOutput(
      { ...SERVING_IMAGE, region: account.region },
      { parent: this },
    );
    const imageRepositoryArn = pulumi.interpolate`arn:${account.partition}:ecr:${account.region}:${image.registryId}:repository/${image.repositoryName}`;

    const archiveKey = `models/${args.name}/model.tar.gz`;
    // Untagged: S3 takes at most 10 tags on an object, fewer than a stack may set; the bucket
    // carries the storage tags.
    const archive = new s3.BucketObjectv2(
      `${name}-model-archive`,
      {
        bucket: args.bucketName,
        key: archiveKey,
        source: new pulumi.asset.FileAsset(
          args.modelArchivePath ?? MODEL_ARTIFACTS.sagemakerArchive,
        ),
        contentType: "application/gzip",
      },
      { parent: this },
    );
    const capturePrefix = `${DATA_CAPTURE_PREFIX}${args.name}`;
    const captureUri = pulumi.interpolate`s3://${args.bucketName}/${capturePrefix}`;

    // Serverless inference neither captures data nor runs in the VPC.
    const instanceStatements: iam.PolicyStatement[] = [
      {
        Sid: "WriteDataCapture",
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: pulumi.interpolate`${args.bucketArn}/${capturePrefix}/*`,
      },
      ...vpcAccessStatements(account, network.vpcArn),
    ];
    const role = new iam.Role(
      `${name}-execution`,
      {
        name: names.role,
        description: `SageMaker endpoint ${names.endpoint}`,
        assumeRolePolicy: trustedService("sagemaker.amazonaws.com"),
        tags,
      },
      { parent: this },
    );
    const access = new iam.RolePolicy(
      `${name}-execution-policy`,
      {
        role: role.name,
        name: "endpoint",
        policy: policyDocument([
          useKeyStatement(args.kmsKeyArn),
          {
            Sid: "ReadModelArchive",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: pulumi.interpolate`${args.bucketArn}/${archiveKey}`,
          },
          ...(serverless ? [] : instanceStatements),
          ...pullImageStatements(imageRepositoryArn),
          {
            Sid: "WriteEndpointLogs",
            Effect: "Allow",
            Action: [
              "logs:CreateLogGroup",
              "logs:CreateLogStream",
              "logs:DescribeLogStreams",
              "logs:PutLogEvents",
            ],
            Resource: [
              accountArn(account, "logs", `log-group:/aws/sagemaker/Endpoints/${names.endpoint}`),
              accountArn(
                account,
                "logs",
                `log-group:/aws/sagemaker/Endpoints/${names.endpoint}:log-stream:*`,
              ),
            ],
          },
          {
            Sid: "PutEndpointMetrics",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringLike: { "cloudwatch:namespace": "/aws/sagemaker/*" } },
          },
        ]),
      },
      { parent: this },
    );

    const model = new sagemaker.Model(
      `${name}-model`,
      {
        executionRoleArn: role.arn,
        primaryContainer: {
          image: image.registryPath,
          modelDataUrl: pulumi.interpolate`s3://${args.bucketName}/${archiveKey}`,
          environment: {
            SAGEMAKER_PROGRAM: "inference.py",
            SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
            SAGEMAKER_CONTAINER_LOG_LEVEL: "20",
            SAGEMAKER_REGION: account.region,
            // A new upload gets a new version id, which replaces the model and rolls the endpoint.
            MODEL_ARCHIVE_VERSION: archive.versionId,
          },
        },
        ...(serverless
          ? {}
          : {
              enableNetworkIsolation: true,
              vpcConfig: {
                subnets: network.subnetIds,
                securityGroupIds: [network.securityGroupId],
              },
            }),
        tags,
      },
      { parent: this, dependsOn: [access] },
    );

    const config = new sagemaker.EndpointConfiguration(
      `${name}-config`,
      {
        namePrefix: names.configPrefix,
        productionVariants: [
          serverless
            ? {
                variantName: VARIANT_NAME,
                modelName: model.name,
                serverlessConfig: serverlessConfig(instance.memoryGiB, replicas.max),
              }
            : {
                variantName: VARIANT_NAME,
                modelName: model.name,
                instanceType: instance.instanceType,
                initialInstanceCount: replicas.min,
              },
        ],
        ...(serverless ? {} : instanceConfiguration(instance, args, captureUri)),
        tags,
      },
      { parent: this },
    );

    // SageMaker refuses an endpoint update that changes the instance type of a variant registered
    // with Application Auto Scaling ("Update endpoints that use auto scaling"). This generation
    // is replaced, delete-first, whenever the variant's capacity kind changes, and the scalable
    // target's resource id (a change of which replaces the target) waits on it. Before deleting
    // the generation the engine deletes what would be replaced with it, the policy and the
    // target (deregistered); the endpoint, which depends on the generation, is updated after,
    // and the target and policy are registered again last.
    const scalingGeneration = new RandomId(
      `${name}-scaling-generation`,
      { byteLength: 4, keepers: { capacity: capacityKind(serverless, instance.instanceType) } },
      { parent: this, deleteBeforeReplace: true },
    );
    const endpoint = new sagemaker.Endpoint(
      `${name}-endpoint`,
      { name: names.endpoint, endpointConfigName: config.name, tags },
      { parent: this, dependsOn: [scalingGeneration] },
    );

    if (!serverless) {
      const target = new appautoscaling.Target(
        `${name}-scaling`,
        {
          serviceNamespace: "sagemaker",
          scalableDimension: "sagemaker:variant:DesiredInstanceCount",
          resourceId: pulumi
            .all([endpoint.name, scalingGeneration.id])
            .apply(([endpointName]) => `endpoint/${endpointName}/variant/${VARIANT_NAME}`),
          minCapacity: replicas.min,
          maxCapacity: replicas.max,
          tags,
        },
        // The provider already replaces on a new resource id; said here so the order above
        // does not hang on the provider's schema.
        { parent: this, replaceOnChanges: ["resourceId"] },
      );
      new appautoscaling.Policy(
        `${name}-scaling`,
        {
          name: "invocations-per-instance",
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: INVOCATIONS_PER_INSTANCE_TARGET,
            predefinedMetricSpecification: {
              predefinedMetricType: "SageMakerVariantInvocationsPerInstance",
            },
            scaleOutCooldown: SCALE_OUT_COOLDOWN_SECONDS,
            scaleInCooldown: SCALE_IN_COOLDOWN_SECONDS,
          },
        },
        { parent: this, replaceOnChanges: ["resourceId"] },
      );
    }

    const dimensions = { EndpointName: endpoint.name, VariantName: VARIANT_NAME };
    const notify = { alarmActions: [args.alertTopicArn], okActions: [args.alertTopicArn] };
    new cloudwatch.MetricAlarm(
      `${name}-5xx`,
      {
        alarmDescription: `Endpoint ${names.endpoint} returns 5xx errors`,
        namespace: "AWS/SageMaker",
        metricName: "Invocation5XXErrors",
        dimensions,
        statistic: "Sum",
        period: 60,
        evaluationPeriods: ALARM_PERIODS,
        datapointsToAlarm: ALARM_BREACHING_PERIODS,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        treatMissingData: "notBreaching",
        ...notify,
        tags,
      },
      { parent: this },
    );
    new cloudwatch.MetricAlarm(
      `${name}-latency`,
      {
        alarmDescription: `Endpoint ${names.endpoint} p90 model latency above ${LATENCY_ALARM_MS} ms`,
        namespace: "AWS/SageMaker",
        metricName: "ModelLatency",
        dimensions,
        extendedStatistic: "p90",
        period: 60,
        evaluationPeriods: ALARM_PERIODS,
        datapointsToAlarm: ALARM_BREACHING_PERIODS,
        comparisonOperator: "GreaterThanThreshold",
        threshold: LATENCY_ALARM_MS * MICROSECONDS_PER_MILLISECOND,
        treatMissingData: "notBreaching",
        ...notify,
        tags,
      },
      { parent: this },
    );

    this.endpointName = endpoint.name;
    this.scoringUrl = pulumi.interpolate`https://runtime.sagemaker.${account.region}.${account.dnsSuffix}/endpoints/${endpoint.name}/invocations`;
    this.instanceType = instance.instanceType;
    this.minReplicas = replicas.min;
    this.maxReplicas = replicas.max;
    this.registerOutputs({
      endpointName: this.endpointName,
      scoringUrl: this.scoringUrl,
      instanceType: this.instanceType,
      minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas,
    });
  }
}

/**
 * What an endpoint update cannot change while a scalable target is registered: the instance type,
 * or the move to and from serverless inference (which removes or adds the target).
 */
export function capacityKind(serverless: boolean, instanceType: string): string {
  return serverless ? "serverless" : instanceType;
}

/** The configuration only instance-based variants take: volume encryption and data capture. */
function instanceConfiguration(
  instance: CatalogRow,
  args: Pick<AwsOnlineEndpointArgs, "kmsKeyArn" | "tier">,
  captureUri: pulumi.Output<string>,
) {
  return {
    ...(hasInstanceStorage(instance.instanceType) ? {} : { kmsKeyArn: args.kmsKeyArn }),
    dataCaptureConfig: {
      enableCapture: true,
      initialSamplingPercentage: DATA_CAPTURE_PERCENT[args.tier],
      destinationS3Uri: captureUri,
      kmsKeyId: args.kmsKeyArn,
      captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
      captureContentTypeHeader: { jsonContentTypes: ["application/json"] },
    },
  };
}
