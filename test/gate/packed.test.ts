import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import type { Violation } from "../../engine/gate/analyze";
import { type AnalyzerResource, fromStackExport } from "../../engine/gate/input";
import { POLICY_CONFIG_DIR } from "../../engine/gate/pack";
import { readPolicyConfig } from "../../engine/gate/policyConfig";
import type { StackExport } from "../../engine/plan";
import { PROJECT_DIR } from "../../engine/project";
import { type StackConfig, loadStackConfig } from "../../engine/stackConfig";
import { planJson } from "../cli";
import { POLICIES_DIR, PolicyPackProcess, reconcileFromInfo } from "./analyzer";

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const PROD_CONFIG = path.join(POLICY_CONFIG_DIR, "prod.json");

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

function sorted(violations: readonly Violation[]): Violation[] {
  return [...violations].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/**
 * The pack as `pulumi policy publish` uploads it and Pulumi Cloud installs it: `npm pack` of the
 * pack folder (which bundles it), the tarball unpacked in an empty folder outside the repository,
 * its dependencies installed there with `npm install --omit=dev`.
 */
describe("the packed policy pack, installed alone", function () {
  // One npm install from the registry for the whole suite; plans run in a process each.
  this.timeout(600_000);
  let dir: string;
  let tarball: string;
  let installed: string;
  let stackConfig: StackConfig;
  let packed: PolicyPackProcess;
  let inRepo: PolicyPackProcess;
  let plan: StackExport;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "packed-pack-"));
    const name = run(NPM, ["pack", "--pack-destination", dir, "--loglevel=error"], POLICIES_DIR)
      .trim()
      .split("\n")
      .pop() as string;
    tarball = path.join(dir, name);
    installed = path.join(dir, "install");
    fs.mkdirSync(installed);
    run("tar", ["xzf", tarball, "-C", installed], dir);
    installed = path.join(installed, "package");
    run(NPM, ["install", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"], installed);
    stackConfig = loadStackConfig(PROJECT_DIR, "prod");
    packed = await PolicyPackProcess.start(stackConfig, installed);
    inRepo = await PolicyPackProcess.start(stackConfig);
    plan = planJson("prod");
    for (const pack of [packed, inRepo]) {
      await pack.configure(reconcileFromInfo(await pack.info(), readPolicyConfig(PROD_CONFIG)));
    }
  });

  after(() => {
    packed?.stop();
    inRepo?.stop();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("holds the bundled pack, its policy configs and PulumiPolicy.yaml, and no TypeScript", () => {
    const files = run("tar", ["tzf", tarball], dir).trim().split("\n").sort();
    expect(files).to.deep.equal([
      "package/PulumiPolicy.yaml",
      "package/bin/index.js",
      "package/config/baseline.json",
      "package/config/dev.json",
      "package/config/prod.json",
      "package/package.json",
    ]);
    const main = (
      JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as { main: string }
    ).main;
    expect(fs.existsSync(path.join(installed, main)), main).to.equal(true);
    expect(fs.existsSync(path.join(installed, "node_modules", "typescript"))).to.equal(false);
  });

  it("describes the same pack as the in-repo one: name, version, policies and their schemas", async () => {
    const [a, b] = [await packed.info(), await inRepo.info()];
    expect(a.getName()).to.equal("mlplatform");
    expect(a.toObject()).to.deep.equal(b.toObject());
  });

  /** The two packs' verdicts on the same resources, which must agree. */
  async function both(resources: readonly AnalyzerResource[]) {
    const fromPacked = sorted(await packed.analyze(resources));
    expect(fromPacked).to.deep.equal(sorted(await inRepo.analyze(resources)));
    return fromPacked;
  }

  it("passes the compliant prod plan as the in-repo pack does", async () => {
    const verdicts = await both(fromStackExport(plan));
    expect(verdicts.filter((v) => v.level === "mandatory")).to.deep.equal([]);
  });

  it("fails a mutated prod plan with the in-repo pack's verdicts, the budget read from PULUMI_CONFIG", async () => {
    const mutated = JSON.parse(JSON.stringify(plan)) as StackExport;
    const byName = (name: string) => {
      const resource = mutated.deployment.resources.find((r) => r.urn.endsWith(`::${name}`));
      if (resource === undefined) throw new Error(`no resource ${name}`);
      return resource;
    };
    byName("aws-registry-repository").inputs.imageScanningConfiguration = { scanOnPush: false };
    const deployment = byName("gcp-endpoint-iris-deployment");
    deployment.inputs.maxReplicas = 200;
    const verdicts = await both(fromStackExport(mutated));
    const mandatory = verdicts.filter((v) => v.level === "mandatory").map((v) => [v.policy, v.urn]);
    expect(mandatory).to.deep.include(["ecr-scan-on-push", byName("aws-registry-repository").urn]);
    expect(mandatory).to.deep.include(["monthly-ceiling-within-budget", deployment.urn]);
    const ceiling = verdicts.find((v) => v.policy === "monthly-ceiling-within-budget");
    expect(ceiling?.message).to.contain(`(stack config mlplatform:budgetMonthlyUsd)`);
  });

  it("says the budget is not judged when the CLI hands it no stack config", async () => {
    const bare = await PolicyPackProcess.start(undefined, installed);
    try {
      await bare.configure(reconcileFromInfo(await bare.info(), readPolicyConfig(PROD_CONFIG)));
      const mutated = JSON.parse(JSON.stringify(plan)) as StackExport;
      const deployment = mutated.deployment.resources.find((r) =>
        r.urn.endsWith("::gcp-endpoint-iris-deployment"),
      );
      if (deployment === undefined) throw new Error("no gcp-endpoint-iris-deployment");
      deployment.inputs.maxReplicas = 200;
      const { violations, notApplicable } = await bare.analyzeWithReasons(fromStackExport(mutated));
      expect(violations.map((v) => v.policy)).to.not.include("monthly-ceiling-within-budget");
      expect(
        notApplicable.filter((n) => n.policy === "monthly-ceiling-within-budget"),
      ).to.deep.equal([
        {
          policy: "monthly-ceiling-within-budget",
          reason:
            "the pack was handed no stack config, so mlplatform:budgetMonthlyUsd cannot be read, and the policy's budgetMonthlyUsd is not set; the ceiling is not judged",
        },
      ]);
    } finally {
      bare.stop();
    }
  });
});
