import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { run } from "../../engine/commands/gate";
import { UsageError } from "../../engine/errors";
import { SECRET_SIG, SIG_KEY } from "../../engine/gate/input";
import type { StackExport } from "../../engine/plan";
import { PROJECT_DIR } from "../../engine/project";
import { runCli, runInProcess } from "../cli";
import { DEV_SHAPE, PROD_SHAPE, asPreview, platformExport, stackConfigYaml } from "./fixtures";

interface GateResult {
  code: number;
  stdout: string;
}

/** Runs `gate` in this process with `argv`, capturing what it prints. */
function gate(argv: string[]): Promise<GateResult> {
  return runInProcess(run, argv);
}

/** The one-line message of the usage error `gate` fails with. */
async function usageError(argv: string[]): Promise<string> {
  try {
    await gate(argv);
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`gate ${argv.join(" ")} did not fail`);
}

/** An export as another project would hold it: every URN in it names `project`. */
function ofProject(stackExport: StackExport, project: string): StackExport {
  return JSON.parse(
    JSON.stringify(stackExport).replaceAll("::mlplatform::", `::${project}::`),
  ) as StackExport;
}

function findResource(stackExport: StackExport, name: string) {
  const resource = stackExport.deployment.resources.find((r) => r.urn.endsWith(`::${name}`));
  if (resource === undefined) throw new Error(`no resource ${name}`);
  return resource;
}

