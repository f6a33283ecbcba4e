import { expect } from "chai";
import { catalogRows } from "../../policies/catalog";
import { runCli } from "../cli";

describe("catalog command", () => {
  it("prints every mapped row as JSON with the documented fields", () => {
    const result = runCli(["catalog", "--json"]);
    expect(result.status).to.equal(0);
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(rows).to.have.length(catalogRows().length);
    for (const row of rows) {
      expect(row).to.include.keys(
        "size",
        "cloud",
        "use",
        "instanceType",
        "vcpus",
        "memoryGiB",
        "gpu",
        "hourlyUsd",
        "region",
        "source",
        "retired",
      );
    }
    expect(
      rows.find((r) => r.size === "gpu-t4x1" && r.cloud === "azure" && r.use === "hosting"),
    ).to.deep.include({
      instanceType: "Standard_NC4as_T4_v3",
      vcpus: 4,
      memoryGiB: 28,
      gpu: { model: "T4", memoryGB: 16, count: 1 },
      retired: false,
    });
  });

  it("prints a readable table by default", () => {
    const result = runCli(["catalog"]);
    expect(result.status).to.equal(0);
    expect(result.stdout.split("\n")[0]).to.match(
      /^size +cloud +use +instance type +vCPU +GiB +GPU +USD\/h/,
    );
    expect(result.stdout).to.include("n1-standard-4 + 1x NVIDIA_TESLA_T4");
  });

  it("names an unknown command and the known ones", () => {
    const result = runCli(["catalgo"]);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.equal(
      'error: unknown command "catalgo" (did you mean "catalog"?); use one of plan, catalog, cost, gate, compare, diff, probe, prices\n',
    );
  });
});
