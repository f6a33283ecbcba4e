import * as kms from "@pulumi/gcp/kms";
import { expect } from "chai";
import { GcpContainerRegistry } from "../../components/gcp/registry";
import { blockTags } from "../../components/tags";
import type { Tier } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, registered, single, unwrap } from "../harness";
import {
  KEY_NAME,
  PLACEMENT,
  PROJECT,
  REGION,
  SUFFIX,
  TAGS,
  component,
  gcpOutputs,
  labelsAreValid,
  type MonitorLog,
  watchMonitor,
} from "./fixtures";

const REPOSITORY = "gcp:artifactregistry/repository:Repository";
const RUNTIME = "serviceAccount:runtime@ml-platform-test.iam.gserviceaccount.com";

describe("gcp container registry", () => {
  let rec: Recorder;
  let registry: GcpContainerRegistry;

  let log: MonitorLog;

  before(async () => {
    rec = await mockPulumi({ outputs: gcpOutputs });
    log = watchMonitor();
  });
  beforeEach(() => rec.reset());

  async function build(tier: Tier = "dev"): Promise<Registration[]> {
    const keyAccess = new kms.CryptoKeyIAMMember("grant", {
      cryptoKeyId: KEY_NAME,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:ar-agent@example.com",
    });
    registry = new GcpContainerRegistry("images", {
      ...PLACEMENT,
      tier,
      tags: TAGS,
      uniqueSuffix: SUFFIX,
      kmsKeyName: KEY_NAME,
      keyAccess,
      readers: [RUNTIME],
    });
    return registered(rec);
  }

  it("is a regional Docker repository with a valid id", async () => {
    const repo = single(await build(), REPOSITORY);
    expect(repo.inputs).to.include({
      project: PROJECT,
      location: REGION,
      format: "DOCKER",
      mode: "STANDARD_REPOSITORY",
      repositoryId: "mlplatform-test",
    });
    expect(repo.inputs.repositoryId).to.match(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/);
  });

  it("is encrypted with the platform key, after the Artifact Registry agent may use it", async () => {
    const regs = await build();
    const repo = single(regs, REPOSITORY);
    expect(repo.inputs.kmsKeyName).to.equal(KEY_NAME);
    expect(repo.dependencies).to.include(
      single(regs, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").urn,
    );
  });

  it("keeps tags immutable and cleans up untagged images, keeping the latest versions", async () => {
    const repo = single(await build(), REPOSITORY);
    expect(repo.inputs.dockerConfig).to.deep.equal({ immutableTags: true });
    expect(repo.inputs.cleanupPolicyDryRun).to.equal(false);
    expect(repo.inputs.cleanupPolicies).to.deep.equal([
      { id: "keep-recent-versions", action: "KEEP", mostRecentVersions: { keepCount: 10 } },
      {
        id: "delete-untagged",
        action: "DELETE",
        condition: { tagState: "UNTAGGED", olderThan: "604800s" },
      },
    ]);
  });

  it("is protected and retained in prod only", async () => {
    expect(single(await build("prod"), REPOSITORY)).to.include({
      protect: true,
      retainOnDelete: true,
    });
    rec.reset();
    expect(single(await build("dev"), REPOSITORY)).to.include({
      protect: false,
      retainOnDelete: false,
    });
  });

  it("lets the runtime account pull images and nothing more", async () => {
    const reader = single(
      await build(),
      "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    );
    expect(reader.inputs).to.deep.equal({
      project: PROJECT,
      location: REGION,
      repository: "mlplatform-test",
      role: "roles/artifactregistry.reader",
      member: RUNTIME,
    });
  });

  it("carries the registry labels", async () => {
    const labels = single(await build(), REPOSITORY).inputs.labels as Record<string, unknown>;
    expect(labels).to.deep.equal(blockTags(TAGS, "registry"));
    expect(labelsAreValid(labels)).to.equal(true);
  });

  it("reports the regional Docker host URL", async () => {
    await build();
    expect(await unwrap(registry.registryUrl)).to.equal(
      `${REGION}-docker.pkg.dev/${PROJECT}/mlplatform-test`,
    );
  });

  it("registers every public output", async () => {
    const regs = await build();
    const parent = component(regs, "mlplatform:gcp:ContainerRegistry");
    expect(log.outputs.get(parent.urn)).to.deep.equal({
      registryUrl: `${REGION}-docker.pkg.dev/${PROJECT}/mlplatform-test`,
    });
  });

  it("parents the repository and its grant to the registry component", async () => {
    const regs = await build();
    const parent = component(regs, "mlplatform:gcp:ContainerRegistry");
    expect(single(regs, REPOSITORY).parent).to.equal(parent.urn);
    expect(
      single(regs, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").parent,
    ).to.equal(parent.urn);
  });
});
