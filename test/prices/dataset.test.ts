import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { INSTANCE_TYPES, type InstanceType } from "../../policies/catalog";
import { parseCsvRecord } from "../../engine/prices/csv";
import { PROJECT_DIR } from "../cli";

/**
 * The dated subset of the SkyPilot VM price catalog that CI keeps beside the repository
 * (`../shared/prices`, see its README): on-demand and spot list prices of raw VMs.
 */
const DATASET_DIR = path.resolve(PROJECT_DIR, "..", "shared", "prices");

/** How far a VM row may drift from the dataset before it must say why. */
const TOLERANCE = 0.02;

/** Vertex AI bills custom training and prediction nodes at 1.15 times the Compute Engine price. */
const VERTEX_OVER_GCE = 1.15;

type Row = Record<string, string>;

function readDataset(file: string): Row[] {
  const full = path.join(DATASET_DIR, file);
  if (!fs.existsSync(full)) {
    throw new Error(
      `the VM price dataset ${full} is missing: CI keeps ../shared/prices beside the repository`,
    );
  }
  const [header, ...lines] = fs.readFileSync(full, "utf8").trim().split("\n");
  const names = parseCsvRecord(header);
  return lines.map((line) => {
    const values = parseCsvRecord(line);
    return Object.fromEntries(names.map((n, i) => [n, values[i] ?? ""]));
  });
}

interface Dataset {
  aws: Row[];
  azureMl: Row[];
  azureVm: Row[];
  gcp: Row[];
}

/** The dataset's raw-VM row for a catalog row whose price is the VM's. */
function vmRow(data: Dataset, row: InstanceType): Row | undefined {
  const find = (rows: Row[]) => rows.find((r) => r.InstanceType === row.instanceType);
  return row.cloud === "aws" ? find(data.aws) : (find(data.azureMl) ?? find(data.azureVm));
}

/** The dataset's GCE price of a GCP machine with its accelerators, or `undefined`. */
function gcePrice(data: Dataset, row: InstanceType): number | undefined {
  const machine = data.gcp.find((r) => r.InstanceType === row.instanceType);
  if (machine === undefined) return undefined;
  const gpu = row.gpu;
  if (gpu === null) return Number(machine.Price);
  const name = gpu.model === "A100" && gpu.memoryGB === 80 ? "A100-80GB" : gpu.model;
  const accelerator = data.gcp.find(
    (r) =>
      r.InstanceType === "" &&
      r.AcceleratorName === name &&
      Number(r.AcceleratorCount) === gpu.count,
  );
  return accelerator === undefined ? undefined : Number(machine.Price) + Number(accelerator.Price);
}

const drift = (price: number, reference: number) => Math.abs(price - reference) / reference;

/**
 * What is wrong with the catalog's prices against the dataset: a VM row (EC2 under Batch, Azure
 * ML compute) the dataset lacks or prices more than 2% away without saying why; a spot price
 * that is not the dataset's; a Vertex AI row away from 1.15 times the GCE price without saying
 * why; vCPUs or memory unlike the dataset's.
 */
export function datasetProblems(rows: readonly InstanceType[], data: Dataset): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    if (row.hourlyUsd === null) continue;
    const where = `${row.cloud} ${row.use} ${row.instanceType}`;
    if (row.priceBasis === "vm") {
      const vm = vmRow(data, row);
      if (vm === undefined) {
        problems.push(`${where}: not in the dataset`);
        continue;
      }
      if (drift(row.hourlyUsd, Number(vm.Price)) > TOLERANCE && row.priceNote === null) {
        problems.push(`${where}: ${row.hourlyUsd} is not the dataset's ${vm.Price}`);
      }
      const spot = vm.SpotPrice === "" || vm.SpotPrice === vm.Price ? null : Number(vm.SpotPrice);
      if (row.spotHourlyUsd !== null && row.spotHourlyUsd !== spot) {
        problems.push(`${where}: spot ${row.spotHourlyUsd} is not the dataset's ${vm.SpotPrice}`);
      }
      if (Number(vm.vCPUs) !== row.vcpus || Number(vm.MemoryGiB) !== row.memoryGiB) {
        problems.push(
          `${where}: ${row.vcpus} vCPUs and ${row.memoryGiB} GiB, the dataset says ${vm.vCPUs} and ${vm.MemoryGiB}`,
        );
      }
    } else if (row.cloud === "gcp") {
      const gce = gcePrice(data, row);
      if (gce === undefined) {
        problems.push(`${where}: not in the dataset`);
      } else if (
        drift(row.hourlyUsd, gce * VERTEX_OVER_GCE) > TOLERANCE &&
        row.priceNote === null
      ) {
        problems.push(`${where}: ${row.hourlyUsd} is not ${VERTEX_OVER_GCE} x the GCE ${gce}`);
      }
    }
  }
  return problems;
}

