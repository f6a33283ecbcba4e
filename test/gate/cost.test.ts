import { expect } from "chai";
import { HOURS_PER_MONTH, resolveInstance } from "../../components/catalog";
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
    expect(row?.split(/ {2,}/).slice(0, 4)).to.deep.equal([
      "gcp",
      "endpoint",
      "gcp-endpoint-iris-deployment",
      "a2-highgpu-8g + 8x NVIDIA_TESLA_A100",
    ]);
    const gcp = costJson(gpuEstimate()).resources.find(
      (r) => r.cloud === "gcp" && r.use === "hosting",
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
        `Stack prod: USD a month (${HOURS_PER_MONTH} hours) at on-demand catalog prices; idle = every autoscaler at its minimum, peak = at its maximum.`,
        "Spot and low-priority capacity is priced on demand. Storage, registries and requests are billed by use and not included.",
        "Budget (mlplatform:budgetMonthlyUsd): 20000 USD a month.",
        "",
      ].join("\n"),
    );
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
});
