import { expect } from "chai";
import {
  SIZE_NAMES,
  type SizeName,
  findInstanceType,
  resolveInstance,
  unavailableReason,
} from "../../policies/catalog";
import { CLOUDS, type Cloud } from "../../policies/platform";
import { fromStackExport } from "../../engine/gate/input";
import type { ExportedResource } from "../../engine/plan";
import { instanceTypeInCatalog } from "../../policies/mapping/instance-type-in-catalog";
import { instanceTypeMatchesSize } from "../../policies/mapping/instance-type-matches-size";
import { noRetiredInstanceType } from "../../policies/mapping/no-retired-instance-type";
import { sameSizeAcrossClouds } from "../../policies/mapping/same-size-across-clouds";
import { PROD_SHAPE, platformExport } from "../gate/fixtures";
import { check, planWith, prodPlan } from "./harness";

type Inputs = Record<string, unknown>;

/** The Azure training cluster's VM size, inside its nested properties. */
function amlProperties(inputs: Inputs): Inputs {
  return (inputs.properties as { properties: Inputs }).properties;
}

function firstPool(inputs: Inputs): Inputs {
  return (inputs.resourcePools as Inputs[])[0];
}

/** The resource that runs the iris endpoint's machines on each cloud. */
const ENDPOINT_COMPUTE: Record<Cloud, string> = {
  aws: "aws-endpoint-iris-config",
  azure: "azure-endpoint-iris-deployment",
  gcp: "gcp-endpoint-iris-deployment",
};

/** Sets the hosting type of a size on a cloud's endpoint compute resource. */
function runSize(resource: ExportedResource, cloud: Cloud, size: SizeName): void {
  const { instanceType } = resolveInstance(size, cloud, "hosting");
  if (cloud === "aws") {
    (resource.inputs.productionVariants as Inputs[])[0].instanceType = instanceType;
  } else if (cloud === "azure") {
    (resource.inputs.properties as Inputs).instanceType = instanceType;
  } else {
    resource.inputs.machineType = instanceType;
  }
}

/**
 * The prod plan with a second endpoint, wine, on every cloud beside iris: each cloud's endpoint
 * component and its compute resource copied, the copy running cpu-8x32 where iris runs
 * cpu-4x16. `swapOn` runs iris at wine's size and wine at iris's on that cloud.
 */
function twoEndpoints(swapOn?: Cloud) {
  const stackExport = platformExport(PROD_SHAPE);
  const all = stackExport.deployment.resources;
  const named = (name: string) => {
    const found = all.find((r) => r.urn.endsWith(`::${name}`));
    if (found === undefined) throw new Error(`the plan has no resource named ${name}`);
    return found;
  };
  const urns: Record<string, string> = {};
  for (const cloud of CLOUDS) {
    const block = named(`${cloud}-endpoint-iris`);
    const iris = named(ENDPOINT_COMPUTE[cloud]);
    const wine = JSON.parse(JSON.stringify(iris).replaceAll("-iris", "-wine")) as ExportedResource;
    const wineBlock = { ...block, urn: block.urn.replace("-iris", "-wine") };
    wine.parent = wineBlock.urn;
    all.push(wineBlock, wine);
    runSize(iris, cloud, swapOn === cloud ? "cpu-8x32" : "cpu-4x16");
    runSize(wine, cloud, swapOn === cloud ? "cpu-4x16" : "cpu-8x32");
    urns[`${cloud} iris`] = iris.urn;
    urns[`${cloud} wine`] = wine.urn;
  }
  return { resources: fromStackExport(stackExport), urns };
}

