import * as kms from "@pulumi/gcp/kms";
import { expect } from "chai";
import {
  SCALE_FLOOR,
  SIZES,
  SIZE_NAMES,
  resolveInstance,
  unavailableReason,
} from "../../components/catalog";
import { GcpTrainingCluster } from "../../components/gcp/training";
import { blockTags } from "../../components/tags";
import type { TrainingSpec } from "../../components/types";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, registered, single } from "../harness";
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

const TRAINING: TrainingSpec = {
  size: "cpu-4x16",
  minNodes: 0,
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

  it("raises a minimum of zero nodes to the one replica Vertex AI requires", async () => {
    expect(SCALE_FLOOR.gcp.training).to.equal(1);
    const p = pool(await build({ minNodes: 0, maxNodes: 4 }));
    expect(p.replicaCount).to.equal("1");
    expect(p.autoscalingSpec).to.deep.equal({ minReplicaCount: "1", maxReplicaCount: "4" });
  });

  it("autoscales between the spec's node bounds above the floor", async () => {
    const p = pool(await build({ minNodes: 2, maxNodes: 8 }));
    expect(p.replicaCount).to.equal("2");
    expect(p.autoscalingSpec).to.deep.equal({ minReplicaCount: "2", maxReplicaCount: "8" });
  });

  it("is a fixed-size pool when the floor meets the maximum, as Vertex AI wants max above min", async () => {
    const p = pool(await build({ minNodes: 0, maxNodes: 1 }));
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
    expect(await name({ size: "cpu-4x16", minNodes: 0, maxNodes: 4 })).to.equal(
      "mlplatform-test-training-cpu-4x16-1-4",
    );
    expect(await name({ size: "cpu-8x32", minNodes: 0, maxNodes: 4 })).to.equal(
      "mlplatform-test-training-cpu-8x32-1-4",
    );
    expect(await name({ size: "cpu-4x16", minNodes: 2, maxNodes: 4 })).to.equal(
      "mlplatform-test-training-cpu-4x16-2-4",
    );
    expect(await name({ size: "cpu-4x16", minNodes: 0, maxNodes: 6 })).to.equal(
      "mlplatform-test-training-cpu-4x16-1-6",
    );
    rec.reset();
    const cluster = single(await build(), PERSISTENT_RESOURCE);
    expect(cluster.inputs.displayName).to.equal("mlplatform-test-training");
    expect(log.options.get("train-cluster")?.deleteBeforeReplace).to.equal(false);
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
          kmsKeyName: KEY_NAME,
          keyAccess: new kms.KeyRing("ring", { location: REGION }),
        }),
    ).to.throw("cpu-3x9 is not a size the catalog knows");
    await registered(rec);
  });
});
