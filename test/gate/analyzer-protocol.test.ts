import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import type { Violation } from "../../engine/gate/analyze";
import { fromStackExport } from "../../engine/gate/input";
import { POLICY_CONFIG_DIR, gateStack } from "../../engine/gate/pack";
import { readPolicyConfig, reconcilePolicyConfig } from "../../engine/gate/policyConfig";
import { UNKNOWN } from "../../engine/monitor";
import type { ExportedResource, StackExport } from "../../engine/plan";
import { PROJECT_DIR } from "../../engine/project";
import { type StackConfig, loadStackConfig } from "../../engine/stackConfig";
import { POLICIES } from "../../policies/policies";
import { planJson, runCli } from "../cli";
import { PolicyPackProcess, reconcileFromInfo } from "./analyzer";
import { DEV_SHAPE, PROD_SHAPE, platformExport } from "./fixtures";

const PROD_CONFIG = path.join(POLICY_CONFIG_DIR, "prod.json");
const DEV_CONFIG = path.join(POLICY_CONFIG_DIR, "dev.json");

type Change = (resource: ExportedResource) => void;

/** One setting per area that a compliant prod plan must not change: title, resource, change, policy. */
const CASES: [string, string, Change, string][] = [
  [
    "a security setting (scan on push off)",
    "aws-registry-repository",
    (r) => (r.inputs.imageScanningConfiguration = { scanOnPush: false }),
    "ecr-scan-on-push",
  ],
  [
    "a mapping setting (a VM size outside the catalog)",
    "azure-training-cluster",
    (r) =>
      ((
        (r.inputs.properties as Record<string, unknown>).properties as Record<string, unknown>
      ).vmSize = "Standard_D8as_v5"),
    "instance-type-in-catalog",
  ],
  [
    "a reliability setting (autoscaling down to one replica)",
    "aws-endpoint-iris-scaling",
    (r) => (r.inputs.minCapacity = 1),
    "endpoint-min-replicas",
  ],
  [
    "a reliability setting (an unprotected bucket)",
    "gcp-storage-bucket",
    (r) => delete r.protect,
    "stateful-resources-protected",
  ],
  [
    "a cost setting (200 replicas at peak)",
    "gcp-endpoint-iris-deployment",
    (r) => (r.inputs.maxReplicas = 200),
    "monthly-ceiling-within-budget",
  ],
];

