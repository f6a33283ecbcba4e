import * as kms from "@pulumi/gcp/kms";
import { expect } from "chai";
import {
  SCALE_FLOORS,
  SIZES,
  SIZE_NAMES,
  resolveInstance,
  unavailableReason,
} from "../../policies/catalog";
import { GcpTrainingCluster, SERVERLESS_CLUSTER_NAME } from "../../components/gcp/training";
import { blockTags } from "../../components/tags";
import type { TrainingSpec } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, registered, single, unwrap } from "../harness";
import {
  KEY_NAME,
  PLACEMENT,
  PROJECT,
  REGION,
  TAGS,
  component,
  gcpOutputs,
  labelsAreValid,
  type MonitorLog,
  watchMonitor,
} from "./fixtures";

const PERSISTENT_RESOURCE = "gcp:vertex/aiPersistentResource:AiPersistentResource";

const RUNTIME_EMAIL = `mlplatform-test-runtime@${PROJECT}.iam.gserviceaccount.com`;

/** A spec that keeps a node running, so training is a persistent resource. */
const TRAINING: TrainingSpec = {
  size: "cpu-4x16",
  minNodes: 1,
  maxNodes: 4,
  idleMinutes: 30,
  spot: false,
};

interface Pool {
  id: string;
  machineSpec: Record<string, unknown>;
  replicaCount: string;
  autoscalingSpec?: { minReplicaCount: string; maxReplicaCount: string };
}

