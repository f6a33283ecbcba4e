import { expect } from "chai";
import { UsageError } from "../../engine/errors";
import { SECRET_PLACEHOLDER, knownStacks, loadStackConfig } from "../../engine/stackConfig";
import { PROJECT_DIR, tempConfig } from "../cli";

describe("stack config loading", () => {
  it("encodes values the way the Pulumi CLI passes them to a program: Go's JSON, keys sorted", () => {
    const file = tempConfig(
      [
        "config:",
        "  aws:region: us-west-2",
        "  mlplatform:clouds: [aws]",
        "  mlplatform:budgetMonthlyUsd: 100",
        "  tier: dev",
        "  mlplatform:training:",
        "    size: cpu-4x16",
        "    minNodes: 0",
        "  mlplatform:tags: { team: a<b&c> }",
        "  mlplatform:apiKey:",
        "    secure: AAABAGx1",
      ].join("\n"),
    );
    const config = loadStackConfig(PROJECT_DIR, "custom", file);
    expect(config.values).to.deep.equal({
      "aws:region": "us-west-2",
      "mlplatform:clouds": '["aws"]',
      "mlplatform:budgetMonthlyUsd": "100",
      "mlplatform:tier": "dev",
      "mlplatform:training": '{"minNodes":0,"size":"cpu-4x16"}',
      "mlplatform:tags": '{"team":"a\\u003cb\\u0026c\\u003e"}',
      "mlplatform:apiKey": SECRET_PLACEHOLDER,
    });
    expect(config.secretKeys).to.deep.equal(["mlplatform:apiKey"]);
    expect(config.project).to.equal("mlplatform");
  });

  it("lists the project's stacks", () => {
    expect(knownStacks(PROJECT_DIR)).to.deep.equal([
      "aws-prod",
      "azure-prod",
      "dev",
      "gcp-prod",
      "prod",
    ]);
  });

  it("names the known stacks when a stack has no config file", () => {
    expect(() => loadStackConfig(PROJECT_DIR, "qa")).to.throw(
      UsageError,
      'no config for stack "qa": Pulumi.qa.yaml does not exist; stacks here: aws-prod, azure-prod, dev, gcp-prod, prod',
    );
  });

  it("refuses a stack name that could not be a file name", () => {
    expect(() => loadStackConfig(PROJECT_DIR, "../etc")).to.throw(
      UsageError,
      "is not a stack name",
    );
  });

  it("reports YAML that does not parse", () => {
    const file = tempConfig("config:\n  mlplatform:tier: [dev\n");
    expect(() => loadStackConfig(PROJECT_DIR, "custom", file)).to.throw(
      UsageError,
      "is not valid YAML",
    );
  });

  it("needs a map under config:", () => {
    const file = tempConfig("config: 3\n");
    expect(() => loadStackConfig(PROJECT_DIR, "custom", file)).to.throw(
      UsageError,
      'must hold a map under "config:"',
    );
  });
});
