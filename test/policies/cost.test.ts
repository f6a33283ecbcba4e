import { expect } from "chai";
import {
  HOURS_PER_MONTH,
  type SizeName,
  chargeById,
  monthlyUsdPerUnit,
  resolveInstance,
} from "../../policies/catalog";
import type { Cloud, Use } from "../../policies/platform";
import { stackResources } from "../../engine/gate/args";
import { UNKNOWN } from "../../engine/monitor";
import { idleFloorWithinBudget } from "../../policies/cost/idle-floor-within-budget";
import {
  type ChargeLine,
  type CostLine,
  computeLines,
  estimateStack,
  totals,
  totalsByCloud,
} from "../../policies/cost/model";
import { monthlyCeilingWithinBudget } from "../../policies/cost/monthly-ceiling-within-budget";
import { usd } from "../../policies/lib/values";
import { fromStackExport } from "../../engine/gate/input";
import { DEV_SHAPE, type PlatformShape, platformExport } from "../gate/fixtures";
import { check, devPlan, plan, planWith, prodPlan, resource, rootUrn, urnOf } from "./harness";

type Inputs = Record<string, unknown>;

/** What `machines` of a size cost a month on a cloud, from the catalog's price. */
function monthly(size: SizeName, cloud: Cloud, use: Use, machines: number): number {
  return resolveInstance(size, cloud, use).hourlyUsd * machines * HOURS_PER_MONTH;
}

const BUDGET = "mlplatform:budgetMonthlyUsd";

/** The compute lines of a plan's estimate. */
const computeOf = (resources: Parameters<typeof stackResources>[0]) =>
  computeLines(estimateStack(stackResources(resources)).lines);

/** What the fixed charges of an estimate's lines come to a month, for one cloud or all. */
function fixedMonthly(lines: readonly CostLine[], cloud?: Cloud): number {
  return lines
    .filter((l) => l.kind === "fixed" && (cloud === undefined || l.cloud === cloud))
    .reduce((sum, l) => sum + l.idleMonthlyUsd, 0);
}

/** What `quantity` units of a catalog charge cost a month. */
const charge = (id: string, quantity: number) => monthlyUsdPerUnit(chargeById(id)) * quantity;

