import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { parse, stringify } from "yaml";
import { HOURS_PER_MONTH, resolveInstance } from "../../policies/catalog";
import { CLOUDS } from "../../policies/platform";
import { type StackDiff, changedPaths, compareViolations, run } from "../../engine/commands/diff";
import { UsageError } from "../../engine/errors";
import type { Violation } from "../../engine/gate/analyze";
import { ASSET_SIG } from "../../engine/gate/args";
import { SECRET_SIG, SIG_KEY } from "../../engine/gate/input";
import { UNKNOWN } from "../../engine/monitor";
import type { ExportedResource, StackExport } from "../../engine/plan";
import { nameOfUrn } from "../../policies/lib/types";
import { PROJECT_DIR, runCli, runInProcess } from "../cli";
import {
  PROD_SHAPE,
  type PlatformShape,
  asPreview,
  platformExport,
  stackConfigYaml,
} from "../gate/fixtures";

function findResource(stackExport: StackExport, name: string): ExportedResource {
  const resource = stackExport.deployment.resources.find((r) => r.urn.endsWith(`::${name}`));
  if (resource === undefined) throw new Error(`no resource ${name}`);
  return resource;
}

async function usageError(argv: string[]): Promise<string> {
  try {
    await runInProcess(run, argv);
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`diff ${argv.join(" ")} did not fail`);
}

