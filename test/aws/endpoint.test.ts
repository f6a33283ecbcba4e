import * as path from "node:path";
import { expect } from "chai";
import * as fc from "fast-check";
import {
  AwsOnlineEndpoint,
  DATA_CAPTURE_PERCENT,
  INVOCATIONS_PER_INSTANCE_TARGET,
  LATENCY_ALARM_MS,
  SERVING_IMAGE,
  VARIANT_NAME,
  capacityKind,
  hasInstanceStorage,
  sagemakerHostEc2Type,
  serverlessConfig,
} from "../../components/aws/endpoint";
import {
  SIZE_NAMES,
  instanceFor,
  resolveInstance,
  unavailableReason,
} from "../../policies/catalog";
import { MODEL_ARTIFACTS } from "../../components/model";
import { blockTags } from "../../components/tags";
import type { EndpointSpec, Tier } from "../../policies/platform";
import { AWS_PLACEHOLDERS } from "../../engine/placeholders/aws";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, ofType, registered, single, unwrap } from "../harness";
import {
  ACCOUNT_ID,
  BUCKET,
  BUCKET_ARN,
  KEY_ARN,
  NETWORK,
  PLACEMENT,
  REGION,
  TAGS,
  VPC_ARN,
  awsOutputs,
  component,
  named,
  privilegeProblems,
  statement,
  statements,
} from "./fixtures";