describe("gate", () => {
  let dir: string;
  const file = (name: string, content: unknown) => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, typeof content === "string" ? content : JSON.stringify(content));
    return target;
  };
  let prodConfig: string;
  let devConfig: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-"));
    prodConfig = file("Pulumi.prod.yaml", stackConfigYaml(PROD_SHAPE, 20000));
    devConfig = file("Pulumi.dev.yaml", stackConfigYaml(DEV_SHAPE, 5000));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** `gate --from` a file holding `content`, with the prod stack's config. */
  const gateProd = (name: string, content: unknown, ...flags: string[]) =>
    gate(["--from", file(name, content), "--config-file", prodConfig, ...flags]);

  describe("--from a stack export", () => {
    it("exits 0 on a compliant plan and prints no violation", async () => {
      const exported = file("prod.json", platformExport(PROD_SHAPE));
      const result = await gate(["--from", exported, "--config-file", prodConfig, "--json"]);
      expect(result).to.deep.equal({
        code: 0,
        stdout: `${JSON.stringify({ violations: [], notApplicable: [] }, null, 2)}\n`,
      });
    });

    it("exits 1 on a mandatory violation and names the resource", async () => {
      const stackExport = platformExport(PROD_SHAPE);
      const repository = findResource(stackExport, "aws-registry-repository");
      repository.inputs.imageTagMutability = "MUTABLE";
      const result = await gateProd("mutable.json", stackExport, "--json");
      expect(result.code).to.equal(1);
      expect(JSON.parse(result.stdout)).to.deep.equal({
        violations: [
          {
            policy: "ecr-immutable-tags",
            level: "mandatory",
            urn: repository.urn,
            message:
              'imageTagMutability must be "IMMUTABLE" so a pushed tag cannot be overwritten; it is "MUTABLE".',
          },
        ],
        notApplicable: [],
      });
    });

    it("prints each violation and a summary as text", async () => {
      const stackExport = platformExport(PROD_SHAPE);
      const repository = findResource(stackExport, "aws-registry-repository");
      repository.inputs.imageTagMutability = "MUTABLE";
      const result = await gateProd("mutable.json", stackExport);
      expect(result.code).to.equal(1);
      expect(result.stdout).to.equal(
        [
          "mandatory ecr-immutable-tags",
          `  ${repository.urn}`,
          '  imageTagMutability must be "IMMUTABLE" so a pushed tag cannot be overwritten; it is "MUTABLE".',
          "",
          "gate: failed: 1 mandatory and 0 advisory violations in 46 resources of stack prod, policy config policies/config/prod.json",
          "",
        ].join("\n"),
      );
    });

    it("prints a passing summary on a compliant plan", async () => {
      const result = await gateProd("prod.json", platformExport(PROD_SHAPE));
      expect(result).to.deep.equal({
        code: 0,
        stdout:
          "gate: passed: no policy violations in 46 resources of stack prod, policy config policies/config/prod.json\n",
      });
    });

    it("picks the policy config of the stack's tier", async () => {
      const result = await gate([
        "--from",
        file("dev.json", platformExport(DEV_SHAPE)),
        "--config-file",
        devConfig,
        "--json",
      ]);
      expect(result.code).to.equal(0);
      const { violations } = JSON.parse(result.stdout) as {
        violations: { policy: string; level: string }[];
      };
      expect(violations.map((v) => [v.policy, v.level])).to.deep.equal([
        ["azureml-workspace-no-public-access", "advisory"],
      ]);
    });

    it("takes a policy config file that changes a level", async () => {
      const stackExport = platformExport(PROD_SHAPE);
      findResource(stackExport, "aws-registry-repository").inputs.imageTagMutability = "MUTABLE";
      const exported = file("mutable.json", stackExport);
      const advisory = file("advisory.json", { "ecr-immutable-tags": "advisory" });
      const result = await gate([
        "--from",
        exported,
        "--config-file",
        prodConfig,
        "--policy-config",
        advisory,
        "--json",
      ]);
      expect(result.code).to.equal(0);
      expect(
        (JSON.parse(result.stdout) as { violations: { level: string }[] }).violations.map(
          (v) => v.level,
        ),
      ).to.deep.equal(["advisory"]);
      const disabled = file("disabled.json", { all: "disabled" });
      expect(
        await gate([
          "--from",
          exported,
          "--config-file",
          prodConfig,
          "--policy-config",
          disabled,
          "--json",
        ]),
      ).to.deep.equal({
        code: 0,
        stdout: `${JSON.stringify({ violations: [], notApplicable: [] }, null, 2)}\n`,
      });
    });

    it("reads a secret the export shows in plaintext, and cannot read an encrypted one", async () => {
      const stackExport = platformExport(PROD_SHAPE);
      const account = findResource(stackExport, "azure-storage-account");
      account.inputs.minimumTlsVersion = {
        [SIG_KEY]: SECRET_SIG,
        plaintext: JSON.stringify("TLS1_0"),
      };
      const plaintext = await gateProd("plaintext.json", stackExport, "--json");
      expect(JSON.parse(plaintext.stdout)).to.deep.equal({
        notApplicable: [],
        violations: [
          {
            policy: "storage-secure-transfer",
            level: "mandatory",
            urn: account.urn,
            message:
              'minimumTlsVersion must be "TLS1_2" or later, since the service otherwise accepts TLS 1.0; it is "TLS1_0".',
          },
        ],
      });
      account.inputs.minimumTlsVersion = { [SIG_KEY]: SECRET_SIG, ciphertext: "AAABAC..." };
      const encrypted = await gateProd("encrypted.json", stackExport, "--json");
      expect(encrypted.code).to.equal(0);
      expect(JSON.parse(encrypted.stdout)).to.deep.equal({
        notApplicable: [],
        violations: [
          {
            policy: "storage-secure-transfer",
            level: "advisory",
            urn: account.urn,
            message:
              "can't run policy 'storage-secure-transfer' from policy pack 'mlplatform@v0.1.0' during preview: string value at .minimumTlsVersion can't be known during preview",
          },
        ],
      });
    });

    it("leaves out resources pending deletion", async () => {
      const stackExport = platformExport(PROD_SHAPE);
      const repository = findResource(stackExport, "aws-registry-repository");
      repository.inputs.imageTagMutability = "MUTABLE";
      Object.assign(repository, { delete: true });
      const result = await gateProd("pending.json", stackExport);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.contain("in 45 resources of stack prod");
    });
  });

  describe("--from a pulumi preview --json file", () => {
    it("gives the verdicts of the export it previews", async () => {
      const stackExport = platformExport(PROD_SHAPE);
      findResource(stackExport, "gcp-storage-bucket").inputs.uniformBucketLevelAccess = false;
      const fromExport = await gateProd("export.json", stackExport, "--json");
      const fromPreview = await gateProd("preview.json", asPreview(stackExport), "--json");
      expect(fromPreview).to.deep.equal(fromExport);
      expect(fromPreview.code).to.equal(1);
    });

    it("judges the new state of each resource, not what a delete step leaves", async () => {
      const stackExport = platformExport(PROD_SHAPE);
      const preview = asPreview(stackExport) as {
        steps: { op: string; urn: string; newState?: unknown; oldState?: unknown }[];
      };
      const bucket = findResource(stackExport, "gcp-storage-bucket");
      const old = JSON.parse(JSON.stringify(bucket)) as typeof bucket;
      old.inputs.uniformBucketLevelAccess = false;
      preview.steps.push({ op: "delete-replaced", urn: bucket.urn, oldState: old, newState: old });
      const result = await gateProd("replace.json", preview);
      expect(result.code).to.equal(0);
    });
  });

  describe("bad input", () => {
    it("needs exactly one of --stack and --from", async () => {
      expect(await usageError([])).to.equal("gate: give either --stack NAME or --from FILE");
      expect(await usageError(["--stack", "prod", "--from", "x.json"])).to.equal(
        "gate: give either --stack NAME or --from FILE",
      );
    });

    it("names an unknown flag", async () => {
      expect(await usageError(["--stak", "prod"])).to.match(
        /^gate: Unknown option '--stak'.*; flags are --stack, --from, --config-file, --policy-config, --json$/,
      );
    });

    it("refuses a file it cannot read or parse", async () => {
      const missing = path.join(dir, "missing.json");
      expect(await usageError(["--from", missing])).to.equal(
        `--from ${missing}: cannot read the file`,
      );
      const notJson = file("not.json", "{");
      expect(await usageError(["--from", notJson])).to.match(
        new RegExp(`^--from ${notJson}: not JSON: `),
      );
      const other = file("other.json", { resources: [] });
      expect(await usageError(["--from", other])).to.equal(
        `--from ${other}: expected the output of pulumi stack export ({"version": 3, "deployment": ...}) or pulumi preview --json ({"steps": [...]})`,
      );
      const empty = file("empty.json", { version: 3, deployment: { resources: [] } });
      expect(await usageError(["--from", empty])).to.equal(
        `--from ${empty}: holds no resource with a urn:pulumi:<stack>::<project>:: URN`,
      );
    });

    it("refuses entries that are not resources, naming the file, the entry and the problem", async () => {
      const withResource = (change: (r: Record<string, unknown>) => void) => {
        const stackExport = platformExport(PROD_SHAPE);
        change(stackExport.deployment.resources[1] as unknown as Record<string, unknown>);
        return stackExport;
      };
      const preview = asPreview(platformExport(PROD_SHAPE)) as {
        steps: { newState: Record<string, unknown> }[];
      };
      preview.steps[2].newState.dependencies = [1];
      const cases: [string, unknown, string][] = [
        ["null-step", { steps: [null] }, "steps[0] must be an object; it is null"],
        [
          "null-resource",
          { version: 3, deployment: { resources: [null] } },
          "deployment.resources[0] must be an object; it is null",
        ],
        [
          "dependencies",
          withResource((r) => (r.dependencies = "abc")),
          'deployment.resources[1].dependencies must be a list of URN strings; it is "abc"',
        ],
        [
          "property-dependencies",
          withResource((r) => (r.propertyDependencies = { bucket: "urn:pulumi:prod::x" })),
          'deployment.resources[1].propertyDependencies.bucket must be a list of URN strings; it is "urn:pulumi:prod::x"',
        ],
        [
          "property-dependencies-list",
          withResource((r) => (r.propertyDependencies = ["urn:pulumi:prod::x"])),
          'deployment.resources[1].propertyDependencies must be an object of lists of URN strings; it is ["urn:pulumi:prod::x"]',
        ],
        [
          "urn",
          withResource((r) => (r.urn = 42)),
          "deployment.resources[1].urn must be a non-empty string; it is 42",
        ],
        [
          "type",
          withResource((r) => delete r.type),
          "deployment.resources[1].type must be a non-empty string; it is not set",
        ],
        [
          "inputs",
          withResource((r) => (r.inputs = "bucket")),
          'deployment.resources[1].inputs must be an object of properties; it is "bucket"',
        ],
        [
          "provider",
          withResource((r) => (r.provider = { urn: "x" })),
          'deployment.resources[1].provider must be a string; it is {"urn":"x"}',
        ],
        [
          "new-state",
          preview,
          "steps[2].newState.dependencies must be a list of URN strings; it is [1]",
        ],
        [
          "plaintext",
          withResource((r) => {
            (r.inputs as Record<string, unknown>).bucket = {
              [SIG_KEY]: SECRET_SIG,
              plaintext: "not json",
            };
          }),
          'deployment.resources[1].inputs.bucket: a secret\'s plaintext must be JSON text, as pulumi stack export --show-secrets writes it; it is "not json"',
        ],
      ];
      for (const [name, content, problem] of cases) {
        const malformed = file(`${name}.json`, content);
        expect(await usageError(["--from", malformed]), name).to.equal(
          `--from ${malformed}: ${problem}`,
        );
      }
    });

    it("prints a malformed file's problem on one line and exits 2, with no stack trace", () => {
      const malformed = file("null-steps.json", {
        steps: [{ op: "create", newState: null }, null],
      });
      expect(runCli(["gate", "--from", malformed])).to.deep.equal({
        status: 2,
        stdout: "",
        stderr: `error: --from ${malformed}: steps[1] must be an object; it is null\n`,
      });
    });

    it("refuses a file that holds resources of more than one stack, naming both", async () => {
      const stackExport = platformExport(PROD_SHAPE);
      const dev = platformExport(DEV_SHAPE).deployment.resources[5];
      stackExport.deployment.resources.push(dev);
      const mixed = file("mixed.json", stackExport);
      expect(await usageError(["--from", mixed])).to.equal(
        `--from ${mixed}: holds resources of more than one stack, prod (${stackExport.deployment.resources[0].urn}) and dev (${dev.urn}); gate one stack at a time`,
      );
      const other = platformExport(PROD_SHAPE);
      other.deployment.resources[3].urn = other.deployment.resources[3].urn.replace(
        "::mlplatform::",
        "::other::",
      );
      const otherProject = file("other-project-resource.json", other);
      expect(await usageError(["--from", otherProject])).to.equal(
        `--from ${otherProject}: holds resources of more than one stack, prod of project mlplatform (${other.deployment.resources[0].urn}) and prod of project other (${other.deployment.resources[3].urn}); gate one stack at a time`,
      );
    });

    it("needs the stack's config, from Pulumi.<stack>.yaml or --config-file", async () => {
      const stackExport = platformExport({ ...PROD_SHAPE, stack: "nosuch" });
      const exported = file("nosuch.json", stackExport);
      expect(await usageError(["--from", exported])).to.match(
        /^no config for stack "nosuch": Pulumi\.nosuch\.yaml does not exist; stacks here: /,
      );
    });

    it("gates another project's export without its config, under the baseline, saying what did not apply", async () => {
      const stackExport = ofProject(platformExport(PROD_SHAPE), "ml-infra");
      const repository = findResource(stackExport, "aws-registry-repository");
      repository.inputs.imageTagMutability = "MUTABLE";
      const exported = file("other-project.json", stackExport);
      const result = await gate(["--from", exported]);
      expect(result.code).to.equal(1);
      expect(result.stdout.split("\n").slice(-2)).to.deep.equal([
        "gate: failed: 1 mandatory and 0 advisory violations in 46 resources of stack prod of project ml-infra, no stack config (pass --config-file FILE to give one), policy config policies/config/baseline.json",
        "",
      ]);
      expect(result.stdout).to.contain(`mandatory ecr-immutable-tags\n  ${repository.urn}\n`);
    });

    it("reads another project's config from --config-file, its bare keys in that project", async () => {
      const stackExport = ofProject(platformExport(PROD_SHAPE), "ml-infra");
      const endpoint = findResource(stackExport, "gcp-endpoint-iris-deployment");
      endpoint.inputs.maxReplicas = 200;
      const config = file(
        "Pulumi.team-prod.yaml",
        "config:\n  ml-infra:owner: research\n  mlplatform:budgetMonthlyUsd: 1000\n",
      );
      const exported = file("other-project-budget.json", stackExport);
      const result = await gate([
        "--from",
        exported,
        "--config-file",
        config,
        "--policy-config",
        path.join(PROJECT_DIR, "policies", "config", "prod.json"),
        "--json",
      ]);
      const { violations } = JSON.parse(result.stdout) as {
        violations: { policy: string; urn: string; message: string }[];
      };
      const ceiling = violations.filter((v) => v.policy === "monthly-ceiling-within-budget");
      expect(ceiling.map((v) => v.urn)).to.deep.equal([endpoint.urn]);
      expect(ceiling[0].message).to.contain(
        "within $1,000.00 (stack config mlplatform:budgetMonthlyUsd)",
      );
    });

    it("lists a policy that did not apply, and why", async () => {
      const noBudget = file("Pulumi.nobudget.yaml", "config:\n  mlplatform:tier: prod\n");
      const result = await gate([
        "--from",
        file("prod.json", platformExport(PROD_SHAPE)),
        "--config-file",
        noBudget,
        "--json",
      ]);
      expect((JSON.parse(result.stdout) as { notApplicable: unknown }).notApplicable).to.deep.equal(
        [
          {
            policy: "monthly-ceiling-within-budget",
            reason: "neither mlplatform:budgetMonthlyUsd nor the policy's budgetMonthlyUsd is set",
          },
        ],
      );
    });

    it("takes the baseline for a stack config with no tier, and refuses a tier it does not know", async () => {
      const noTier = file("Pulumi.notier.yaml", "config:\n  mlplatform:budgetMonthlyUsd: 100\n");
      const exported = file("prod.json", platformExport(PROD_SHAPE));
      const result = await gate(["--from", exported, "--config-file", noTier]);
      expect(result.stdout).to.match(/, policy config policies\/config\/baseline\.json\n$/);
      const staging = file("Pulumi.staging.yaml", "config:\n  mlplatform:tier: staging\n");
      expect(await usageError(["--from", exported, "--config-file", staging])).to.equal(
        `${staging}: mlplatform:tier is "staging", so there is no tier policy config to pick; use dev or prod, or pass --policy-config FILE`,
      );
    });

    it("refuses a policy config that names no policy of the pack, or breaks a schema", async () => {
      const exported = file("prod.json", platformExport(PROD_SHAPE));
      const typo = file("typo.json", { "ecr-scan-onpush": "mandatory" });
      expect(
        await usageError([
          "--from",
          exported,
          "--config-file",
          prodConfig,
          "--policy-config",
          typo,
        ]),
      ).to.match(
        new RegExp(
          `^${typo}: ecr-scan-onpush is not a policy of the pack; its policies are instance-type-in-catalog, `,
        ),
      );
      const level = file("level.json", { "ecr-scan-on-push": "blocking" });
      expect(
        await usageError([
          "--from",
          exported,
          "--config-file",
          prodConfig,
          "--policy-config",
          level,
        ]),
      ).to.equal(
        `${level}: ecr-scan-on-push: "blocking" is not an enforcement level; use advisory, mandatory, remediate, disabled`,
      );
      const schema = file("schema.json", {
        "endpoint-min-replicas": { minReplicas: 0 },
        "required-tags": { requiredTags: ["owner", 3] },
      });
      expect(
        await usageError([
          "--from",
          exported,
          "--config-file",
          prodConfig,
          "--policy-config",
          schema,
        ]),
      ).to.equal(
        `${schema}: endpoint-min-replicas: minReplicas: must be at least 1; it is 0; required-tags: requiredTags[1]: must be of type string; it is 3`,
      );
    });

    it("refuses a property a policy does not have, suggesting the nearest", async () => {
      const exported = file("prod.json", platformExport(PROD_SHAPE));
      const typo = file("property-typo.json", {
        "endpoint-min-replicas": { minReplica: 3 },
        "ecr-scan-on-push": { enforcementLevel: "advisory", level: "advisory" },
      });
      expect(
        await usageError([
          "--from",
          exported,
          "--config-file",
          prodConfig,
          "--policy-config",
          typo,
        ]),
      ).to.equal(
        `${typo}: endpoint-min-replicas: minReplica is not a property of the policy (did you mean minReplicas? its properties are minReplicas); ecr-scan-on-push: level is not a property of the policy (it takes only enforcementLevel)`,
      );
    });

    it("refuses an asOfDate for no-retired-instance-type that is not a date", async () => {
      const exported = file("prod.json", platformExport(PROD_SHAPE));
      const date = file("as-of-date.json", {
        "no-retired-instance-type": { asOfDate: "1 May 2028" },
      });
      expect(
        await usageError([
          "--from",
          exported,
          "--config-file",
          prodConfig,
          "--policy-config",
          date,
        ]),
      ).to.equal(
        `${date}: no-retired-instance-type: asOfDate: must match ^\\d{4}-\\d{2}-\\d{2}$; it is "1 May 2028"`,
      );
    });
  });
});