describe("diff", () => {
  let dir: string;
  let prodConfig: string;
  const file = (name: string, content: unknown) => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, typeof content === "string" ? content : JSON.stringify(content));
    return target;
  };
  /** `diff` of two synthetic prod stacks in `format`, with the prod stack's config. */
  const diffAs = (format: "--json" | "--markdown", base: unknown, head: unknown) =>
    runInProcess(run, [
      "--base",
      file("base.json", base),
      "--head",
      file("head.json", head),
      "--config-file",
      prodConfig,
      format,
    ]);
  const diffJson = async (base: unknown, head: unknown) => {
    const result = await diffAs("--json", base, head);
    return { code: result.code, diff: JSON.parse(result.stdout) as StackDiff };
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "diff-"));
    prodConfig = file("Pulumi.prod.yaml", stackConfigYaml(PROD_SHAPE, 20000));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("cost", () => {
    it("prices a change of the replica bound as replicas x hours x the catalog price", async () => {
      const head: PlatformShape = { ...PROD_SHAPE, maxReplicas: PROD_SHAPE.maxReplicas + 2 };
      const { code, diff } = await diffJson(platformExport(PROD_SHAPE), platformExport(head));
      expect(code).to.equal(0);
      let total = 0;
      for (const cloud of CLOUDS) {
        const hourlyUsd = resolveInstance(PROD_SHAPE.endpointSize, cloud, "hosting").hourlyUsd;
        const expected = 2 * HOURS_PER_MONTH * hourlyUsd;
        total += expected;
        const cost = diff.clouds[cloud];
        expect(cost?.peakMonthlyUsd.delta, cloud).to.be.closeTo(expected, 0.005);
        expect(cost?.peakMonthlyUsd.head, cloud).to.be.closeTo(
          (cost?.peakMonthlyUsd.base ?? 0) + expected,
          0.01,
        );
        expect(cost?.idleMonthlyUsd.delta, cloud).to.equal(0);
        expect(cost?.movers.length, cloud).to.equal(1);
        expect(cost?.movers[0].peakMonthlyUsd.delta, cloud).to.be.closeTo(expected, 0.005);
      }
      expect(diff.total.peakMonthlyUsd.delta).to.be.closeTo(total, 0.01);
      expect(diff.total.idleMonthlyUsd.delta).to.equal(0);
      const scaling = findResource(platformExport(PROD_SHAPE), "aws-endpoint-iris-scaling").urn;
      expect(diff.resources.changed).to.deep.include({ urn: scaling, paths: ["maxCapacity"] });
      expect(diff.resources.added).to.deep.equal([]);
      expect(diff.resources.removed).to.deep.equal([]);
      expect(diff.resources.replaced).to.deep.equal([]);
    });
  });

  describe("resources", () => {
    it("gives an empty diff and exit 0 for identical inputs, an export against its preview too", async () => {
      const exported = platformExport(PROD_SHAPE);
      for (const head of [exported, asPreview(exported)]) {
        const { code, diff } = await diffJson(exported, head);
        expect(code).to.equal(0);
        expect(diff.resources).to.deep.equal({ added: [], removed: [], replaced: [], changed: [] });
        expect(diff.policy).to.deep.equal({ introduced: [], resolved: [], unchanged: 0 });
        for (const cost of [...Object.values(diff.clouds), diff.total]) {
          expect(cost.idleMonthlyUsd.delta).to.equal(0);
          expect(cost.peakMonthlyUsd.delta).to.equal(0);
        }
        expect(Object.values(diff.clouds).every((c) => c.movers.length === 0)).to.equal(true);
      }
    });

    it("shows a removed resource with the cost it took away", async () => {
      const base = platformExport(PROD_SHAPE);
      const removed = findResource(base, "aws-endpoint-iris-config");
      const head = structuredClone(base);
      head.deployment.resources = head.deployment.resources.filter((r) => r.urn !== removed.urn);
      const { diff } = await diffJson(base, head);
      const hourlyUsd = resolveInstance(PROD_SHAPE.endpointSize, "aws", "hosting").hourlyUsd;
      expect(diff.resources.removed).to.have.length(1);
      expect(diff.resources.removed[0]).to.include({ urn: removed.urn, type: removed.type });
      expect(diff.resources.removed[0].idleMonthlyUsd).to.be.closeTo(
        PROD_SHAPE.minReplicas * HOURS_PER_MONTH * hourlyUsd,
        0.005,
      );
      expect(diff.clouds.aws?.idleMonthlyUsd.delta).to.be.closeTo(
        -(diff.resources.removed[0].idleMonthlyUsd ?? 0),
        0.01,
      );
    });

    it("counts a resource as replaced when its provider changes or an immutable input does", async () => {
      const base = platformExport(PROD_SHAPE);
      const providerRef = (name: string) =>
        `urn:pulumi:prod::mlplatform::pulumi:providers:aws::${name}::${UNKNOWN}`;
      findResource(base, "aws-workspace-key").provider = providerRef("default_7_48_0");
      const head = structuredClone(base);
      const key = findResource(head, "aws-workspace-key");
      key.provider = providerRef("us-west-2");
      const config = findResource(head, "aws-endpoint-iris-config");
      const variants = config.inputs.productionVariants as Record<string, unknown>[];
      variants[0].instanceType = "ml.m5.2xlarge";
      (config.inputs.tags as Record<string, string>).owner = "someone-else";
      const { diff } = await diffJson(base, head);
      expect(diff.resources.replaced.map((r) => [r.urn, r.paths])).to.deep.equal([
        [key.urn, []],
        [config.urn, ["productionVariants[0].instanceType", "tags.owner"]],
      ]);
      expect(diff.resources.replaced[0].reason).to.match(
        /^provider changes from .* to .*us-west-2$/,
      );
      expect(diff.resources.replaced[1].reason).to.equal(
        "productionVariants[0].instanceType cannot change in place on aws:sagemaker/endpointConfiguration:EndpointConfiguration",
      );
      expect(diff.resources.changed).to.deep.equal([]);
    });

    it("counts a provider move as a replacement only when the provider's config changes", async () => {
      const withProvider = (name: string, region: string, version: string) => {
        const exported = platformExport(PROD_SHAPE);
        const urn = `urn:pulumi:prod::mlplatform::pulumi:providers:aws::${name}`;
        exported.deployment.resources.push({
          urn,
          custom: true,
          type: "pulumi:providers:aws",
          inputs: { region, version },
        });
        findResource(exported, "aws-workspace-key").provider = `${urn}::${UNKNOWN}`;
        return { exported, urn };
      };
      const base = withProvider("default_7_48_0", "us-east-1", "7.48.0");
      const bump = withProvider("default_7_49_0", "us-east-1", "7.49.0");
      const key = findResource(base.exported, "aws-workspace-key").urn;
      const bumped = await diffJson(base.exported, bump.exported);
      expect(bumped.diff.resources.replaced).to.deep.equal([]);
      expect(bumped.diff.resources.changed).to.deep.equal([]);
      expect(bumped.diff.resources.added.map((e) => e.urn)).to.deep.equal([bump.urn]);

      const moved = await diffJson(
        base.exported,
        withProvider("default_7_49_0", "us-west-2", "7.49.0").exported,
      );
      expect(moved.diff.resources.replaced).to.deep.equal([
        {
          urn: key,
          type: "aws:kms/key:Key",
          reason: `provider changes from ${base.urn} to ${bump.urn}, whose config differs at region`,
          paths: [],
        },
      ]);
    });

    it("refuses two different stacks, naming both", async () => {
      const dev = platformExport({ ...PROD_SHAPE, stack: "dev" });
      const message = await usageError([
        "--base",
        file("dev.json", dev),
        "--head",
        file("prod.json", platformExport(PROD_SHAPE)),
        "--config-file",
        prodConfig,
      ]);
      expect(message).to.match(/^diff: --base holds stack dev and the head stack prod; /);
    });

    it("names the flag of a file it cannot read, and refuses --json with --markdown", async () => {
      const prod = file("prod.json", platformExport(PROD_SHAPE));
      expect(await usageError(["--base", path.join(dir, "none.json"), "--head", prod])).to.equal(
        `--base ${path.join(dir, "none.json")}: cannot read the file`,
      );
      expect(await usageError(["--base", prod])).to.equal(
        "diff: give either --head FILE or --stack NAME for the head",
      );
      expect(await usageError(["--base", prod, "--head", prod, "--json", "--markdown"])).to.equal(
        "diff: use --json or --markdown, not both",
      );
    });
  });

  describe("policy", () => {
    it("shows a security setting turned off as an introduced mandatory violation, exit 1", async () => {
      const base = platformExport(PROD_SHAPE);
      const head = structuredClone(base);
      const repository = findResource(head, "aws-registry-repository");
      repository.inputs.imageTagMutability = "MUTABLE";
      const { code, diff } = await diffJson(base, head);
      expect(code).to.equal(1);
      expect(diff.policy.introduced).to.deep.equal([
        {
          policy: "ecr-immutable-tags",
          level: "mandatory",
          urn: repository.urn,
          message:
            'imageTagMutability must be "IMMUTABLE" so a pushed tag cannot be overwritten; it is "MUTABLE".',
        },
      ]);
      expect(diff.policy.resolved).to.deep.equal([]);
      expect(diff.resources.changed).to.deep.equal([
        { urn: repository.urn, paths: ["imageTagMutability"] },
      ]);

      const back = await diffJson(head, base);
      expect(back.code).to.equal(0);
      expect(back.diff.policy.resolved).to.deep.equal(diff.policy.introduced);
      expect(back.diff.policy.introduced).to.deep.equal([]);
    });

    it("writes a pull-request comment: a table per cloud, then the violations", async () => {
      const base = platformExport(PROD_SHAPE);
      const head = platformExport({ ...PROD_SHAPE, maxReplicas: PROD_SHAPE.maxReplicas + 2 });
      findResource(head, "aws-registry-repository").inputs.imageTagMutability = "MUTABLE";
      const result = await diffAs("--markdown", base, head);
      expect(result.code).to.equal(1);
      const lines = result.stdout.split("\n");
      for (const cloud of [...CLOUDS, "total"]) {
        const at = lines.indexOf(`**${cloud}**`);
        expect(at, cloud).to.be.greaterThan(-1);
        expect(lines.slice(at + 2, at + 4)).to.deep.equal([
          "| USD a month | base | head | change |",
          "| --- | --: | --: | --: |",
        ]);
        expect(lines[at + 4]).to.match(/^\| idle floor \| \$[\d,.]+ \| \$[\d,.]+ \| \$0\.00 \|$/);
        expect(lines[at + 5]).to.match(
          /^\| peak ceiling \| \$[\d,.]+ \| \$[\d,.]+ \| \+\$[\d,.]+ \|$/,
        );
      }
      expect(result.stdout).to.include(
        "- **mandatory** `ecr-immutable-tags` on `aws-registry-repository`: imageTagMutability must be",
      );
      expect(lines.indexOf("Introduced:")).to.be.greaterThan(lines.indexOf("**total**"));
    });
  });

  describe("changedPaths", () => {
    it("names nested and listed inputs as Pulumi property paths", () => {
      expect(
        changedPaths(
          { a: { b: 1, "c-d": 2 }, list: [1, 2], same: [{ x: 1 }] },
          { a: { b: 2, "c-d": 3 }, list: [1, 2, 3], same: [{ x: 1 }], extra: true },
        ),
      ).to.deep.equal(["a.b", 'a["c-d"]', "extra", "list[2]"]);
    });

    it("treats a value unknown on both sides as unchanged, and a secret as one value", () => {
      const secret = (value: string) => ({ [SIG_KEY]: SECRET_SIG, value });
      expect(
        changedPaths({ id: UNKNOWN, s: secret("a") }, { id: UNKNOWN, s: secret("a") }),
      ).to.deep.equal([]);
      expect(changedPaths({ s: secret("a") }, { s: secret("b") })).to.deep.equal(["s"]);
      expect(changedPaths({ id: UNKNOWN }, { id: "known" })).to.deep.equal(["id"]);
    });

    it("compares file assets by their contents, not where the checkout sits", () => {
      const asset = (name: string, text: string) => {
        const target = file(name, text);
        return { source: { [SIG_KEY]: ASSET_SIG, path: target } };
      };
      expect(changedPaths(asset("a.txt", "model"), asset("b.txt", "model"))).to.deep.equal([]);
      expect(changedPaths(asset("a.txt", "model"), asset("c.txt", "retrained"))).to.deep.equal([
        "source",
      ]);
    });
  });

  describe("compareViolations", () => {
    const violation = (
      policy: string,
      message: string,
      level: Violation["level"] = "mandatory",
    ) => ({
      policy,
      level,
      urn: "urn:pulumi:s::p::t::n",
      message,
    });

    it("keeps a violation whose message names a new amount as unchanged", () => {
      const base = [violation("budget", "ceiling $10 exceeds $5")];
      const head = [violation("budget", "ceiling $12 exceeds $5")];
      expect(compareViolations(base, head)).to.deep.equal({
        introduced: [],
        resolved: [],
        unchanged: 1,
      });
    });

    it("pairs a stack policy's violation that names another resource as unchanged", () => {
      const base = [violation("budget", "ceiling $10 exceeds $5")];
      const head = [
        { ...violation("budget", "ceiling $12 exceeds $5"), urn: "urn:pulumi:s::p::t::m" },
      ];
      expect(compareViolations(base, head)).to.deep.equal({
        introduced: [],
        resolved: [],
        unchanged: 1,
      });
    });

    it("counts a violation that becomes mandatory as introduced", () => {
      const base = [violation("tags", "owner missing", "advisory")];
      const head = [violation("tags", "owner missing", "mandatory")];
      expect(compareViolations(base, head)).to.deep.equal({
        introduced: head,
        resolved: base,
        unchanged: 0,
      });
    });
  });
});