const MODEL = "aws:sagemaker/model:Model";
const CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration";
const ENDPOINT = "aws:sagemaker/endpoint:Endpoint";
const TARGET = "aws:appautoscaling/target:Target";
const SCALING_POLICY = "aws:appautoscaling/policy:Policy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const GENERATION = "random:index/randomId:RandomId";
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT_ID}:mlplatform-test-alerts`;
const IMAGE_CALL = "aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage";
const IMAGE_ACCOUNT = "683313688378";
const IMAGE = `${IMAGE_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3`;
const ENDPOINT_NAME = "mlplatform-test-iris";
const SPEC: EndpointSpec = { name: "iris", size: "cpu-4x16", minReplicas: 2, maxReplicas: 6 };

describe("aws online endpoint", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({
      outputs: awsOutputs,
      calls: { [IMAGE_CALL]: AWS_PLACEHOLDERS[IMAGE_CALL] },
    });
  });
  beforeEach(() => {
    rec.reset();
  });

  async function build(
    spec: Partial<EndpointSpec> = {},
    tier: Tier = "prod",
  ): Promise<{ regs: Registration[]; endpoint: AwsOnlineEndpoint }> {
    const endpoint = new AwsOnlineEndpoint("ep", {
      ...PLACEMENT,
      ...SPEC,
      ...spec,
      tier,
      tags: TAGS,
      network: NETWORK,
      kmsKeyArn: KEY_ARN,
      bucketName: BUCKET,
      bucketArn: BUCKET_ARN,
      alertTopicArn: TOPIC_ARN,
    });
    return { regs: await registered(rec), endpoint };
  }

  it("uploads the sample model's SageMaker archive to the bucket", async () => {
    const { regs } = await build();
    const archive = single(regs, "aws:s3/bucketObjectv2:BucketObjectv2");
    expect(archive.inputs).to.deep.include({ bucket: BUCKET, key: "models/iris/model.tar.gz" });
    expect(archive.inputs.tags).to.equal(undefined);
    const source = archive.inputs.source as Record<string, unknown>;
    expect(path.resolve(String(source.path))).to.equal(
      path.resolve(MODEL_ARTIFACTS.sagemakerArchive),
    );
  });

  it("serves it with the prebuilt scikit-learn image of the model's version", async () => {
    const { regs } = await build();
    const call = rec.calls.find((c) => c.token === IMAGE_CALL);
    expect(call?.inputs).to.deep.include({ ...SERVING_IMAGE, region: REGION });
    expect(SERVING_IMAGE.imageTag.startsWith(`${MODEL_ARTIFACTS.sklearnVersion}-`)).to.equal(true);
    const model = single(regs, MODEL);
    expect(model.inputs.primaryContainer).to.deep.equal({
      image: IMAGE,
      modelDataUrl: `s3://${BUCKET}/models/iris/model.tar.gz`,
      environment: {
        SAGEMAKER_PROGRAM: "inference.py",
        SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
        SAGEMAKER_CONTAINER_LOG_LEVEL: "20",
        SAGEMAKER_REGION: REGION,
        MODEL_ARCHIVE_VERSION: "v3",
      },
    });
  });

  it("isolates the model from the network, inside the platform VPC", async () => {
    const model = single((await build()).regs, MODEL);
    expect(model.inputs).to.deep.include({
      enableNetworkIsolation: true,
      vpcConfig: { subnets: NETWORK.subnetIds, securityGroupIds: [NETWORK.securityGroupId] },
      executionRoleArn: `arn:aws:iam:${REGION}:${ACCOUNT_ID}:ep-execution`,
    });
  });

  it("starts minReplicas instances of the catalog's hosting type, encrypted, capturing data", async () => {
    const config = single((await build()).regs, CONFIG);
    expect(config.inputs.productionVariants).to.deep.equal([
      {
        variantName: VARIANT_NAME,
        modelName: "ep-model-generated",
        instanceType: "ml.m5.xlarge",
        initialInstanceCount: 2,
      },
    ]);
    expect(config.inputs).to.deep.include({
      namePrefix: `${ENDPOINT_NAME}-`,
      kmsKeyArn: KEY_ARN,
      dataCaptureConfig: {
        enableCapture: true,
        initialSamplingPercentage: DATA_CAPTURE_PERCENT.prod,
        destinationS3Uri: `s3://${BUCKET}/data-capture/iris`,
        kmsKeyId: KEY_ARN,
        captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
        captureContentTypeHeader: { jsonContentTypes: ["application/json"] },
      },
    });
  });

  it("samples less traffic into data capture in dev", async () => {
    const config = single((await build({}, "dev")).regs, CONFIG);
    expect(config.inputs.dataCaptureConfig).to.deep.include({
      initialSamplingPercentage: DATA_CAPTURE_PERCENT.dev,
    });
  });

  it("leaves the key off types whose volumes are instance storage", async () => {
    const config = single((await build({ size: "gpu-t4x1" })).regs, CONFIG);
    expect(config.inputs.productionVariants).to.deep.include.members([
      {
        variantName: VARIANT_NAME,
        modelName: "ep-model-generated",
        instanceType: "ml.g4dn.xlarge",
        initialInstanceCount: 2,
      },
    ]);
    expect(config.inputs.kmsKeyArn).to.equal(undefined);
    expect(hasInstanceStorage("ml.m5.xlarge")).to.equal(false);
    expect(hasInstanceStorage("ml.p4d.24xlarge")).to.equal(true);
  });

  it("names the endpoint from project, stack and endpoint, on the configuration", async () => {
    const { regs, endpoint } = await build();
    const ep = single(regs, ENDPOINT);
    expect(ep.inputs).to.deep.include({
      name: ENDPOINT_NAME,
      endpointConfigName: `${ENDPOINT_NAME}-`,
      tags: blockTags(TAGS, "endpoint", "cpu-4x16"),
    });
    expect(await unwrap(endpoint.scoringUrl)).to.equal(
      `https://runtime.sagemaker.${REGION}.amazonaws.com/endpoints/${ENDPOINT_NAME}/invocations`,
    );
  });

  it("autoscales the variant between minReplicas and maxReplicas on invocations", async () => {
    const { regs } = await build({ minReplicas: 3, maxReplicas: 9 });
    const target = single(regs, TARGET);
    expect(target.inputs).to.deep.include({
      serviceNamespace: "sagemaker",
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      resourceId: `endpoint/${ENDPOINT_NAME}/variant/${VARIANT_NAME}`,
      minCapacity: 3,
      maxCapacity: 9,
    });
    const policy = single(regs, SCALING_POLICY);
    expect(policy.inputs).to.deep.include({
      policyType: "TargetTrackingScaling",
      resourceId: `endpoint/${ENDPOINT_NAME}/variant/${VARIANT_NAME}`,
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      serviceNamespace: "sagemaker",
    });
    expect(policy.inputs.targetTrackingScalingPolicyConfiguration).to.deep.include({
      targetValue: INVOCATIONS_PER_INSTANCE_TARGET,
      predefinedMetricSpecification: {
        predefinedMetricType: "SageMakerVariantInvocationsPerInstance",
      },
    });
  });

  it("alarms on 5xx errors and on p90 latency of the variant, to the alert topic", async () => {
    const { regs } = await build();
    const dimensions = { EndpointName: ENDPOINT_NAME, VariantName: VARIANT_NAME };
    for (const alarm of ofType(regs, ALARM)) {
      expect(alarm.inputs, alarm.name).to.deep.include({
        alarmActions: [TOPIC_ARN],
        okActions: [TOPIC_ARN],
      });
    }
    expect(named(regs, ALARM, "ep-5xx").inputs).to.deep.include({
      namespace: "AWS/SageMaker",
      metricName: "Invocation5XXErrors",
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      dimensions,
    });
    expect(named(regs, ALARM, "ep-latency").inputs).to.deep.include({
      namespace: "AWS/SageMaker",
      metricName: "ModelLatency",
      extendedStatistic: "p90",
      threshold: LATENCY_ALARM_MS * 1000,
      dimensions,
    });
  });

  it("runs the model as its own role: its archive, its capture prefix, its image, its logs", async () => {
    const { regs } = await build();
    const role = single(regs, "aws:iam/role:Role");
    expect(role.inputs.name).to.equal("mlplatform-test-iris-endpoint");
    expect(role.inputs.assumeRolePolicy).to.deep.include({
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "sagemaker.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
    const access = single(regs, "aws:iam/rolePolicy:RolePolicy");
    const policy = access.inputs.policy;
    expect(privilegeProblems(policy)).to.deep.equal([]);
    expect(statement(policy, "ReadModelArchive").Resource).to.equal(
      `${BUCKET_ARN}/models/iris/model.tar.gz`,
    );
    expect(statement(policy, "WriteDataCapture").Resource).to.equal(
      `${BUCKET_ARN}/data-capture/iris/*`,
    );
    expect(statement(policy, "PullImages").Resource).to.equal(
      `arn:aws:ecr:${REGION}:${IMAGE_ACCOUNT}:repository/sagemaker-scikit-learn`,
    );
    expect(statement(policy, "ManageNetworkInterfacesInPlatformVpc").Condition).to.deep.equal({
      ArnEquals: { "ec2:Vpc": VPC_ARN },
    });
    // SageMaker's host-vpc guide: a model in a VPC describes the VPC's endpoints as well.
    expect(statement(policy, "DescribeNetwork").Action).to.include.members([
      "ec2:DescribeVpcEndpoints",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeDhcpOptions",
    ]);
    expect(statement(policy, "WriteEndpointLogs").Resource).to.deep.equal([
      `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/sagemaker/Endpoints/${ENDPOINT_NAME}`,
      `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/sagemaker/Endpoints/${ENDPOINT_NAME}:log-stream:*`,
    ]);
    expect(single(regs, MODEL).dependencies).to.include(access.urn);
  });

  describe("while autoscaling is registered", () => {
    it("deregisters the target before an update that changes the instance type", async () => {
      const { regs } = await build();
      const generation = single(regs, GENERATION);
      expect(generation.inputs.keepers).to.deep.equal({ capacity: "ml.m5.xlarge" });
      expect(generation.deleteBeforeReplace).to.equal(true);
      // The endpoint is updated only after the generation (and what depends on it) is replaced.
      expect(single(regs, ENDPOINT).dependencies).to.include(generation.urn);
      // The target's resource id depends on the generation, so replacing the generation
      // delete-first deletes the target (and its policy, through the target) before it.
      const target = single(regs, TARGET);
      expect(target.propertyDependencies.resourceId).to.include(generation.urn);
      expect(single(regs, SCALING_POLICY).propertyDependencies.resourceId).to.include(target.urn);
      for (const scaling of [target, single(regs, SCALING_POLICY)]) {
        expect(scaling.replaceOnChanges).to.deep.equal(["resourceId"]);
      }
    });

    it("keeps the generation across replica count changes, not type changes", async () => {
      const keepers = async (spec: Partial<EndpointSpec>) => {
        rec.reset();
        return single((await build(spec)).regs, GENERATION).inputs.keepers;
      };
      const base = await keepers({});
      expect(await keepers({ minReplicas: 3, maxReplicas: 9 })).to.deep.equal(base);
      expect(await keepers({ size: "cpu-8x32" })).to.deep.equal({ capacity: "ml.m5.2xlarge" });
    });

    it("also turns over when the endpoint moves to or from serverless inference", () => {
      expect(capacityKind(true, "ml.m5.xlarge")).to.equal("serverless");
      expect(capacityKind(false, "ml.m5.xlarge")).to.equal("ml.m5.xlarge");
    });

    it("names the EC2 type a hosting type runs on, for the zone check", () => {
      expect(sagemakerHostEc2Type("ml.g4dn.xlarge")).to.equal("g4dn.xlarge");
      expect(sagemakerHostEc2Type("m5.xlarge")).to.equal("m5.xlarge");
    });
  });

  describe("with minReplicas 0 (dev)", () => {
    const dev = { minReplicas: 0, maxReplicas: 4, size: "cpu-2x4" };

    it("uses serverless inference sized from the catalog memory where the size fits it", async () => {
      const config = single((await build(dev, "dev")).regs, CONFIG);
      expect(config.inputs.productionVariants).to.deep.equal([
        {
          variantName: VARIANT_NAME,
          modelName: "ep-model-generated",
          serverlessConfig: { memorySizeInMb: 4096, maxConcurrency: 4 },
        },
      ]);
      expect(config.inputs).to.not.have.any.keys("kmsKeyArn", "dataCaptureConfig");
    });

    it("leaves out what serverless inference does not support", async () => {
      const { regs } = await build(dev, "dev");
      expect(single(regs, MODEL).inputs).to.not.have.any.keys(
        "vpcConfig",
        "enableNetworkIsolation",
      );
      expect(regs.some((r) => r.type === TARGET || r.type === SCALING_POLICY)).to.equal(false);
      const policy = single(regs, "aws:iam/rolePolicy:RolePolicy").inputs.policy;
      const sids = statements(policy).map((s) => s.Sid);
      expect(sids).to.not.include.members([
        "WriteDataCapture",
        "ManageNetworkInterfacesInPlatformVpc",
      ]);
      expect(ofType(regs, ALARM)).to.have.length(2);
      expect(single(regs, GENERATION).inputs.keepers).to.deep.equal({ capacity: "serverless" });
    });

    for (const size of ["cpu-2x8", "gpu-t4x1"]) {
      it(`runs ${size}, which serverless inference cannot hold, on instances from 1`, async () => {
        const { regs } = await build({ ...dev, size }, "dev");
        const variant = (
          single(regs, CONFIG).inputs.productionVariants as Record<string, unknown>[]
        )[0];
        expect(variant).to.not.have.property("serverlessConfig");
        expect(variant.initialInstanceCount).to.equal(1);
        expect(variant.instanceType).to.equal(instanceFor("aws", size, "hosting").instanceType);
        expect(single(regs, TARGET).inputs).to.deep.include({ minCapacity: 1, maxCapacity: 4 });
      });
    }
  });

  it("keeps serverless settings within what SageMaker accepts for every size", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          ...SIZE_NAMES.filter((size) => unavailableReason(size, "aws", "hosting") === undefined),
        ),
        fc.integer({ min: 1, max: 50 }),
        (size, max) => {
          const row = resolveInstance(size, "aws", "hosting");
          const { memorySizeInMb, maxConcurrency } = serverlessConfig(row.memoryGiB, max);
          expect(memorySizeInMb % 1024).to.equal(0);
          expect(memorySizeInMb).to.be.within(1024, 6144);
          expect(maxConcurrency).to.equal(max);
        },
      ),
    );
  });

  it("tags every taggable child with the endpoint block and size, and parents it", async () => {
    const { regs } = await build();
    const ep = component(regs, "mlplatform:aws:OnlineEndpoint");
    const untaggable = new Set([
      "aws:iam/rolePolicy:RolePolicy",
      "aws:s3/bucketObjectv2:BucketObjectv2",
      SCALING_POLICY,
      GENERATION,
    ]);
    for (const child of regs.filter((r) => r.custom)) {
      expect(child.parent, child.name).to.equal(ep.urn);
      if (!untaggable.has(child.type)) {
        expect(child.inputs.tags, child.name).to.deep.equal(
          blockTags(TAGS, "endpoint", "cpu-4x16"),
        );
      }
    }
  });
});