describe("cost model", () => {
  it("prices every compute group of the prod plan at its autoscaler's bounds", () => {
    const { lines: all, unpriced } = estimateStack(stackResources(prodPlan()));
    const lines = computeLines(all);
    expect(unpriced).to.deep.equal([]);
    expect(
      lines.map((l) => [
        l.name,
        l.instanceType,
        l.machines.min,
        l.machines.max,
        l.idleMonthlyUsd,
        l.peakMonthlyUsd,
      ]),
    ).to.deep.equal([
      [
        "aws-training-environment",
        "m5.2xlarge",
        0,
        8,
        0,
        monthly("cpu-8x32", "aws", "training", 8),
      ],
      [
        "aws-endpoint-iris-config",
        "ml.m5.xlarge",
        2,
        6,
        monthly("cpu-4x16", "aws", "hosting", 2),
        monthly("cpu-4x16", "aws", "hosting", 6),
      ],
      [
        "azure-training-cluster",
        "Standard_D8as_v4",
        0,
        8,
        0,
        monthly("cpu-8x32", "azure", "training", 8),
      ],
      [
        "azure-endpoint-iris-deployment",
        "Standard_D4as_v4",
        2,
        6,
        monthly("cpu-4x16", "azure", "hosting", 2),
        monthly("cpu-4x16", "azure", "hosting", 6),
      ],
      [
        "gcp-training-cluster",
        "n2-standard-8",
        1,
        8,
        monthly("cpu-8x32", "gcp", "training", 1),
        monthly("cpu-8x32", "gcp", "training", 8),
      ],
      [
        "gcp-endpoint-iris-deployment",
        "n2-standard-4",
        2,
        6,
        monthly("cpu-4x16", "gcp", "hosting", 2),
        monthly("cpu-4x16", "gcp", "hosting", 6),
      ],
    ]);
    const resources = prodPlan();
    expect(lines[1].autoscalerUrn).to.equal(urnOf(resources, "aws-endpoint-iris-scaling"));
    expect(lines[3].autoscalerUrn).to.equal(urnOf(resources, "azure-endpoint-iris-autoscale"));
  });

  it("prices the fixed charges each resource brings, and names what bills by use", () => {
    const { lines } = estimateStack(stackResources(prodPlan()));
    const charges = lines
      .filter((l): l is ChargeLine => l.kind !== "compute")
      .map((l) => [l.kind, l.name, l.chargeId, l.quantity]);
    expect(charges).to.deep.equal([
      ["fixed", "aws-workspace-key", "aws-kms-key", 1],
      ["usage", "aws-storage-bucket", "aws-s3-bucket", 1],
      ["usage", "aws-registry-repository", "aws-ecr-repository", 1],
      ["usage", "azure-storage-account", "azure-storage-account", 1],
      ["usage", "azure-workspace-vault", "azure-key-vault", 1],
      ["fixed", "azure-registry", "azure-acr-premium", 1],
      ["fixed", "gcp-workspace-key", "gcp-kms-key-version", 1],
      ["usage", "gcp-storage-bucket", "gcp-storage-bucket", 1],
      ["usage", "gcp-registry-repository", "gcp-artifact-registry", 1],
      ["usage", "gcp-workspace-metadata", "gcp-vertex-metadata", 1],
      ["usage", "gcp-workspace-tensorboard", "gcp-vertex-tensorboard", 1],
    ]);
    expect(fixedMonthly(lines, "aws")).to.equal(charge("aws-kms-key", 1));
    expect(fixedMonthly(lines, "azure")).to.equal(charge("azure-acr-premium", 1));
    expect(charge("azure-acr-premium", 1)).to.be.closeTo((1.667 * HOURS_PER_MONTH) / 24, 1e-9);
    for (const line of lines.filter((l) => l.kind === "usage")) {
      expect([line.idleMonthlyUsd, line.peakMonthlyUsd], line.name).to.deep.equal([0, 0]);
    }
  });

  it("counts an interface endpoint once per availability zone, from its subnets", () => {
    const endpoint = (name: string, inputs: Inputs) =>
      resource("aws:ec2/vpcEndpoint:VpcEndpoint", name, inputs);
    const resources = [
      endpoint("three-zones", { vpcEndpointType: "Interface", subnetIds: ["a", "b", "c"] }),
      endpoint("gateway", { vpcEndpointType: "Gateway", routeTableIds: ["r"] }),
    ];
    const { lines } = estimateStack(stackResources(resources));
    expect(lines.map((l) => [l.name, l.kind, l.idleMonthlyUsd])).to.deep.equal([
      ["three-zones", "fixed", 0.01 * 3 * HOURS_PER_MONTH],
    ]);
  });

  it("prices the container registry an Azure ML registry creates in each of its regions", () => {
    const registry = resource("azure-native:machinelearningservices:Registry", "models", {
      regionDetails: [
        { acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: "Premium" } }] },
        { acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: "Basic" } }] },
      ],
    });
    const { lines } = estimateStack(stackResources([registry]));
    expect(lines.map((l) => [l.kind, l.block, l.idleMonthlyUsd])).to.deep.equal([
      ["fixed", "model-registry", charge("azure-acr-premium", 1)],
      ["fixed", "model-registry", charge("azure-acr-basic", 1)],
    ]);
  });

  it("prices a managed network's private endpoints, and its firewall only with FQDN outbound rules", () => {
    const workspace = (managedNetwork: Inputs) =>
      resource("azure-native:machinelearningservices:Workspace", "ws", { managedNetwork });
    const ids = (managedNetwork: Inputs) =>
      estimateStack(stackResources([workspace(managedNetwork)])).lines.map((l) =>
        l.kind === "compute" ? "" : `${l.chargeId} x${l.quantity}`,
      );
    expect(ids({ isolationMode: "Disabled" })).to.deep.equal([]);
    expect(
      ids({
        isolationMode: "AllowOnlyApprovedOutbound",
        firewallSku: "Basic",
        outboundRules: { pypi: { type: "FQDN", destination: "pypi.org" } },
      }),
    ).to.deep.equal([
      "azure-private-endpoint x5",
      "azure-private-endpoint-data x1",
      "azure-firewall-basic x1",
      "azure-firewall-basic-data x1",
    ]);
  });

  it("counts a managed network's own private endpoint rules, and says when the network is not known yet", () => {
    const workspace = (managedNetwork: unknown) =>
      resource("azure-native:machinelearningservices:Workspace", "ws", { managedNetwork });
    const withRule = estimateStack(
      stackResources([
        workspace({
          isolationMode: "AllowOnlyApprovedOutbound",
          outboundRules: { registry: { type: "PrivateEndpoint" } },
        }),
      ]),
    );
    expect(withRule.lines.map((l) => (l.kind === "compute" ? 0 : l.quantity))).to.deep.equal([
      6, 1,
    ]);
    const unknown = estimateStack(stackResources([workspace(UNKNOWN)]));
    expect([unknown.lines, unknown.unpriced.map((u) => u.reason)]).to.deep.equal([
      [],
      [
        "its managedNetwork is not known until deployment, so its private endpoints and any Azure Firewall are not counted",
      ],
    ]);
  });

  it("reads a managed network the provider cannot know yet from the workspace block's own input", () => {
    const block = resource("mlplatform:azure:Workspace", "ws", {
      managedNetwork: {
        isolationMode: "AllowOnlyApprovedOutbound",
        firewallSku: "Basic",
        outboundRules: {
          registry: { type: "PrivateEndpoint", destination: { serviceResourceId: UNKNOWN } },
          pypi: { type: "FQDN", destination: "pypi.org" },
        },
      },
    });
    const workspace = {
      ...resource("azure-native:machinelearningservices:Workspace", "ws-ml", {
        managedNetwork: UNKNOWN,
      }),
      parent: block.urn,
    };
    const priced = estimateStack(stackResources([block, workspace]));
    expect(priced.unpriced).to.deep.equal([]);
    expect(
      priced.lines.map((l) => [
        l.name,
        l.kind,
        l.kind === "compute" ? "" : l.chargeId,
        l.idleMonthlyUsd,
      ]),
    ).to.deep.equal([
      ["ws-ml", "fixed", "azure-private-endpoint", charge("azure-private-endpoint", 6)],
      ["ws-ml", "usage", "azure-private-endpoint-data", 0],
      ["ws-ml", "fixed", "azure-firewall-basic", charge("azure-firewall-basic", 1)],
      ["ws-ml", "usage", "azure-firewall-basic-data", 0],
    ]);
    // A workspace of another program has no such block: its network stays not priced.
    const orphan = estimateStack(stackResources([{ ...workspace, parent: undefined }]));
    expect(orphan.unpriced.map((u) => u.urn)).to.deep.equal([workspace.urn]);
  });

  it("prices a private endpoint the program declares by the hour, and its data by use", () => {
    const endpoint = resource("azure-native:network:PrivateEndpoint", "way-in", {
      privateLinkServiceConnections: [{ groupIds: ["amlworkspace"] }],
    });
    const { lines } = estimateStack(stackResources([endpoint]));
    expect(
      lines.map((l) => [l.kind, l.block, l.kind === "compute" ? "" : l.byUse, l.idleMonthlyUsd]),
    ).to.deep.equal([
      ["fixed", "workspace", null, 0.01 * HOURS_PER_MONTH],
      ["usage", "workspace", "$0.01 per GB in and $0.01 per GB out", 0],
    ]);
  });

  it("prices GCP training without a standing cluster at nothing idle and its job bound at peak", () => {
    const row = resolveInstance("cpu-8x32", "gcp", "training");
    const block = resource("mlplatform:gcp:TrainingCluster", "gcp-training", {
      serverlessJobs: {
        machineSpec: { machineType: row.instanceType },
        maxReplicaCount: 8,
        schedulingStrategy: "STANDARD",
      },
    });
    const [line] = computeOf([block]);
    expect([
      line.name,
      line.use,
      line.instanceType,
      line.machines,
      line.idleMonthlyUsd,
      line.peakMonthlyUsd,
    ]).to.deep.equal([
      "gcp-training",
      "training",
      "n2-standard-8",
      { min: 0, max: 8 },
      0,
      row.hourlyUsd * 8 * HOURS_PER_MONTH,
    ]);
    expect(line.ceiling).to.match(/^Vertex AI does not enforce it: /);
    // With a standing cluster the block declares no jobs of its own: the cluster is priced.
    const standing = resource("mlplatform:gcp:TrainingCluster", "gcp-training", {});
    expect(estimateStack(stackResources([standing])).lines).to.deep.equal([]);
  });

  it("prices spot and low-priority training at the catalog's spot price", () => {
    const resources = planWith("aws-training-environment", (r) => {
      (r.inputs.computeResources as Inputs).type = "SPOT";
    }).resources;
    const [line] = computeOf(resources);
    const row = resolveInstance("cpu-8x32", "aws", "training");
    expect([line.spot, line.hourlyUsd, line.priceDate]).to.deep.equal([
      true,
      row.spotHourlyUsd,
      row.priceDate,
    ]);
    expect(line.peakMonthlyUsd).to.equal((row.spotHourlyUsd ?? 0) * 8 * HOURS_PER_MONTH);
  });

  it("says why an endpoint idles above zero where the cloud keeps one replica", () => {
    const floors = (shape: PlatformShape) =>
      computeOf(plan(shape))
        .filter((l) => l.floor !== undefined)
        .map((l) => [l.name, l.machines.min, l.floor]);
    expect(floors({ ...DEV_SHAPE, minReplicas: 0 })).to.deep.equal([
      [
        "aws-endpoint-iris-config",
        1,
        "a SageMaker instance-based variant keeps at least 1 instance; serverless inference, which keeps none, takes only sizes without a GPU and with at most 6 GB of memory, and inference components, which scale instances to 0, have no resource in @pulumi/aws",
      ],
      [
        "azure-endpoint-iris-deployment",
        1,
        "an Azure ML managed online deployment keeps at least 1 instance",
      ],
      [
        "gcp-endpoint-iris-deployment",
        1,
        "a Vertex AI deployed model keeps at least 1 replica (scale to zero is not generally available for Vertex AI Inference)",
      ],
    ]);
    // One replica asked for is no floor, and neither is a resource whose block declares nothing.
    expect(floors(DEV_SHAPE)).to.deep.equal([]);
    const undeclared = platformExport({ ...DEV_SHAPE, minReplicas: 0 });
    for (const r of undeclared.deployment.resources) {
      if (r.type.endsWith(":OnlineEndpoint")) r.inputs = {};
    }
    const lines = computeOf(fromStackExport(undeclared));
    expect(lines.filter((l) => l.floor !== undefined)).to.deep.equal([]);
  });

  it("sums per cloud and for the stack, compute and fixed charges alike", () => {
    const { lines } = estimateStack(stackResources(prodPlan()));
    const fixed = fixedMonthly(lines, "aws");
    const aws =
      monthly("cpu-8x32", "aws", "training", 8) + monthly("cpu-4x16", "aws", "hosting", 6);
    expect(totalsByCloud(lines).aws?.peakMonthlyUsd).to.be.closeTo(aws + fixed, 1e-9);
    expect(totalsByCloud(lines).aws?.idleMonthlyUsd).to.be.closeTo(
      monthly("cpu-4x16", "aws", "hosting", 2) + fixed,
      1e-9,
    );
    const all = lines.reduce((sum, l) => sum + l.peakMonthlyUsd, 0);
    expect(totals(lines).peakMonthlyUsd).to.equal(all);
  });

  it("counts a Batch environment's vCPUs in whole instances", () => {
    const resources = planWith("aws-training-environment", (r) => {
      Object.assign(r.inputs.computeResources as Inputs, { minVcpus: 9, maxVcpus: 20 });
    }).resources;
    const line = computeOf(resources)[0];
    expect(line.machines).to.deep.equal({ min: 2, max: 3 });
    expect(line.idleMonthlyUsd).to.equal(monthly("cpu-8x32", "aws", "training", 2));
  });

  it("prices a Batch environment's floor on its cheapest type per vCPU and its ceiling on the dearest", () => {
    const resources = planWith("aws-training-environment", (r) => {
      Object.assign(r.inputs.computeResources as Inputs, {
        instanceTypes: ["m5.2xlarge", "g4dn.xlarge"],
        minVcpus: 8,
        maxVcpus: 16,
      });
    }).resources;
    const line = computeOf(resources)[0];
    expect(line.instanceType).to.equal("g4dn.xlarge");
    expect(line.machines).to.deep.equal({ min: 1, max: 4 });
    expect(line.idleMonthlyUsd).to.equal(monthly("cpu-8x32", "aws", "training", 1));
    expect(line.peakMonthlyUsd).to.equal(monthly("gpu-t4x1", "aws", "training", 4));
  });

  it("keeps a SageMaker variant without an autoscaler at its initial count", () => {
    const resources = planWith("aws-endpoint-iris-scaling", (r) => (r.dependencies = [])).resources;
    const line = computeOf(resources)[1];
    expect(line.machines).to.deep.equal({ min: 2, max: 2 });
    expect(line.autoscalerUrn).to.equal(undefined);
  });

  it("takes an Azure deployment's bounds from every profile of its autoscale setting", () => {
    const resources = planWith("azure-endpoint-iris-autoscale", (r) => {
      r.inputs.profiles = [
        { name: "day", capacity: { minimum: "3", maximum: "6", default: "3" }, rules: [] },
        { name: "night", capacity: { minimum: "2", maximum: "4", default: "2" }, rules: [] },
      ];
    }).resources;
    expect(computeOf(resources)[3].machines).to.deep.equal({
      min: 2,
      max: 6,
    });
  });

  it("prices a GCP machine with its accelerator", () => {
    const resources = planWith("gcp-training-cluster", (r) => {
      (r.inputs.resourcePools as Inputs[])[0].machineSpec = {
        machineType: "n1-standard-4",
        acceleratorType: "NVIDIA_TESLA_T4",
        acceleratorCount: 1,
      };
    }).resources;
    expect(computeOf(resources)[4].peakMonthlyUsd).to.equal(
      monthly("gpu-t4x1", "gcp", "training", 8),
    );
  });

  it("lists what it cannot price, and why", () => {
    const resources = [
      ...planWith("azure-training-cluster", (r) => {
        ((r.inputs.properties as Inputs).properties as Inputs).vmSize = "Standard_DS2_v2";
      }).resources,
      resource("azure-native:machinelearningservices:Compute", "odd-cluster", {
        properties: {
          computeType: "AmlCompute",
          properties: { vmSize: "Standard_X1", scaleSettings: { maxNodeCount: 1 } },
        },
      }),
    ];
    expect(estimateStack(stackResources(resources)).unpriced).to.deep.equal([
      {
        urn: urnOf(resources, "azure-training-cluster"),
        type: "azure-native:machinelearningservices:Compute",
        reason: 'the catalog has no price for "Standard_DS2_v2" on azure training',
      },
      {
        urn: urnOf(resources, "odd-cluster"),
        type: "azure-native:machinelearningservices:Compute",
        reason: '"Standard_X1" is not in the catalog for azure training',
      },
    ]);
  });
});

