import { expect } from "chai";
import { editedConfig, runCli } from "../cli";
import { HOURS_PER_MONTH, resolveInstance } from "../../policies/catalog";
import { costJson, costText } from "../../engine/commands/cost";
import { stackResources } from "../../engine/gate/args";
import { fromStackExport } from "../../engine/gate/input";
import { estimateStack } from "../../policies/cost/model";
import { PROD_SHAPE, platformExport } from "./fixtures";

/** The prod plan's estimate with the GCP endpoint on the gpu-a100x8 hosting type. */
function gpuEstimate() {
  const stackExport = platformExport(PROD_SHAPE);
  const deployment = stackExport.deployment.resources.find((r) =>
    r.urn.endsWith("::gcp-endpoint-iris-deployment"),
  );
  if (deployment === undefined) throw new Error("the plan has no GCP endpoint deployment");
  const row = resolveInstance("gpu-a100x8", "gcp", "hosting");
  Object.assign(deployment.inputs, {
    machineType: row.instanceType,
    acceleratorType: row.accelerator?.type,
    acceleratorCount: row.accelerator?.count,
  });
  return estimateStack(stackResources(fromStackExport(stackExport)));
}

/** The stack config of the prod stack, in the regions the catalog prices in. */
const PROD_VALUES: Record<string, string> = {
  "aws:region": "us-east-1",
  "azure-native:location": "eastus",
  "gcp:region": "us-central1",
  "mlplatform:budgetMonthlyUsd": "20000",
};