describe("prices: the catalog against the dated VM price dataset", () => {
  let data: Dataset;

  before(() => {
    data = {
      aws: readDataset("aws-us-east-1.csv"),
      azureMl: readDataset("azure-ml-eastus.csv"),
      azureVm: readDataset("azure-eastus.csv"),
      gcp: readDataset("gcp-us-central1.csv"),
    };
  });

  it("prices every EC2 and Azure VM row as the dataset does, or says why not", () => {
    expect(datasetProblems(INSTANCE_TYPES, data)).to.deep.equal([]);
  });

  it("checks every priced row: the VM rows against the dataset, the rest by their own source", () => {
    for (const row of INSTANCE_TYPES.filter((r) => r.hourlyUsd !== null)) {
      const where = `${row.cloud} ${row.use} ${row.instanceType}`;
      const vm = (row.cloud === "aws" && row.use === "training") || row.cloud === "azure";
      expect(row.priceBasis, where).to.equal(vm ? "vm" : "service");
      expect(row.source, where).to.match(/^https:\/\//);
      if (row.priceStatus === "unverified" || row.priceDate === null) {
        expect(row.priceNote, `${where} says how its price was reached`).to.be.a("string");
      }
    }
  });

  it("fails a VM row that drifts from the dataset, and a spot price that is not the dataset's", () => {
    const m5 = INSTANCE_TYPES.find((r) => r.cloud === "aws" && r.instanceType === "m5.xlarge");
    if (m5 === undefined) throw new Error("the catalog has no m5.xlarge");
    expect(datasetProblems([{ ...m5, hourlyUsd: 0.2 }], data)).to.deep.equal([
      "aws training m5.xlarge: 0.2 is not the dataset's 0.192",
    ]);
    expect(datasetProblems([{ ...m5, hourlyUsd: 0.195 }], data)).to.deep.equal([]);
    expect(datasetProblems([{ ...m5, spotHourlyUsd: 0.05 }], data)).to.deep.equal([
      "aws training m5.xlarge: spot 0.05 is not the dataset's 0.062400",
    ]);
  });

  it("fails a Vertex AI row away from 1.15 times the GCE price unless it says why", () => {
    const n2 = INSTANCE_TYPES.find((r) => r.cloud === "gcp" && r.instanceType === "n2-standard-8");
    if (n2 === undefined) throw new Error("the catalog has no n2-standard-8");
    expect(datasetProblems([{ ...n2, hourlyUsd: 0.38847 }], data)).to.deep.equal([
      "gcp hosting n2-standard-8: 0.38847 is not 1.15 x the GCE 0.38847",
    ]);
  });

  it("keeps the dataset's known mistakes out of the catalog", () => {
    const h100 = INSTANCE_TYPES.find((r) => r.instanceType === "Standard_ND96isr_H100_v5");
    // Both Azure files give 12 GPUs; Azure documents 8 H100s for this size.
    expect(h100?.gpu).to.deep.equal({ model: "H100", memoryGB: 80, count: 8 });
    // Its spot price equals the on-demand price in the dataset: unknown, not a spot price.
    expect(h100?.spotHourlyUsd).to.equal(null);
  });
});