describe("cost policies", () => {
  describe("monthly-ceiling-within-budget", () => {
    const peak = {
      aws: monthly("cpu-8x32", "aws", "training", 8) + monthly("cpu-4x16", "aws", "hosting", 6),
      azure:
        monthly("cpu-8x32", "azure", "training", 8) + monthly("cpu-4x16", "azure", "hosting", 6),
      gcp: monthly("cpu-8x32", "gcp", "training", 8) + monthly("cpu-4x16", "gcp", "hosting", 6),
    };
    const fixed = fixedMonthly(estimateStack(stackResources(prodPlan())).lines);
    const ceiling = peak.aws + peak.azure + peak.gcp + fixed;

    it("passes a ceiling within the stack's budget", async () => {
      expect(
        await check(monthlyCeilingWithinBudget, prodPlan(), { stackConfig: { [BUDGET]: "20000" } }),
      ).to.deep.equal([]);
    });

    it("fails a ceiling over the stack's budget, naming the costliest resources and their share", async () => {
      const resources = prodPlan();
      const gcpTraining = monthly("cpu-8x32", "gcp", "training", 8);
      const awsTraining = monthly("cpu-8x32", "aws", "training", 8);
      const share = (amount: number) => Math.round((100 * amount) / ceiling);
      expect(
        await check(monthlyCeilingWithinBudget, resources, { stackConfig: { [BUDGET]: "5000" } }),
      ).to.deep.equal([
        {
          urn: urnOf(resources, "gcp-training-cluster"),
          message: `the estimated monthly ceiling, every autoscaler at its maximum, must stay within $5,000.00 (stack config mlplatform:budgetMonthlyUsd); it is ${usd(ceiling)}. Costliest at peak: gcp-training-cluster (n2-standard-8 x8) ${usd(gcpTraining)} (${share(gcpTraining)}%), aws-training-environment (m5.2xlarge x8) ${usd(awsTraining)} (${share(awsTraining)}%), azure-training-cluster (Standard_D8as_v4 x8) ${usd(awsTraining)} (${share(awsTraining)}%). Lower maximum replicas or nodes, pick a smaller size, or raise the budget.`,
        },
      ]);
    });

    it("names the resource whose maximum blew the budget", async () => {
      const { resources, urn } = planWith(
        "gcp-endpoint-iris-deployment",
        (r) => (r.inputs.maxReplicas = 100),
      );
      const [finding] = await check(monthlyCeilingWithinBudget, resources, {
        stackConfig: { [BUDGET]: "20000" },
        config: { topResources: 1 },
      });
      const deployment = monthly("cpu-4x16", "gcp", "hosting", 100);
      const total = ceiling - monthly("cpu-4x16", "gcp", "hosting", 6) + deployment;
      expect(finding).to.deep.equal({
        urn,
        message: `the estimated monthly ceiling, every autoscaler at its maximum, must stay within $20,000.00 (stack config mlplatform:budgetMonthlyUsd); it is ${usd(total)}. Costliest at peak: gcp-endpoint-iris-deployment (n2-standard-4 x100) ${usd(deployment)} (${Math.round((100 * deployment) / total)}%). Lower maximum replicas or nodes, pick a smaller size, or raise the budget.`,
      });
    });

    it("applies the policy's own budget where it is stricter than the stack's", async () => {
      const findings = await check(monthlyCeilingWithinBudget, prodPlan(), {
        stackConfig: { [BUDGET]: "20000" },
        config: { budgetMonthlyUsd: 9000, topResources: 1 },
      });
      expect(findings.map((f) => f.message.split(". Costliest")[0])).to.deep.equal([
        `the estimated monthly ceiling, every autoscaler at its maximum, must stay within $9,000.00 (policy config budgetMonthlyUsd); it is ${usd(ceiling)}`,
      ]);
    });

    it("keeps the stack's budget where the policy's is looser", async () => {
      const findings = await check(monthlyCeilingWithinBudget, prodPlan(), {
        stackConfig: { [BUDGET]: "9000" },
        config: { budgetMonthlyUsd: 50000 },
      });
      expect(findings.map((f) => f.message.split("; it is")[0])).to.deep.equal([
        "the estimated monthly ceiling, every autoscaler at its maximum, must stay within $9,000.00 (stack config mlplatform:budgetMonthlyUsd)",
      ]);
    });

    it("fails a budget that is not a number", async () => {
      expect(
        await check(monthlyCeilingWithinBudget, prodPlan(), { stackConfig: { [BUDGET]: "lots" } }),
      ).to.deep.equal([
        {
          urn: rootUrn(),
          message:
            'mlplatform:budgetMonthlyUsd must be a number of USD a month, 0 or more; it is "lots".',
        },
      ]);
    });

    it("has nothing to check without a budget", async () => {
      expect(await check(monthlyCeilingWithinBudget, prodPlan())).to.deep.equal([]);
    });
  });

  describe("idle-floor-within-budget", () => {
    const floor =
      monthly("cpu-4x16", "gcp", "training", 1) +
      monthly("cpu-2x8", "aws", "hosting", 1) +
      monthly("cpu-2x8", "azure", "hosting", 1) +
      monthly("cpu-2x8", "gcp", "hosting", 1) +
      fixedMonthly(estimateStack(stackResources(devPlan())).lines);

    it("passes a dev stack that idles within its idle budget", async () => {
      expect(
        await check(idleFloorWithinBudget, devPlan(), { config: { idleBudgetMonthlyUsd: 600 } }),
      ).to.deep.equal([]);
    });

    it("fails an idle floor over the idle budget, naming what idles", async () => {
      const resources = devPlan();
      const gcpTraining = monthly("cpu-4x16", "gcp", "training", 1);
      const awsEndpoint = monthly("cpu-2x8", "aws", "hosting", 1);
      expect(
        await check(idleFloorWithinBudget, resources, {
          config: { idleBudgetMonthlyUsd: 100, topResources: 2 },
        }),
      ).to.deep.equal([
        {
          urn: urnOf(resources, "gcp-training-cluster"),
          message: `the estimated monthly idle floor, every autoscaler at its minimum, must stay within $100.00 (policy config idleBudgetMonthlyUsd); it is ${usd(floor)}. Costliest at idle: gcp-training-cluster (n2-standard-4 x1) ${usd(gcpTraining)} (${Math.round((100 * gcpTraining) / floor)}%), aws-endpoint-iris-config (ml.m5.large x1) ${usd(awsEndpoint)} (${Math.round((100 * awsEndpoint) / floor)}%). Let training scale to zero and endpoints to their least replicas, or raise the idle budget.`,
        },
      ]);
    });

    it("counts nodes a training cluster keeps when idle", async () => {
      const { resources, urn } = planWith(
        "azure-training-cluster",
        (r) =>
          Object.assign((r.inputs.properties as Inputs).properties as Inputs, {
            scaleSettings: { minNodeCount: 4, maxNodeCount: 4 },
            vmPriority: "Dedicated",
          }),
        DEV_SHAPE,
      );
      const findings = await check(idleFloorWithinBudget, resources, {
        config: { idleBudgetMonthlyUsd: 600 },
      });
      expect(findings.map((f) => f.urn)).to.deep.equal([urn]);
    });

    it("has nothing to check without an idle budget", async () => {
      expect(await check(idleFloorWithinBudget, devPlan())).to.deep.equal([]);
    });
  });
});