describe("cost report", () => {
  it("shows a GCP GPU type with its accelerators, as npm run catalog does", () => {
    const text = costText(gpuEstimate(), "prod", PROD_VALUES);
    const row = text.split("\n").find((l) => l.includes("gcp-endpoint-iris-deployment"));
    expect(row?.split(/ {2,}/).slice(0, 5)).to.deep.equal([
      "gcp",
      "endpoint",
      "compute",
      "gcp-endpoint-iris-deployment",
      "a2-highgpu-8g + 8x NVIDIA_TESLA_A100",
    ]);
    const gcp = costJson(gpuEstimate()).resources.find(
      (r) => r.cloud === "gcp" && r.kind === "compute" && r.use === "hosting",
    );
    expect(gcp).to.deep.include({
      instanceType: "a2-highgpu-8g",
      accelerator: { type: "NVIDIA_TESLA_A100", count: 8 },
      priceRegion: "us-central1",
    });
  });

  it("notes the hours a month holds and the budget, and no region where the stack deploys in the catalog's", () => {
    const text = costText(gpuEstimate(), "prod", PROD_VALUES);
    expect(text.slice(text.indexOf("\n\n") + 2)).to.equal(
      [
        `Stack prod: USD a month (${HOURS_PER_MONTH} hours) at catalog prices; idle = every autoscaler at its minimum, peak = at its maximum; fixed charges are billed at both.`,
        "Budget (mlplatform:budgetMonthlyUsd): 20000 USD a month.",
        "Billed by use, not in the totals:",
        "  aws aws-registry-repository (ECR repository): image storage per GB-month",
        "  aws aws-storage-bucket (S3 bucket): storage per GB-month, requests",
        "  azure azure-storage-account (storage account): capacity per GB-month, transactions",
        "  azure azure-workspace-vault (Key Vault, Standard): operations, $0.03 per 10,000",
        "  gcp gcp-registry-repository (Artifact Registry repository): storage per GB-month above the 0.5 GB free",
        "  gcp gcp-storage-bucket (Cloud Storage bucket): storage per GB-month, operations",
        "  gcp gcp-workspace-metadata (Vertex ML Metadata store): stored metadata per GiB-month",
        "  gcp gcp-workspace-tensorboard (Vertex AI TensorBoard): stored data per GiB-month",
        "",
      ].join("\n"),
    );
  });

  it("gives every JSON line its kind, and totals that add up from the lines", () => {
    const report = costJson(gpuEstimate());
    expect(new Set(report.resources.map((r) => r.kind))).to.deep.equal(
      new Set(["compute", "fixed", "usage"]),
    );
    const sum = (lines: typeof report.resources, end: "idleMonthlyUsd" | "peakMonthlyUsd") =>
      Math.round(lines.reduce((total, l) => total + l[end], 0) * 100) / 100;
    for (const cloud of ["aws", "azure", "gcp"] as const) {
      const lines = report.resources.filter((r) => r.cloud === cloud);
      expect(report.clouds[cloud]?.idleMonthlyUsd, cloud).to.be.closeTo(
        sum(lines, "idleMonthlyUsd"),
        0.011 * lines.length,
      );
      expect(report.clouds[cloud]?.peakMonthlyUsd, cloud).to.be.closeTo(
        sum(lines, "peakMonthlyUsd"),
        0.011 * lines.length,
      );
    }
    const fixed = report.resources.filter((r) => r.kind === "fixed");
    expect(fixed.map((r) => [r.cloud, r.kind === "fixed" ? r.chargeId : ""])).to.deep.equal([
      ["aws", "aws-kms-key"],
      ["azure", "azure-acr-premium"],
      ["gcp", "gcp-kms-key-version"],
    ]);
  });

  it("says which regions the figures are priced at when the stack deploys elsewhere", () => {
    const text = costText(gpuEstimate(), "prod", {
      ...PROD_VALUES,
      "aws:region": "eu-west-1",
      "gcp:region": "europe-west4",
    });
    const notes = text.slice(text.indexOf("\n\n") + 2).split("\n");
    expect(notes.filter((n) => n.includes("priced at"))).to.deep.equal([
      "The aws figures are priced at the catalog's region us-east-1; the stack deploys aws in eu-west-1 (aws:region), whose prices may differ.",
      "The gcp figures are priced at the catalog's region us-central1; the stack deploys gcp in europe-west4 (gcp:region), whose prices may differ.",
    ]);
  });

  it("prices a dev stack that asks for scale-to-zero at each cloud's floor", function () {
    this.timeout(180_000);
    const file = editedConfig("dev", (dev) => dev.replace(/minReplicas: \d+/, "minReplicas: 0"));
    const result = runCli(["cost", "--stack", "dev", "--config-file", file, "--json"]);
    expect(result.stderr).to.equal("");
    const report = JSON.parse(result.stdout) as ReturnType<typeof costJson>;
    const compute = report.resources.filter((r) => r.kind === "compute");
    const idle = (cloud: string, use: string) =>
      compute
        .filter((r) => r.cloud === cloud && r.use === use)
        .map((r) => [r.minMachines, r.idleMonthlyUsd]);
    // cpu-2x8 has more memory than serverless inference offers: one instance, named as a floor,
    // rather than a serverless variant with less memory than the size.
    expect(idle("aws", "hosting").map(([machines]) => machines)).to.deep.equal([1]);
    expect(
      report.resources.filter(
        (r) => r.kind === "usage" && r.chargeId === "aws-sagemaker-serverless",
      ),
    ).to.deep.equal([]);
    expect(idle("aws", "training")).to.deep.equal([[0, 0]]);
    expect(idle("azure", "training")).to.deep.equal([[0, 0]]);
    expect(idle("azure", "hosting").map(([machines]) => machines)).to.deep.equal([1]);
    expect(idle("gcp", "hosting").map(([machines]) => machines)).to.deep.equal([1]);
    expect(
      compute.filter((r) => r.floor !== undefined && r.use === "hosting").map((r) => r.cloud),
    ).to.deep.equal(["aws", "azure", "gcp"]);
  });

  it("idles a dev endpoint of a size that fits serverless inference at $0 on aws", function () {
    this.timeout(180_000);
    const file = editedConfig("dev", (dev) =>
      dev
        .replace(/mlplatform:clouds: \[.*\]/, "mlplatform:clouds: [aws]")
        .replace(/size: cpu-2x8/, "size: cpu-2x4")
        .replace(/minReplicas: \d+/, "minReplicas: 0"),
    );
    const result = runCli(["cost", "--stack", "dev", "--config-file", file, "--json"]);
    expect(result.stderr).to.equal("");
    const report = JSON.parse(result.stdout) as ReturnType<typeof costJson>;
    const endpoint = report.resources.filter((r) => r.block === "endpoint");
    expect(endpoint.filter((r) => r.kind === "compute")).to.deep.equal([]);
    expect(
      endpoint.flatMap((r) => (r.kind === "usage" ? [[r.chargeId, r.detail]] : [])),
    ).to.deep.equal([["aws-sagemaker-serverless", "4096 MB of memory"]]);
  });
});
