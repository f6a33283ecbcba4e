import { expect } from "chai";
import { AwsModelRegistry, packagesOf } from "../../components/aws/modelRegistry";
import { blockTags } from "../../components/tags";
import type { Tier } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, ofType, registered, single, unwrap } from "../harness";
import {
  ACCOUNT_ID,
  PLACEMENT,
  REGION,
  TAGS,
  awsOutputs,
  component,
  privilegeProblems,
  statement,
} from "./fixtures";

const GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup";
const GROUP_ARN = `arn:aws:sagemaker:${REGION}:${ACCOUNT_ID}:model-package-group`;

describe("aws model registry", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({ outputs: awsOutputs });
  });
  beforeEach(() => rec.reset());

  async function build(
    tier: Tier = "dev",
    modelNames = ["iris", "churn"],
  ): Promise<{ regs: Registration[]; registry: AwsModelRegistry }> {
    const registry = new AwsModelRegistry("models", {
      nameParts: PLACEMENT.nameParts,
      tier,
      tags: TAGS,
      modelNames,
      executionRoleName: "studio-role",
    });
    return { regs: await registered(rec), registry };
  }

  it("has one model package group per model", async () => {
    const { regs, registry } = await build();
    const groups = ofType(regs, GROUP);
    expect(groups.map((g) => g.inputs.modelPackageGroupName)).to.deep.equal([
      "mlplatform-test-iris",
      "mlplatform-test-churn",
    ]);
    for (const group of groups) {
      expect(group.inputs.tags).to.deep.equal(blockTags(TAGS, "model-registry"));
    }
    expect(await unwrap(registry.modelRegistryName)).to.equal(
      "mlplatform-test-iris,mlplatform-test-churn",
    );
    expect(await unwrap(registry.groupNames.churn)).to.equal("mlplatform-test-churn");
  });

  it("protects and retains the groups in prod only", async () => {
    const dev = ofType((await build("dev")).regs, GROUP);
    expect(dev.every((g) => !g.protect && !g.retainOnDelete)).to.equal(true);
    rec.reset();
    const prod = ofType((await build("prod")).regs, GROUP);
    expect(prod.every((g) => g.protect && g.retainOnDelete)).to.equal(true);
  });

  it("lets the execution role register versions in these groups only", async () => {
    const { regs } = await build();
    const policy = single(regs, "aws:iam/rolePolicy:RolePolicy").inputs.policy;
    expect(privilegeProblems(policy)).to.deep.equal([]);
    expect(statement(policy, "RegisterModelVersions").Resource).to.deep.equal([
      `${GROUP_ARN}/mlplatform-test-iris`,
      `arn:aws:sagemaker:${REGION}:${ACCOUNT_ID}:model-package/mlplatform-test-iris/*`,
      `${GROUP_ARN}/mlplatform-test-churn`,
      `arn:aws:sagemaker:${REGION}:${ACCOUNT_ID}:model-package/mlplatform-test-churn/*`,
    ]);
  });

  it("derives the package pattern from the group's own ARN", async () => {
    expect(
      await unwrap(packagesOf("arn:aws:sagemaker:eu-west-1:1:model-package-group/abc")),
    ).to.equal("arn:aws:sagemaker:eu-west-1:1:model-package/abc/*");
  });

  it("declares nothing but the component without endpoints", async () => {
    const { regs, registry } = await build("dev", []);
    expect(regs.filter((r) => r.custom)).to.deep.equal([]);
    expect(await unwrap(registry.modelRegistryName)).to.equal("");
  });

  it("parents every child to the registry", async () => {
    const { regs } = await build();
    const registry = component(regs, "mlplatform:aws:ModelRegistry");
    for (const child of regs.filter((r) => r.custom)) {
      expect(child.parent, child.name).to.equal(registry.urn);
    }
  });
});