function sorted(violations: readonly Violation[]): Violation[] {
  return [...violations].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** A copy of an export with one resource changed, and that resource's URN. */
function changed(
  stackExport: StackExport,
  name: string,
  change: Change,
): { stackExport: StackExport; urn: string } {
  const copy = JSON.parse(JSON.stringify(stackExport)) as StackExport;
  const resource = copy.deployment.resources.find((r) => r.urn.endsWith(`::${name}`));
  if (resource === undefined) throw new Error(`no resource ${name}`);
  change(resource);
  return { stackExport: copy, urn: resource.urn };
}

function mandatory(violations: readonly Violation[]): [string, string][] {
  return violations.filter((v) => v.level === "mandatory").map((v) => [v.policy, v.urn]);
}

describe("gate and the policy pack under the analyzer protocol", function () {
  // The pack starts as the CLI starts it (ts-node type-checks it first); plans run in a process each.
  this.timeout(300_000);
  let pack: PolicyPackProcess;
  let stackConfig: StackConfig;

  /** The gate's verdicts in this process, and the pack's over gRPC, on the same resources. */
  async function both(stackExport: StackExport, configFile: string) {
    const resources = fromStackExport(stackExport);
    const gate = await gateStack(
      { input: { project: "mlplatform", stack: "prod", resources }, config: stackConfig },
      configFile,
    );
    return { gate, crossGuard: await pack.analyze(resources) };
  }

  async function configure(file: string): Promise<void> {
    await pack.configure(reconcileFromInfo(await pack.info(), readPolicyConfig(file)));
  }

  // Both sides read the prod stack's own config (tier, budget), as CrossGuard hands it to the pack.
  before(async () => {
    stackConfig = loadStackConfig(PROJECT_DIR, "prod");
    pack = await PolicyPackProcess.start(stackConfig);
  });

  after(() => pack?.stop());

  it("gets the config the gate reconciles from what GetAnalyzerInfo says of each policy", async () => {
    const info = await pack.info();
    expect(info.getName()).to.equal("mlplatform");
    expect(info.getPoliciesList().map((p) => p.getName())).to.deep.equal(
      POLICIES.map((p) => p.name),
    );
    for (const file of [PROD_CONFIG, DEV_CONFIG]) {
      const entries = readPolicyConfig(file);
      expect(reconcileFromInfo(info, entries)).to.deep.equal(
        reconcilePolicyConfig(POLICIES, "advisory", entries, file),
      );
    }
  });

  describe("on the project's own prod plan, with the prod policy config", () => {
    let plan: StackExport;
    let dir: string;

    before(async () => {
      plan = planJson("prod");
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-prod-"));
      await configure(PROD_CONFIG);
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("passes the plan as it is, with no mandatory violation in either", async () => {
      const { gate, crossGuard } = await both(plan, PROD_CONFIG);
      expect(sorted(gate)).to.deep.equal(sorted(crossGuard));
      expect(mandatory(gate)).to.deep.equal([]);
    });

    for (const [title, name, change, policy] of CASES) {
      it(`makes gate exit 1 on ${title}, naming the resource, as the analyzer protocol does`, async () => {
        const { stackExport, urn } = changed(plan, name, change);
        const file = path.join(dir, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify(stackExport));
        const result = runCli(["gate", "--from", file, "--json"]);
        expect(result.status, result.stderr).to.equal(1);
        const { violations } = JSON.parse(result.stdout) as { violations: Violation[] };
        expect(mandatory(violations)).to.deep.include([policy, urn]);
        const crossGuard = await pack.analyze(fromStackExport(stackExport));
        expect(sorted(violations)).to.deep.equal(sorted(crossGuard));
      });
    }
  });

  describe("on a synthetic three-cloud prod plan, with the prod policy config", () => {
    const prod = platformExport(PROD_SHAPE);

    before(() => configure(PROD_CONFIG));

    it("passes the compliant plan in both, with no violation at all", async () => {
      const { gate, crossGuard } = await both(prod, PROD_CONFIG);
      expect(gate).to.deep.equal([]);
      expect(crossGuard).to.deep.equal([]);
    });

    for (const [title, name, change, policy] of CASES) {
      it(`fails ${title} in both`, async () => {
        const { stackExport, urn } = changed(prod, name, change);
        const { gate, crossGuard } = await both(stackExport, PROD_CONFIG);
        expect(sorted(gate)).to.deep.equal(sorted(crossGuard));
        expect(mandatory(gate)).to.deep.include([policy, urn]);
      });
    }

    it("turns an unknown value into the same advisory in both", async () => {
      const { stackExport } = changed(prod, "aws-storage-encryption", (r) => {
        r.inputs.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: UNKNOWN } }];
      });
      const { gate, crossGuard } = await both(stackExport, PROD_CONFIG);
      expect(sorted(gate)).to.deep.equal(sorted(crossGuard));
      expect(gate).to.deep.equal([
        {
          policy: "s3-kms-encryption",
          level: "advisory",
          urn: "urn:pulumi:prod::mlplatform::pulumi:pulumi:Stack::mlplatform-prod",
          message:
            "can't run policy 's3-kms-encryption' from policy pack 'mlplatform@v0.1.0' during preview: string value at .rules.0.applyServerSideEncryptionByDefault.sseAlgorithm can't be known during preview",
        },
      ]);
    });
  });

  describe("on a synthetic dev plan, with the dev policy config", () => {
    const dev = platformExport({ ...DEV_SHAPE, stack: "prod" });

    before(() => configure(DEV_CONFIG));

    it("gives the same advisory in both, and no mandatory violation", async () => {
      const { gate, crossGuard } = await both(dev, DEV_CONFIG);
      expect(sorted(gate)).to.deep.equal(sorted(crossGuard));
      expect(gate.map((v) => [v.policy, v.level])).to.deep.equal([
        ["azureml-workspace-no-public-access", "advisory"],
      ]);
    });

    it("fails an idle floor over the dev idle budget in both", async () => {
      const { stackExport, urn } = changed(dev, "azure-training-cluster", (r) => {
        const properties = (
          r.inputs.properties as {
            properties: { scaleSettings: Record<string, number>; vmPriority: string };
          }
        ).properties;
        // Dedicated nodes, so the floor is priced on demand, not at the spot price.
        properties.scaleSettings.minNodeCount = 4;
        properties.vmPriority = "Dedicated";
      });
      const { gate, crossGuard } = await both(stackExport, DEV_CONFIG);
      expect(sorted(gate)).to.deep.equal(sorted(crossGuard));
      expect(mandatory(gate)).to.deep.equal([["idle-floor-within-budget", urn]]);
    });
  });
});
