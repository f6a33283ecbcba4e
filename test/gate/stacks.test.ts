import { expect } from "chai";
import type { Violation } from "../../engine/gate/analyze";
import { knownStacks } from "../../engine/stackConfig";
import { PROJECT_DIR, runCli } from "../cli";

interface CostJson {
  currency: string;
  clouds: Record<string, { idleMonthlyUsd: number; peakMonthlyUsd: number }>;
  total: { idleMonthlyUsd: number; peakMonthlyUsd: number };
  resources: {
    kind: string;
    urn: string;
    cloud: string;
    block: string;
    instanceType: string;
    minMachines: number;
    maxMachines: number;
    idleMonthlyUsd: number;
    peakMonthlyUsd: number;
    chargeId?: string;
    quantity?: number;
  }[];
  unpriced: unknown[];
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

describe("the project's own stacks", function () {
  // Each command plans a stack in its own process: Pulumi's runtime allows one program a process.
  this.timeout(600_000);

  for (const stack of knownStacks(PROJECT_DIR)) {
    it(`${stack}: gate --stack passes its tier's policy config, every policy able to judge the plan`, () => {
      const result = runCli(["gate", "--stack", stack, "--json"]);
      expect(result.stderr, result.stderr).to.equal("");
      expect(result.status).to.equal(0);
      const { violations } = JSON.parse(result.stdout) as { violations: Violation[] };
      expect(violations.filter((v) => v.level === "mandatory")).to.deep.equal([]);
      expect(violations.filter((v) => v.message.startsWith("can't run"))).to.deep.equal([]);
    });
  }

  // GCP training in prod may scale to zero, so it runs as serverless Vertex AI custom jobs: no
  // standing cluster, priced from the bound the jobs are submitted with, a ceiling Vertex AI does
  // not enforce.
  it("prod: cost --json prices every training cluster and every endpoint, within the budget", () => {
    const result = runCli(["cost", "--stack", "prod", "--json"]);
    expect(result.status, result.stderr).to.equal(0);
    const cost = JSON.parse(result.stdout) as CostJson;
    expect(cost.currency).to.equal("USD");
    // The managed network names the model registry, created in the same update: the provider's
    // input is not known, the workspace block's is, and prices it.
    expect(cost.unpriced).to.deep.equal([]);
    const network = cost.resources.filter(
      (r) => r.cloud === "azure" && r.block === "workspace" && r.kind === "fixed",
    );
    expect(network.map((r) => [r.urn.split("::").pop(), r.chargeId, r.quantity])).to.deep.equal([
      ["azure-workspace-access-endpoint", "azure-private-endpoint", 1],
      ["azure-workspace-ml", "azure-private-endpoint", 6],
      ["azure-workspace-ml", "azure-firewall-basic", 1],
    ]);
    expect(Object.keys(cost.clouds).sort()).to.deep.equal(["aws", "azure", "gcp"]);
    const compute = cost.resources.filter((r) => r.kind === "compute");
    expect(compute.map((r) => `${r.cloud} ${r.block}`).sort()).to.deep.equal([
      "aws endpoint",
      "aws training",
      "azure endpoint",
      "azure training",
      "gcp endpoint",
      "gcp training",
    ]);
    const gcpTraining = compute.filter((r) => r.cloud === "gcp" && r.block === "training");
    expect(gcpTraining.map((r) => [r.minMachines, r.maxMachines, r.idleMonthlyUsd])).to.deep.equal([
      [0, 8, 0],
    ]);
    for (const [cloud, totals] of Object.entries(cost.clouds)) {
      const lines = cost.resources.filter((r) => r.cloud === cloud);
      expect(totals.peakMonthlyUsd).to.be.closeTo(sum(lines.map((l) => l.peakMonthlyUsd)), 0.05);
      expect(totals.idleMonthlyUsd).to.be.closeTo(sum(lines.map((l) => l.idleMonthlyUsd)), 0.05);
    }
    for (const line of compute.filter((r) => r.block === "endpoint")) {
      expect([line.minMachines, line.maxMachines], line.urn).to.deep.equal([2, 6]);
    }
    expect(cost.total.peakMonthlyUsd).to.be.above(0).and.at.most(20000);
  });

  it("dev: cost prints a table with a total per cloud and for the stack", () => {
    const json = JSON.parse(runCli(["cost", "--stack", "dev", "--json"]).stdout) as CostJson;
    const result = runCli(["cost", "--stack", "dev"]);
    expect(result.status, result.stderr).to.equal(0);
    const money = (n: number) =>
      n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const allLine = result.stdout.split("\n").find((l) => l.startsWith("all "));
    expect(allLine?.split(/\s+/).slice(-2)).to.deep.equal([
      money(json.total.idleMonthlyUsd),
      money(json.total.peakMonthlyUsd),
    ]);
    expect(result.stdout).to.contain("Budget (mlplatform:budgetMonthlyUsd): 5000 USD a month.");
  });

  it("cost needs --stack, and names an unknown flag", () => {
    expect(runCli(["cost"])).to.deep.include({
      status: 2,
      stderr: "error: cost: --stack is required\n",
    });
    const unknown = runCli(["cost", "--stack", "dev", "--from", "x.json"]);
    expect(unknown.status).to.equal(2);
    expect(unknown.stderr).to.match(
      /^error: cost: Unknown option '--from'.*; flags are --stack, --config-file, --json\n$/,
    );
  });
});