describe("gcp training cluster", () => {
  let rec: Recorder;
  let log: MonitorLog;

  before(async () => {
    rec = await mockPulumi({ outputs: gcpOutputs });
    log = watchMonitor();
  });
  beforeEach(() => rec.reset());

  async function build(training: Partial<TrainingSpec> = {}): Promise<Registration[]> {
    const keyAccess = new kms.CryptoKeyIAMMember("grant", {
      cryptoKeyId: KEY_NAME,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:agent@example.com",
    });
    new GcpTrainingCluster("train", {
      ...PLACEMENT,
      tier: "dev",
      tags: TAGS,
      ...TRAINING,
      ...training,
      serviceAccount: RUNTIME_EMAIL,
      kmsKeyName: KEY_NAME,
      keyAccess,
    });
    return registered(rec);
  }

  function pool(regs: Registration[]): Pool {
    const pools = single(regs, PERSISTENT_RESOURCE).inputs.resourcePools as Pool[];
    expect(pools).to.have.length(1);
    return pools[0];
  }

  it("runs the catalog's training machine type for a CPU size, with no accelerator", async () => {
    const spec = pool(await build({ size: "cpu-8x32" })).machineSpec;
    expect(spec).to.deep.equal({
      machineType: resolveInstance("cpu-8x32", "gcp", "training").instanceType,
    });
  });

  const gpuSizes = SIZE_NAMES.filter(
    (size) => SIZES[size].gpu !== null && unavailableReason(size, "gcp", "training") === undefined,
  );

  it("has GPU sizes to check", () => {
    expect(gpuSizes).to.include("gpu-t4x1");
  });

  for (const size of gpuSizes) {
    it(`attaches the catalog's accelerator type and count for ${size}`, async () => {
      const row = resolveInstance(size, "gcp", "training");
      expect(pool(await build({ size })).machineSpec).to.deep.equal({
        machineType: row.instanceType,
        acceleratorType: row.accelerator?.type,
        acceleratorCount: row.accelerator?.count,
      });
      expect(row.accelerator?.count).to.equal(SIZES[size].gpu?.count);
    });
  }

  it("declares no standing cluster when training may scale to zero, and says how jobs run", async () => {
    expect(SCALE_FLOORS.gcp.training.min).to.equal(1);
    let cluster!: GcpTrainingCluster;
    const regs = await (async () => {
      const keyAccess = new kms.KeyRing("ring", { location: REGION });
      cluster = new GcpTrainingCluster("train", {
        ...PLACEMENT,
        tier: "dev",
        tags: TAGS,
        ...TRAINING,
        minNodes: 0,
        maxNodes: 4,
        spot: true,
        serviceAccount: RUNTIME_EMAIL,
        kmsKeyName: KEY_NAME,
        keyAccess,
      });
      return registered(rec);
    })();
    expect(regs.filter((r) => r.type === PERSISTENT_RESOURCE)).to.deep.equal([]);
    expect(await unwrap(cluster.clusterName)).to.equal(SERVERLESS_CLUSTER_NAME);
    expect([cluster.minNodes, cluster.maxNodes]).to.deep.equal([0, 4]);
    expect(await unwrap(cluster.jobSettings)).to.deep.equal({
      mode: "serverless",
      project: PROJECT,
      region: REGION,
      machineSpec: { machineType: resolveInstance("cpu-4x16", "gcp", "training").instanceType },
      maxReplicaCount: 4,
      schedulingStrategy: "SPOT",
      serviceAccount: RUNTIME_EMAIL,
      kmsKeyName: KEY_NAME,
      notApplied: ["idleMinutes (30): a serverless job's machines are released when the job ends"],
    });
    const parent = component(regs, "mlplatform:gcp:TrainingCluster");
    expect(log.outputs.get(parent.urn)?.jobSettings).to.include({ mode: "serverless" });
  });

  it("declares the jobs' machine spec, bound and scheduling as its own input only without a standing cluster", async () => {
    const serverless = single(
      await build({ minNodes: 0, maxNodes: 8, spot: true }),
      "mlplatform:gcp:TrainingCluster",
    );
    const serverlessJobs = {
      machineSpec: { machineType: "n2-standard-4" },
      maxReplicaCount: 8,
      schedulingStrategy: "SPOT",
    };
    expect(serverless.inputs).to.deep.equal({ serverlessJobs });
    // Where a stack export records the component's outputs, the gate reads those instead.
    expect(log.outputs.get(serverless.urn)?.serverlessJobs).to.deep.equal(serverlessJobs);
    rec.reset();
    const standing = single(await build(), "mlplatform:gcp:TrainingCluster");
    expect(standing.inputs).to.deep.equal({});
  });

  it("says that spot and idleMinutes do not apply to a persistent resource", async () => {
    let cluster!: GcpTrainingCluster;
    await (async () => {
      cluster = new GcpTrainingCluster("train", {
        ...PLACEMENT,
        tier: "dev",
        tags: TAGS,
        ...TRAINING,
        spot: true,
        serviceAccount: RUNTIME_EMAIL,
        kmsKeyName: KEY_NAME,
        keyAccess: new kms.KeyRing("ring", { location: REGION }),
      });
      return registered(rec);
    })();
    const settings = await unwrap(cluster.jobSettings);
    expect(settings).to.include({
      mode: "persistent-resource",
      schedulingStrategy: "STANDARD",
      persistentResourceId: "mlplatform-test-training-cpu-4x16-1-4",
    });
    expect(settings.notApplied).to.deep.equal([
      "spot: a persistent resource has no Spot capacity",
      "idleMinutes (30): a persistent resource has no idle timeout",
    ]);
  });

  it("autoscales between the spec's node bounds above the floor", async () => {
    const p = pool(await build({ minNodes: 2, maxNodes: 8 }));
    expect(p.replicaCount).to.equal("2");
    expect(p.autoscalingSpec).to.deep.equal({ minReplicaCount: "2", maxReplicaCount: "8" });
  });

  it("is a fixed-size pool when the floor meets the maximum, as Vertex AI wants max above min", async () => {
    const p = pool(await build({ minNodes: 1, maxNodes: 1 }));
    expect(p.replicaCount).to.equal("1");
    expect(p).to.not.have.property("autoscalingSpec");
  });

  it("is encrypted with the platform key, after the Vertex AI agent may use it", async () => {
    const regs = await build();
    const cluster = single(regs, PERSISTENT_RESOURCE);
    expect(cluster.inputs.encryptionSpec).to.deep.equal({ kmsKeyName: KEY_NAME });
    expect(cluster.dependencies).to.include(
      single(regs, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").urn,
    );
  });

  it("runs jobs only as a user-managed service account", async () => {
    const cluster = single(await build(), PERSISTENT_RESOURCE);
    expect(cluster.inputs.resourceRuntimeSpec).to.deep.equal({
      serviceAccountSpec: { enableCustomServiceAccount: true },
    });
  });

  it("has a valid id in the project's region and carries the training labels with its size", async () => {
    const cluster = single(await build({ size: "gpu-t4x1" }), PERSISTENT_RESOURCE);
    expect(cluster.inputs).to.include({
      project: PROJECT,
      location: REGION,
      name: "mlplatform-test-training-gpu-t4x1-1-4",
    });
    expect(cluster.inputs.name).to.match(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/);
    expect(cluster.inputs.labels).to.deep.equal(blockTags(TAGS, "training", "gpu-t4x1"));
    expect(labelsAreValid(cluster.inputs.labels as Record<string, unknown>)).to.equal(true);
  });

  it("names the cluster after its size and bounds, so a replacement is created before the old one goes", async () => {
    const name = async (training: Partial<TrainingSpec>): Promise<unknown> => {
      rec.reset();
      return single(await build(training), PERSISTENT_RESOURCE).inputs.name;
    };
    expect(await name({ size: "cpu-4x16", minNodes: 1, maxNodes: 4 })).to.equal(
      "mlplatform-test-training-cpu-4x16-1-4",
    );
    expect(await name({ size: "cpu-8x32", minNodes: 1, maxNodes: 4 })).to.equal(
      "mlplatform-test-training-cpu-8x32-1-4",
    );
    expect(await name({ size: "cpu-4x16", minNodes: 2, maxNodes: 4 })).to.equal(
      "mlplatform-test-training-cpu-4x16-2-4",
    );
    expect(await name({ size: "cpu-4x16", minNodes: 1, maxNodes: 6 })).to.equal(
      "mlplatform-test-training-cpu-4x16-1-6",
    );
    rec.reset();
    const cluster = single(await build(), PERSISTENT_RESOURCE);
    expect(cluster.inputs.displayName).to.equal("mlplatform-test-training");
    expect(log.options.get("train-cluster")?.deleteBeforeReplace).to.equal(false);
  });

  it("keeps a fixed-size pool's id when only its node count changes, which the provider updates in place", async () => {
    const name = async (nodes: number): Promise<unknown> => {
      rec.reset();
      return single(await build({ minNodes: nodes, maxNodes: nodes }), PERSISTENT_RESOURCE).inputs
        .name;
    };
    expect(await name(2)).to.equal("mlplatform-test-training-cpu-4x16-fixed");
    expect(await name(3)).to.equal("mlplatform-test-training-cpu-4x16-fixed");
  });

  it("ignores label changes, so a tag edit never replaces the cluster and its running jobs", async () => {
    await build();
    expect(log.options.get("train-cluster")?.ignoreChanges).to.deep.equal(["labels"]);
  });

  it("registers every public output", async () => {
    const regs = await build({ size: "cpu-8x32", minNodes: 2, maxNodes: 8 });
    const parent = component(regs, "mlplatform:gcp:TrainingCluster");
    expect(log.outputs.get(parent.urn)).to.deep.equal({
      clusterName: "mlplatform-test-training-cpu-8x32-2-8",
      instanceType: resolveInstance("cpu-8x32", "gcp", "training").instanceType,
      minNodes: 2,
      maxNodes: 8,
      jobSettings: {
        mode: "persistent-resource",
        project: PROJECT,
        region: REGION,
        machineSpec: { machineType: resolveInstance("cpu-8x32", "gcp", "training").instanceType },
        maxReplicaCount: 8,
        schedulingStrategy: "STANDARD",
        serviceAccount: RUNTIME_EMAIL,
        kmsKeyName: KEY_NAME,
        persistentResourceId: "mlplatform-test-training-cpu-8x32-2-8",
        notApplied: ["idleMinutes (30): a persistent resource has no idle timeout"],
      },
    });
  });

  it("is a child of the training cluster component", async () => {
    const regs = await build();
    const parent = component(regs, "mlplatform:gcp:TrainingCluster");
    expect(single(regs, PERSISTENT_RESOURCE).parent).to.equal(parent.urn);
  });

  it("refuses a size the catalog does not know", async () => {
    expect(
      () =>
        new GcpTrainingCluster("bad", {
          ...PLACEMENT,
          tier: "dev",
          tags: TAGS,
          ...TRAINING,
          size: "cpu-3x9",
          serviceAccount: RUNTIME_EMAIL,
          kmsKeyName: KEY_NAME,
          keyAccess: new kms.KeyRing("ring", { location: REGION }),
        }),
    ).to.throw("cpu-3x9 is not a size the catalog knows");
    await registered(rec);
  });
});
