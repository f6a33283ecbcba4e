import { expect } from "chai";
import {
  AwsContainerRegistry,
  TAGGED_IMAGES_KEPT,
  UNTAGGED_IMAGE_DAYS,
} from "../../components/aws/registry";
import { blockTags } from "../../components/tags";
import type { Tier } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, registered, single, unwrap } from "../harness";
import {
  ACCOUNT_ID,
  KEY_ARN,
  PLACEMENT,
  REGION,
  SUFFIX,
  TAGS,
  awsOutputs,
  component,
  privilegeProblems,
  statement,
} from "./fixtures";

const REPOSITORY = "aws:ecr/repository:Repository";
const NAME = `mlplatform-test-${SUFFIX}`;

describe("aws container registry", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({ outputs: awsOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(
    tier: Tier = "dev",
  ): Promise<{ regs: Registration[]; registry: AwsContainerRegistry }> {
    const registry = new AwsContainerRegistry("reg", {
      ...PLACEMENT,
      tier,
      tags: TAGS,
      uniqueSuffix: SUFFIX,
      kmsKeyArn: KEY_ARN,
      executionRoleName: "studio-role",
    });
    return { regs: await registered(rec), registry };
  }

  it("scans on push, keeps tags immutable and encrypts with the platform key", async () => {
    const { regs, registry } = await build();
    const repo = single(regs, REPOSITORY);
    expect(repo.inputs).to.deep.include({
      name: NAME,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: KEY_ARN }],
      tags: blockTags(TAGS, "registry"),
    });
    expect(await unwrap(registry.registryUrl)).to.equal(
      `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${NAME}`,
    );
  });

  it("expires untagged images and caps the tagged ones, untagged rule first", async () => {
    const { regs } = await build();
    const lifecycle = single(regs, "aws:ecr/lifecyclePolicy:LifecyclePolicy");
    expect(lifecycle.inputs.repository).to.equal(NAME);
    const { rules } = lifecycle.inputs.policy as { rules: Record<string, unknown>[] };
    expect(rules.map((r) => [r.rulePriority, r.selection])).to.deep.equal([
      [
        1,
        {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: UNTAGGED_IMAGE_DAYS,
        },
      ],
      [2, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: TAGGED_IMAGES_KEPT }],
    ]);
  });

  it("protects and retains the repository in prod; dev may be deleted with its images", async () => {
    const dev = single((await build("dev")).regs, REPOSITORY);
    expect([dev.protect, dev.retainOnDelete, dev.inputs.forceDelete]).to.deep.equal([
      false,
      false,
      true,
    ]);
    rec.reset();
    const prod = single((await build("prod")).regs, REPOSITORY);
    expect([prod.protect, prod.retainOnDelete, prod.inputs.forceDelete]).to.deep.equal([
      true,
      true,
      false,
    ]);
  });

  it("lets the execution role push and pull this repository only", async () => {
    const { regs } = await build();
    const grant = single(regs, "aws:iam/rolePolicy:RolePolicy");
    expect(grant.inputs.role).to.equal("studio-role");
    expect(privilegeProblems(grant.inputs.policy)).to.deep.equal([]);
    expect(statement(grant.inputs.policy, "PushPullPlatformRepository").Resource).to.equal(
      `arn:aws:ecr:${REGION}:${ACCOUNT_ID}:reg-repository`,
    );
  });

  it("parents every child to the registry", async () => {
    const { regs } = await build();
    const reg = component(regs, "mlplatform:aws:ContainerRegistry");
    for (const child of regs.filter((r) => r.custom)) {
      expect(child.parent, child.name).to.equal(reg.urn);
    }
  });
});