describe("mapping policies", () => {
  describe("instance-type-in-catalog", () => {
    it("passes the catalog's types on every cloud and use", async () => {
      expect(await check(instanceTypeInCatalog, prodPlan())).to.deep.equal([]);
    });

    it("fails an Azure VM size the catalog does not list", async () => {
      const { resources, urn } = planWith("azure-training-cluster", (r) => {
        amlProperties(r.inputs).vmSize = "Standard_D8as_v5";
      });
      expect(await check(instanceTypeInCatalog, resources)).to.deep.equal([
        {
          urn,
          message:
            'properties.properties.vmSize must be a type the catalog lists for azure training (npm run catalog); it is "Standard_D8as_v5". Pick a canonical size and use the type the catalog maps it to.',
        },
      ]);
    });

    it("fails a Batch environment that lets AWS pick the type", async () => {
      const { resources, urn } = planWith("aws-training-environment", (r) => {
        (r.inputs.computeResources as Inputs).instanceTypes = ["optimal"];
      });
      expect(await check(instanceTypeInCatalog, resources)).to.deep.equal([
        {
          urn,
          message:
            'computeResources.instanceTypes[0] must be a type the catalog lists for aws training (npm run catalog); it is "optimal". Pick a canonical size and use the type the catalog maps it to.',
        },
      ]);
    });

    it("fails a SageMaker variant with no instance type", async () => {
      const { resources, urn } = planWith("aws-endpoint-iris-config", (r) => {
        delete (r.inputs.productionVariants as Inputs[])[0].instanceType;
      });
      expect(await check(instanceTypeInCatalog, resources)).to.deep.equal([
        {
          urn,
          message:
            "productionVariants[0].instanceType must be a type the catalog lists for aws hosting (npm run catalog); it is not set. Pick a canonical size and use the type the catalog maps it to.",
        },
      ]);
    });

    it("tells a GCP machine type apart by its accelerator", async () => {
      const withT4 = planWith("gcp-training-cluster", (r) => {
        firstPool(r.inputs).machineSpec = {
          machineType: "n1-standard-4",
          acceleratorType: "NVIDIA_TESLA_T4",
          acceleratorCount: 1,
        };
      });
      expect(await check(instanceTypeInCatalog, withT4.resources)).to.deep.equal([]);
      const bare = planWith("gcp-training-cluster", (r) => {
        firstPool(r.inputs).machineSpec = {
          machineType: "n1-standard-4",
          acceleratorType: "NVIDIA_TESLA_V100",
          acceleratorCount: 1,
        };
      });
      expect(await check(instanceTypeInCatalog, bare.resources)).to.deep.equal([
        {
          urn: bare.urn,
          message:
            'resourcePools[0].machineSpec.machineType must be a type the catalog lists for gcp training (npm run catalog); it is "n1-standard-4" with 1 NVIDIA_TESLA_V100. Pick a canonical size and use the type the catalog maps it to.',
        },
      ]);
    });
  });

  describe("no-retired-instance-type", () => {
    it("passes current types", async () => {
      expect(await check(noRetiredInstanceType, prodPlan())).to.deep.equal([]);
    });

    it("fails Standard_NC6s_v3, retired on 2025-09-30", async () => {
      const { resources, urn } = planWith("azure-training-cluster", (r) => {
        amlProperties(r.inputs).vmSize = "Standard_NC6s_v3";
      });
      const source = findInstanceType("azure", "training", "Standard_NC6s_v3")?.retirement?.source;
      expect(source).to.be.a("string");
      expect(await check(noRetiredInstanceType, resources)).to.deep.equal([
        {
          urn,
          message: `properties.properties.vmSize must be a type azure still offers; Standard_NC6s_v3 was retired on 2025-09-30 (${source}). Use the catalog's type for the size you need (npm run catalog).`,
        },
      ]);
    });

    it("passes a type whose retirement is announced for later", async () => {
      const asOfDate = "2026-06-01";
      const retirement = findInstanceType("azure", "training", "Standard_DS2_v2")?.retirement;
      expect((retirement?.date ?? "") > asOfDate).to.equal(true);
      const { resources } = planWith("azure-training-cluster", (r) => {
        amlProperties(r.inputs).vmSize = "Standard_DS2_v2";
      });
      expect(await check(noRetiredInstanceType, resources, { config: { asOfDate } })).to.deep.equal(
        [],
      );
    });

    it("fails that type from its retirement date on, judged on asOfDate", async () => {
      const retirement = findInstanceType("azure", "training", "Standard_DS2_v2")?.retirement;
      if (!retirement) throw new Error("the catalog records no retirement of Standard_DS2_v2");
      const { resources, urn } = planWith("azure-training-cluster", (r) => {
        amlProperties(r.inputs).vmSize = "Standard_DS2_v2";
      });
      expect(
        await check(noRetiredInstanceType, resources, { config: { asOfDate: retirement.date } }),
      ).to.deep.equal([
        {
          urn,
          message: `properties.properties.vmSize must be a type azure still offers; Standard_DS2_v2 was retired on ${retirement.date} (${retirement.source}). Use the catalog's type for the size you need (npm run catalog).`,
        },
      ]);
    });
  });

  describe("instance-type-matches-size", () => {
    it("passes resources that run the type of the size they are marked with", async () => {
      expect(await check(instanceTypeMatchesSize, prodPlan())).to.deep.equal([]);
    });

    it("fails an endpoint configuration marked cpu-4x16 that runs the cpu-8x32 type", async () => {
      const { resources, urn } = planWith("aws-endpoint-iris-config", (r) => {
        (r.inputs.productionVariants as Inputs[])[0].instanceType = "ml.m5.2xlarge";
      });
      expect(await check(instanceTypeMatchesSize, resources)).to.deep.equal([
        {
          urn,
          message:
            'productionVariants[0].instanceType must be "ml.m5.xlarge", the catalog\'s aws hosting type for size cpu-4x16 (tags.mlplatform-size); it is "ml.m5.2xlarge".',
        },
      ]);
    });

    it("fails a size mark that is no canonical size", async () => {
      const { resources, urn } = planWith("aws-training-environment", (r) => {
        (r.inputs.tags as Inputs)["mlplatform-size"] = "cpu-3x12";
      });
      expect(await check(instanceTypeMatchesSize, resources)).to.deep.equal([
        {
          urn,
          message: `tags.mlplatform-size must be a canonical size (${SIZE_NAMES.join(", ")}); it is "cpu-3x12".`,
        },
      ]);
    });

    it("fails a GCP GPU size whose machine lacks the GPU", async () => {
      const { resources, urn } = planWith("gcp-training-cluster", (r) => {
        (r.inputs.labels as Inputs)["mlplatform-size"] = "gpu-t4x1";
        firstPool(r.inputs).machineSpec = { machineType: "n1-standard-4" };
      });
      expect(await check(instanceTypeMatchesSize, resources)).to.deep.equal([
        {
          urn,
          message:
            'resourcePools[0].machineSpec.machineType must be "n1-standard-4" with 1 NVIDIA_TESLA_T4, the catalog\'s gcp training type for size gpu-t4x1 (labels.mlplatform-size); it is "n1-standard-4".',
        },
      ]);
    });

    it("checks the Vertex AI model deployment against its size label", async () => {
      const { resources, urn } = planWith("gcp-endpoint-iris-deployment", (r) => {
        r.inputs.machineType = "n2-standard-8";
      });
      expect(await check(instanceTypeMatchesSize, resources)).to.deep.equal([
        {
          urn,
          message:
            'machineType must be "n2-standard-4", the catalog\'s gcp hosting type for size cpu-4x16 (labels.mlplatform-size); it is "n2-standard-8".',
        },
      ]);
    });

    it("checks the Vertex AI model deployment's accelerator against a GPU size", async () => {
      const { resources, urn } = planWith("gcp-endpoint-iris-deployment", (r) => {
        (r.inputs.labels as Inputs)["mlplatform-size"] = "gpu-t4x1";
        Object.assign(r.inputs, {
          machineType: "n1-standard-4",
          acceleratorType: "NVIDIA_TESLA_T4",
          acceleratorCount: 2,
        });
      });
      expect(await check(instanceTypeMatchesSize, resources)).to.deep.equal([
        {
          urn,
          message:
            'machineType must be "n1-standard-4" with 1 NVIDIA_TESLA_T4, the catalog\'s gcp hosting type for size gpu-t4x1 (labels.mlplatform-size); it is "n1-standard-4" with 2 NVIDIA_TESLA_T4.',
        },
      ]);
    });

    it("fails a size the cloud does not offer for the use", async () => {
      const size = SIZE_NAMES.find((s) => unavailableReason(s, "gcp", "training") !== undefined);
      if (size === undefined) throw new Error("the catalog offers every size for training on gcp");
      const { resources, urn } = planWith("gcp-training-cluster", (r) => {
        (r.inputs.labels as Inputs)["mlplatform-size"] = size;
      });
      expect(await check(instanceTypeMatchesSize, resources)).to.deep.equal([
        {
          urn,
          message: `labels.mlplatform-size must be a size gcp offers for training; ${size} is not: ${unavailableReason(size, "gcp", "training")}.`,
        },
      ]);
    });
  });

  describe("same-size-across-clouds", () => {
    it("passes a stack whose blocks run the same sizes on all three clouds", async () => {
      expect(await check(sameSizeAcrossClouds, prodPlan())).to.deep.equal([]);
    });

    it("names the one cloud whose endpoint runs another size", async () => {
      const { resources, urn } = planWith("gcp-endpoint-iris-deployment", (r) => {
        r.inputs.machineType = "n2-standard-8";
      });
      expect(await check(sameSizeAcrossClouds, resources)).to.deep.equal([
        {
          urn,
          message:
            "the endpoint block endpoint-iris must run the same canonical size on every cloud of the stack; on gcp it runs cpu-8x32 (n2-standard-8) while aws runs cpu-4x16 and azure runs cpu-4x16.",
        },
      ]);
    });

    it("compares each endpoint with the same endpoint on the other clouds", async () => {
      const { resources } = twoEndpoints();
      expect(await check(sameSizeAcrossClouds, resources)).to.deep.equal([]);
    });

    it("names the cloud whose two endpoints run each other's sizes", async () => {
      const { resources, urns } = twoEndpoints("azure");
      expect(await check(sameSizeAcrossClouds, resources)).to.deep.equal([
        {
          urn: urns["azure iris"],
          message:
            "the endpoint block endpoint-iris must run the same canonical size on every cloud of the stack; on azure it runs cpu-8x32 (Standard_D8as_v4) while aws runs cpu-4x16 and gcp runs cpu-4x16.",
        },
        {
          urn: urns["azure wine"],
          message:
            "the endpoint block endpoint-wine must run the same canonical size on every cloud of the stack; on azure it runs cpu-4x16 (Standard_D4as_v4) while aws runs cpu-8x32 and gcp runs cpu-8x32.",
        },
      ]);
    });

    it("names both clouds of a two-cloud stack that disagree", async () => {
      const { resources } = planWith("azure-training-cluster", (r) => {
        amlProperties(r.inputs).vmSize = "Standard_D4as_v4";
      });
      const twoClouds = resources.filter(
        (r) => !r.type.startsWith("gcp:") && !r.type.startsWith("pulumi-nodejs:"),
      );
      const findings = await check(sameSizeAcrossClouds, twoClouds);
      expect(findings.map((f) => f.message)).to.deep.equal([
        "the training block must run the same canonical size on every cloud of the stack; on aws it runs cpu-8x32 (m5.2xlarge) while azure runs cpu-4x16.",
        "the training block must run the same canonical size on every cloud of the stack; on azure it runs cpu-4x16 (Standard_D4as_v4) while aws runs cpu-8x32.",
      ]);
    });

    it("says when a type has no canonical size", async () => {
      const { resources, urn } = planWith("azure-training-cluster", (r) => {
        amlProperties(r.inputs).vmSize = "Standard_DS2_v2";
      });
      expect(await check(sameSizeAcrossClouds, resources)).to.deep.equal([
        {
          urn,
          message:
            "the training block must run the same canonical size on every cloud of the stack; on azure it runs Standard_DS2_v2 (no canonical size) (Standard_DS2_v2) while aws runs cpu-8x32 and gcp runs cpu-8x32.",
        },
      ]);
    });

    it("does not apply to a stack on one cloud", async () => {
      const { resources } = planWith("aws-training-environment", (r) => {
        (r.inputs.computeResources as Inputs).instanceTypes = ["m5.large"];
      });
      const awsOnly = resources.filter(
        (r) => r.type.startsWith("aws:") || r.type.startsWith("pulumi:"),
      );
      expect(await check(sameSizeAcrossClouds, awsOnly)).to.deep.equal([]);
    });
  });
});
