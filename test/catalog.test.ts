import { expect } from "chai";
import {
  CatalogRow,
  INSTANCE_TYPES,
  type InstanceType,
  MAPPING,
  SIZE_NAMES,
  SIZES,
  catalogRows,
  findInstanceType,
  instanceFor,
  resolveInstance,
  cloudsOffering,
  scaledBounds,
  serverlessFits,
  sizeOfInstanceType,
  unavailableReason,
} from "../policies/catalog";
import { mappingProblems } from "../policies/catalog/rules";
import { CLOUDS, USES } from "../policies/platform";

const TODAY = new Date().toISOString().slice(0, 10);

function known(cloud: InstanceType["cloud"], use: InstanceType["use"], name: string): InstanceType {
  const type = findInstanceType(cloud, use, name);
  if (type === undefined) throw new Error(`catalog does not know ${name}`);
  return type;
}

describe("instance catalog", () => {
  const rows = catalogRows();

  it("maps every size for every cloud and use, or says why not", () => {
    for (const size of SIZE_NAMES) {
      for (const cloud of CLOUDS) {
        for (const use of USES) {
          const mapped = rows.some((r) => r.size === size && r.cloud === cloud && r.use === use);
          expect(
            mapped || unavailableReason(size, cloud, use) !== undefined,
            `${size} ${cloud} ${use}`,
          ).to.equal(true);
        }
      }
    }
  });

  it("has CPU sizes from 2 vCPU / 4 GiB to 16 vCPU / 64 GiB and GPU sizes named by model, memory and count", () => {
    const cpu = SIZE_NAMES.filter((s) => SIZES[s].gpu === null).map((s) => [
      SIZES[s].vcpus,
      SIZES[s].memoryGiB,
    ]);
    expect(cpu).to.deep.equal([
      [2, 4],
      [2, 8],
      [4, 16],
      [8, 32],
      [16, 64],
    ]);
    const gpus = SIZE_NAMES.filter((s) => SIZES[s].gpu !== null).map((s) => [s, SIZES[s].gpu]);
    expect(gpus).to.deep.equal([
      ["gpu-t4x1", { model: "T4", memoryGB: 16, count: 1 }],
      ["gpu-l4x1", { model: "L4", memoryGB: 24, count: 1 }],
      ["gpu-a100x1", { model: "A100", memoryGB: 40, count: 1 }],
      ["gpu-a100x8", { model: "A100", memoryGB: 40, count: 8 }],
      ["gpu-h100x8", { model: "H100", memoryGB: 80, count: 8 }],
    ]);
  });

  it("maps the new GPU sizes where a cloud has the GPU, and says which clouds have it", () => {
    const where = (size: (typeof SIZE_NAMES)[number]) =>
      rows.filter((r) => r.size === size).map((r) => `${r.cloud} ${r.use} ${r.instanceType}`);
    expect(where("gpu-h100x8")).to.deep.equal([
      "aws training p5.48xlarge",
      "aws hosting ml.p5.48xlarge",
      "azure training Standard_ND96isr_H100_v5",
      "azure hosting Standard_ND96isr_H100_v5",
      "gcp training a3-highgpu-8g",
      "gcp hosting a3-highgpu-8g",
    ]);
    expect(where("gpu-l4x1")).to.deep.equal([
      "aws training g6.xlarge",
      "aws hosting ml.g6.xlarge",
      "gcp training g2-standard-4",
      "gcp hosting g2-standard-4",
    ]);
    expect(where("gpu-a100x1")).to.deep.equal([
      "gcp training a2-highgpu-1g",
      "gcp hosting a2-highgpu-1g",
    ]);
    expect(cloudsOffering("gpu-l4x1", "hosting")).to.deep.equal(["aws", "gcp"]);
    expect(unavailableReason("gpu-l4x1", "azure", "hosting")).to.equal(
      "Azure offers no VM size with an NVIDIA L4; for hosting, it runs on aws and gcp",
    );
    expect(unavailableReason("gpu-a100x1", "azure", "training")).to.equal(
      "Azure's only 1-GPU A100 size, Standard_NC24ads_A100_v4, carries the 80 GB A100, not the 40 GB one; for training, it runs on gcp",
    );
    expect(unavailableReason("gpu-a100x1", "aws", "hosting")).to.match(
      /; for hosting, it runs on gcp$/,
    );
  });

  it("fits only GPU-less sizes of at most 6 GiB on SageMaker serverless inference", () => {
    expect(SIZE_NAMES.filter(serverlessFits)).to.deep.equal(["cpu-2x4"]);
    expect(serverlessFits("cpu-2x8")).to.equal(false);
    expect(serverlessFits("gpu-t4x1")).to.equal(false);
  });

  describe("every mapped row is honest", () => {
    for (const row of catalogRows()) {
      it(`${row.size} on ${row.cloud} ${row.use}: ${row.instanceType}`, () => {
        expect(mappingProblems(row.size, row, INSTANCE_TYPES, TODAY)).to.deep.equal([]);
        expect(row.hourlyUsd).to.be.greaterThan(0);
        expect(row.region).to.be.a("string").and.not.equal("");
        expect(row.source).to.match(/^https:\/\//);
        expect(row.priceStatus).to.not.equal("unpriced");
        expect(row.retired).to.equal(false);
      });
    }
  });

  it("puts the same GPU model, GPU memory and count on every cloud for a size", () => {
    for (const size of SIZE_NAMES) {
      const gpus = new Set(rows.filter((r) => r.size === size).map((r) => JSON.stringify(r.gpu)));
      expect([...gpus], size).to.deep.equal([JSON.stringify(SIZES[size].gpu)]);
    }
  });

  it("names GCP accelerators as the Vertex AI API does, and only on GCP", () => {
    for (const row of rows) {
      if (row.cloud === "gcp" && row.gpu !== null) {
        expect(row.accelerator?.count, row.instanceType).to.equal(row.gpu.count);
        expect(row.accelerator?.type).to.match(/^NVIDIA_/);
      } else {
        expect(row.accelerator, `${row.cloud} ${row.instanceType}`).to.equal(undefined);
      }
    }
  });

  it("prices SageMaker hosting as the service, above the raw EC2 instance", () => {
    const pairs: [string, string][] = [
      ["m5.xlarge", "ml.m5.xlarge"],
      ["g4dn.xlarge", "ml.g4dn.xlarge"],
    ];
    for (const [ec2, sagemaker] of pairs) {
      const raw = known("aws", "training", ec2).hourlyUsd ?? 0;
      expect(known("aws", "hosting", sagemaker).hourlyUsd).to.be.greaterThan(raw);
    }
  });

  describe("the honesty rules catch the seeds' mistakes", () => {
    it("Standard_DS1_v2 has 1 vCPU, not 2", () => {
      expect(
        mappingProblems(
          "cpu-2x8",
          known("azure", "hosting", "Standard_DS1_v2"),
          INSTANCE_TYPES,
          TODAY,
        ),
      ).to.deep.equal([
        "cpu-2x8 on azure hosting -> Standard_DS1_v2: has 1 vCPUs, the size needs 2",
        "cpu-2x8 on azure hosting -> Standard_DS1_v2: has 3.5 GiB, the size needs at least 7.2 GiB",
      ]);
    });
    it("Standard_NC6s_v3 carries a V100, not a T4, and is retired", () => {
      expect(
        mappingProblems(
          "gpu-t4x1",
          known("azure", "hosting", "Standard_NC6s_v3"),
          INSTANCE_TYPES,
          TODAY,
        ),
      ).to.deep.equal([
        "gpu-t4x1 on azure hosting -> Standard_NC6s_v3: has 1x V100 16GB, the size needs 1x T4 16GB",
        "gpu-t4x1 on azure hosting -> Standard_NC6s_v3: retired on 2025-09-30",
        "gpu-t4x1 on azure hosting -> Standard_NC6s_v3: is not the smallest type that meets the size; Standard_NC4as_T4_v3 (28 GiB) also does",
      ]);
    });
    it("Standard_DS2_v2 has too little memory for 2 vCPU / 8 GiB", () => {
      expect(
        mappingProblems(
          "cpu-2x8",
          known("azure", "training", "Standard_DS2_v2"),
          INSTANCE_TYPES,
          TODAY,
        ),
      ).to.deep.equal([
        "cpu-2x8 on azure training -> Standard_DS2_v2: has 7 GiB, the size needs at least 7.2 GiB",
      ]);
    });
    it("a larger type than needed is refused when a smaller one fits", () => {
      const roomy: InstanceType = {
        ...known("azure", "training", "Standard_D4as_v4"),
        instanceType: "Standard_E4as_v4",
        memoryGiB: 32,
      };
      expect(mappingProblems("cpu-4x16", roomy, INSTANCE_TYPES, TODAY)).to.deep.equal([
        "cpu-4x16 on azure training -> Standard_E4as_v4: is not the smallest type that meets the size; Standard_D4as_v4 (16 GiB), Standard_D4s_v3 (16 GiB) also does",
      ]);
    });
    it("an 80 GB A100 is not the 40 GB A100 a size names", () => {
      expect(
        mappingProblems(
          "gpu-a100x1",
          known("azure", "training", "Standard_NC24ads_A100_v4"),
          INSTANCE_TYPES,
          TODAY,
        ),
      ).to.deep.equal([
        "gpu-a100x1 on azure training -> Standard_NC24ads_A100_v4: has 1x A100 80GB, the size needs 1x A100 40GB",
      ]);
    });
    it("a GPU type needs at least the size's vCPUs, a CPU type exactly them", () => {
      const h100 = findInstanceType("gcp", "training", "a3-highgpu-8g", "NVIDIA_H100_80GB");
      if (h100 === undefined) throw new Error("catalog does not know a3-highgpu-8g");
      expect(mappingProblems("gpu-h100x8", h100, INSTANCE_TYPES, TODAY)).to.deep.equal([]);
      expect(
        mappingProblems("gpu-h100x8", { ...h100, vcpus: 64 }, INSTANCE_TYPES, TODAY),
      ).to.deep.equal([
        "gpu-h100x8 on gcp training -> a3-highgpu-8g: has 64 vCPUs, the size needs at least 96",
      ]);
      const m5 = known("aws", "training", "m5.xlarge");
      expect(mappingProblems("cpu-4x16", { ...m5, vcpus: 8 }, INSTANCE_TYPES, TODAY)).to.deep.equal(
        ["cpu-4x16 on aws training -> m5.xlarge: has 8 vCPUs, the size needs 4"],
      );
    });
    it("a type with the right GPU model but another count is refused", () => {
      const twoT4: InstanceType = {
        ...known("azure", "hosting", "Standard_NC4as_T4_v3"),
        instanceType: "Standard_2xT4",
        gpu: { model: "T4", memoryGB: 16, count: 2 },
      };
      expect(mappingProblems("gpu-t4x1", twoT4, [], TODAY)).to.deep.equal([
        "gpu-t4x1 on azure hosting -> Standard_2xT4: has 2x T4 16GB, the size needs 1x T4 16GB",
      ]);
    });
    it("memory exactly at the tolerance passes and just below it fails", () => {
      const base = known("azure", "training", "Standard_D4as_v4");
      const floor = SIZES["cpu-4x16"].memoryGiB * 0.9;
      expect(mappingProblems("cpu-4x16", { ...base, memoryGiB: floor }, [], TODAY)).to.deep.equal(
        [],
      );
      expect(
        mappingProblems("cpu-4x16", { ...base, memoryGiB: floor - 0.01 }, [], TODAY),
      ).to.deep.equal([
        `cpu-4x16 on azure training -> Standard_D4as_v4: has ${floor - 0.01} GiB, the size needs at least ${floor} GiB`,
      ]);
    });
    it("a smaller type counts only for the same use: training rows are not hosting rows", () => {
      const small = known("azure", "training", "Standard_D4as_v4");
      const roomy = (use: InstanceType["use"]): InstanceType => ({
        ...small,
        use,
        instanceType: "Standard_E4as_v4",
        memoryGiB: 32,
      });
      expect(mappingProblems("cpu-4x16", roomy("hosting"), [small], TODAY)).to.deep.equal([]);
      expect(mappingProblems("cpu-4x16", roomy("training"), [small], TODAY)).to.deep.equal([
        "cpu-4x16 on azure training -> Standard_E4as_v4: is not the smallest type that meets the size; Standard_D4as_v4 (16 GiB) also does",
      ]);
    });
    it("a type counts as retired from its retirement date on", () => {
      const ds3 = known("azure", "hosting", "Standard_DS3_v2");
      expect(ds3.retirement?.date).to.equal("2028-05-01");
      expect(mappingProblems("cpu-4x16", ds3, [], "2028-05-01")).to.include(
        "cpu-4x16 on azure hosting -> Standard_DS3_v2: retired on 2028-05-01",
      );
    });
  });

  it("resolves a mapped size and refuses an unavailable one with the reason", () => {
    const row: CatalogRow = resolveInstance("gpu-t4x1", "gcp", "training");
    expect([row.instanceType, row.accelerator]).to.deep.equal([
      "n1-standard-4",
      { type: "NVIDIA_TESLA_T4", count: 1 },
    ]);
    expect(() => resolveInstance("cpu-2x8", "gcp", "training")).to.throw(
      "cpu-2x8 is not available for training on gcp: Vertex AI training accepts no 2-vCPU standard machine type",
    );
  });

  it("raises machine bounds to each cloud's floor and keeps the rest", () => {
    expect(scaledBounds("gcp", "training", 0, 4)).to.deep.equal({ min: 1, max: 4 });
    expect(scaledBounds("gcp", "hosting", 0, 0)).to.deep.equal({ min: 1, max: 1 });
    expect(scaledBounds("azure", "hosting", 0, 3)).to.deep.equal({ min: 1, max: 3 });
    expect(scaledBounds("azure", "training", 0, 3)).to.deep.equal({ min: 0, max: 3 });
    expect(scaledBounds("aws", "hosting", 0, 2)).to.deep.equal({ min: 1, max: 2 });
    expect(scaledBounds("gcp", "hosting", 2, 6)).to.deep.equal({ min: 2, max: 6 });
  });

  it("refuses a size name it does not know", () => {
    expect(() => instanceFor("aws", "cpu-3x12", "training")).to.throw(
      "cpu-3x12 is not a size the catalog knows",
    );
    expect(instanceFor("azure", "cpu-4x16", "hosting").instanceType).to.equal("Standard_D4as_v4");
  });

  it("finds the size an instance type is mapped from", () => {
    expect(sizeOfInstanceType("aws", "hosting", "ml.m5.xlarge")).to.equal("cpu-4x16");
    expect(sizeOfInstanceType("azure", "training", "Standard_NC6s_v3")).to.equal(undefined);
  });

  it("tells a GCP machine with an accelerator from the same machine without one", () => {
    expect(
      findInstanceType("gcp", "hosting", "n1-standard-4", "NVIDIA_TESLA_T4")?.gpu,
    ).to.deep.equal({ model: "T4", memoryGB: 16, count: 1 });
    expect(findInstanceType("gcp", "hosting", "n1-standard-4")).to.equal(undefined);
  });

  it("maps each size to types that exist in the catalog's table", () => {
    for (const size of SIZE_NAMES) {
      for (const cloud of CLOUDS) {
        for (const use of USES) {
          const mapped = MAPPING[size][cloud][use];
          if (typeof mapped === "string") {
            expect(
              INSTANCE_TYPES.some(
                (t) => t.cloud === cloud && t.use === use && t.instanceType === mapped,
              ),
              mapped,
            ).to.equal(true);
          }
        }
      }
    }
  });
});
