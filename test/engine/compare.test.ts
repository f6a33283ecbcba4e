import { expect } from "chai";
import { runCli, tempConfig } from "../cli";

interface Comparison {
  cloud: string;
  notComparable?: string[];
  resources?: number;
  blocks?: Record<string, number>;
  trainingType?: string;
  hostingTypes?: Record<string, string>;
  idleMonthlyUsd?: number;
  peakMonthlyUsd?: number;
}

describe("compare command", function () {
  this.timeout(300_000);

  it("plans a one-cloud stack's spec on all three clouds, costs agreeing with cost", () => {
    const result = runCli(["compare", "--stack", "azure-prod", "--json"]);
    expect(result.stderr).to.equal("");
    expect(result.status).to.equal(0);
    const report = JSON.parse(result.stdout) as { standIns: string[]; clouds: Comparison[] };
    expect(report.clouds.map((c) => c.cloud)).to.deep.equal(["aws", "azure", "gcp"]);
    expect(report.standIns).to.deep.equal([
      "aws:region=us-east-1",
      "gcp:project=mlplatform-compare",
      "gcp:region=us-central1",
    ]);
    const byCloud = Object.fromEntries(report.clouds.map((c) => [c.cloud, c]));
    expect(byCloud.aws.trainingType).to.equal("m5.2xlarge");
    expect(byCloud.azure.hostingTypes).to.deep.equal({ iris: "Standard_D4as_v4" });
    expect(byCloud.gcp.hostingTypes).to.deep.equal({ iris: "n2-standard-4" });
    for (const c of report.clouds) {
      const sum = Object.values(c.blocks ?? {}).reduce((a, b) => a + b, 0);
      expect(c.resources, c.cloud).to.equal(sum);
    }

    const cost = runCli(["cost", "--stack", "azure-prod", "--json"]);
    const azure = (JSON.parse(cost.stdout) as { clouds: Record<string, unknown> }).clouds.azure;
    expect({
      idleMonthlyUsd: byCloud.azure.idleMonthlyUsd,
      peakMonthlyUsd: byCloud.azure.peakMonthlyUsd,
    }).to.deep.equal(azure);
  });

  it("names a cloud that cannot run the spec, and compares the others", () => {
    const file = tempConfig(
      [
        "config:",
        "  aws:region: us-east-1",
        "  mlplatform:clouds: [aws]",
        "  mlplatform:tier: dev",
        "  mlplatform:training: {size: cpu-2x8, minNodes: 0, maxNodes: 2}",
      ].join("\n"),
    );
    const result = runCli(["compare", "--stack", "dev", "--config-file", file, "--json"]);
    expect(result.status).to.equal(0);
    const clouds = (JSON.parse(result.stdout) as { clouds: Comparison[] }).clouds;
    const gcp = clouds.find((c) => c.cloud === "gcp");
    expect(gcp?.notComparable?.[0]).to.match(
      /^mlplatform:training\.size: "cpu-2x8" is not available on gcp \(Vertex AI training accepts no 2-vCPU/,
    );
    expect(clouds.find((c) => c.cloud === "azure")?.trainingType).to.equal("Standard_D2as_v4");
  });

  it("stands in for the principals a one-cloud stack's members lack on the other clouds", () => {
    const file = tempConfig(
      [
        "config:",
        "  aws:region: us-east-1",
        "  mlplatform:clouds: [aws]",
        "  mlplatform:tier: dev",
        "  mlplatform:teams: [{name: research, members: [{name: alice}]}]",
      ].join("\n"),
    );
    const result = runCli(["compare", "--stack", "dev", "--config-file", file, "--json"]);
    expect(result.stderr).to.equal("");
    const report = JSON.parse(result.stdout) as { standIns: string[]; clouds: Comparison[] };
    expect(report.standIns).to.include("team members' missing principals");
    expect(report.clouds.every((c) => c.notComparable === undefined)).to.equal(true);
  });

  it("exits 2 on config that no cloud could run", () => {
    const file = tempConfig(
      ["config:", "  mlplatform:clouds: [aws]", "  aws:region: us-east-1"].join("\n"),
    );
    const result = runCli(["compare", "--stack", "dev", "--config-file", file]);
    expect(result.status).to.equal(2);
    expect(result.stdout).to.equal("");
    expect(result.stderr).to.equal(
      `error: ${file}: the stack's config has 1 problem:\n  - mlplatform:tier: is required; use dev or prod\n`,
    );
  });
});