describe("diff of two stack configs, planned as a pipeline plans them", function () {
  this.timeout(300_000);

  it("shows an added endpoint as added, with its cost on every cloud", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diff-plan-"));
    try {
      const document = parse(
        fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8"),
      ) as {
        config: Record<string, unknown>;
      };
      const endpoints = document.config["mlplatform:endpoints"] as Record<string, unknown>[];
      const added = { ...endpoints[0], name: "fraud", minReplicas: 1, maxReplicas: 2 };
      document.config["mlplatform:endpoints"] = [...endpoints, added];
      const headConfig = path.join(dir, "head.yaml");
      fs.writeFileSync(headConfig, stringify(document));
      const basePlan = path.join(dir, "base.json");
      const plan = runCli(["plan", "--stack", "dev", "--out", basePlan]);
      expect(plan.status, plan.stderr).to.equal(0);

      const result = runCli([
        "diff",
        "--base",
        basePlan,
        "--stack",
        "dev",
        "--config-file",
        headConfig,
        "--base-config-file",
        path.join(PROJECT_DIR, "Pulumi.dev.yaml"),
        "--json",
      ]);
      expect(result.stderr).to.equal("");
      const diff = JSON.parse(result.stdout) as StackDiff;
      const mandatory = diff.policy.introduced.some((v) => v.level === "mandatory");
      expect(result.status).to.equal(mandatory ? 1 : 0);
      expect(diff.resources.removed).to.deep.equal([]);
      expect(diff.resources.added.length).to.be.greaterThan(0);
      for (const cloud of CLOUDS) {
        const size = endpoints[0].size as Parameters<typeof resolveInstance>[0];
        const hourlyUsd = resolveInstance(size, cloud, "hosting").hourlyUsd;
        const priced = diff.resources.added.filter(
          // The endpoint's compute; its alarms are fixed charges of their own.
          (e) =>
            e.urn.includes(`${cloud}-endpoint-fraud`) &&
            !/-(5xx|latency)$/.test(e.urn) &&
            e.peakMonthlyUsd !== undefined,
        );
        expect(priced, cloud).to.have.length(1);
        expect(priced[0].idleMonthlyUsd, cloud).to.be.closeTo(
          1 * HOURS_PER_MONTH * hourlyUsd,
          0.005,
        );
        expect(priced[0].peakMonthlyUsd, cloud).to.be.closeTo(
          2 * HOURS_PER_MONTH * hourlyUsd,
          0.005,
        );
        const cost = diff.clouds[cloud];
        const all = diff.resources.added.filter(
          (e) => e.urn.includes(`${cloud}-endpoint-fraud`) && e.peakMonthlyUsd !== undefined,
        );
        const sum = (end: "idleMonthlyUsd" | "peakMonthlyUsd") =>
          all.reduce((total, e) => total + (e[end] ?? 0), 0);
        expect(cost?.idleMonthlyUsd.delta, cloud).to.be.closeTo(sum("idleMonthlyUsd"), 0.01);
        expect(cost?.peakMonthlyUsd.delta, cloud).to.be.closeTo(sum("peakMonthlyUsd"), 0.01);
      }
      expect(
        diff.resources.added.every((e) => nameOfUrn(e.urn).includes("-fraud")),
        "only the new endpoint's resources are added",
      ).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
