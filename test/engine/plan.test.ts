import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../engine/monitor";
import type { ExportedResource, StackExport } from "../../engine/plan";
import { displayType } from "../../engine/commands/plan";
import { priced, scaleNotes } from "../../engine/estimate";
import { fromStackExport } from "../../engine/gate/input";
import { computeLines } from "../../policies/cost/model";
import { parse } from "yaml";
import { loadStackConfig } from "../../engine/stackConfig";
import { PROJECT_DIR, editedConfig, planJson, runCli, tempConfig } from "../cli";
import { mockPulumi } from "../harness";

function isProvider(r: ExportedResource): boolean {
  return r.type.startsWith("pulumi:providers:");
}

describe("offline plan", function () {
  this.timeout(300_000);
  let dev: StackExport;
  let prod: StackExport;

  before(() => {
    dev = planJson("dev");
    prod = planJson("prod");
  });

  it("writes a version 3 stack export with the stack resource first", () => {
    expect(dev.version).to.equal(3);
    const [stack] = dev.deployment.resources;
    expect(stack.type).to.equal("pulumi:pulumi:Stack");
    expect(stack.urn).to.equal("urn:pulumi:dev::mlplatform::pulumi:pulumi:Stack::mlplatform-dev");
    expect(stack.outputs).to.have.keys("aws", "azure", "gcp");
  });

  it("declares resources of all three clouds in the side-by-side stack", () => {
    const packages = new Set(
      dev.deployment.resources
        .filter((r) => r.custom && !isProvider(r))
        .map((r) => r.type.split(":")[0]),
    );
    expect([...packages]).to.include.members(["aws", "azure-native", "gcp", "random"]);
  });

  it("keeps every parent, dependency and provider reference resolvable", () => {
    for (const plan of [dev, prod]) {
      const urns = new Set(plan.deployment.resources.map((r) => r.urn));
      for (const r of plan.deployment.resources) {
        if (r.type !== "pulumi:pulumi:Stack" && !isProvider(r)) {
          expect(urns.has(r.parent ?? ""), `parent of ${r.urn}`).to.equal(true);
        }
        for (const dep of r.dependencies ?? []) {
          expect(urns.has(dep), `dependency ${dep} of ${r.urn}`).to.equal(true);
        }
        if (r.custom && !isProvider(r)) {
          expect(r.provider, r.urn).to.be.a("string");
          const providerUrn = (r.provider ?? "").slice(0, (r.provider ?? "").lastIndexOf("::"));
          expect(urns.has(providerUrn), `provider of ${r.urn}`).to.equal(true);
        }
      }
    }
  });

  it("captures dependencies the mocks do not see, and marks values known only after deployment", () => {
    const bucket =
      "urn:pulumi:dev::mlplatform::mlplatform:aws:Platform$mlplatform:aws:Storage$aws:s3/bucket:Bucket::aws-storage-bucket";
    const block = dev.deployment.resources.find((r) =>
      r.urn.endsWith("BucketPublicAccessBlock::aws-storage-public-access"),
    );
    expect(block?.dependencies).to.deep.equal([bucket]);
    expect(block?.propertyDependencies?.bucket).to.deep.equal([bucket]);
    expect(block?.inputs).to.deep.equal({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      bucket: UNKNOWN,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  });

  it("names each resource from its parent's whole type chain, the stack left out", () => {
    const urns = dev.deployment.resources.map((r) => r.urn);
    expect(urns).to.include(
      "urn:pulumi:dev::mlplatform::mlplatform:aws:Platform$mlplatform:aws:Workspace$aws:kms/key:Key::aws-workspace-key",
    );
    expect(urns).to.include("urn:pulumi:dev::mlplatform::mlplatform:aws:Platform::aws");
    expect(urns.filter((urn) => urn.includes("pulumi:pulumi:Stack$"))).to.deep.equal([]);
    const byUrn = new Map(dev.deployment.resources.map((r) => [r.urn, r]));
    for (const r of dev.deployment.resources) {
      const parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
      if (parent === undefined || parent.type === "pulumi:pulumi:Stack") {
        expect(r.urn, r.urn).to.match(/^urn:pulumi:dev::mlplatform::[^$]+::/);
      } else {
        const parentType = parent.urn.split("::")[2];
        expect(r.urn.split("::")[2], r.urn).to.equal(`${parentType}$${r.type}`);
      }
    }
  });

  it("gives the dynamic resources' default provider the whole stack config, namespaces kept", () => {
    const dynamic = dev.deployment.resources.find(
      (r) => r.type === "pulumi:providers:pulumi-nodejs",
    );
    const config = parse(fs.readFileSync("Pulumi.dev.yaml", "utf8")) as {
      config: Record<string, unknown>;
    };
    expect(dynamic?.inputs).to.have.keys(Object.keys(config.config));
    expect(dynamic?.inputs).to.include({ "aws:region": "us-east-1", "mlplatform:tier": "dev" });
    const expected = loadStackConfig(PROJECT_DIR, "dev").values;
    expect(dynamic?.urn).to.equal(
      "urn:pulumi:dev::mlplatform::pulumi:providers:pulumi-nodejs::default",
    );
    expect(dynamic?.inputs).to.deep.equal(expected);
  });

  it("gives the default providers the stack's provider config", () => {
    const aws = dev.deployment.resources.find((r) => r.type === "pulumi:providers:aws");
    expect(aws?.inputs).to.include({ region: "us-east-1" });
    const gcp = dev.deployment.resources.find((r) => r.type === "pulumi:providers:gcp");
    expect(gcp?.inputs).to.include({ region: "us-central1" });
    expect(gcp?.inputs).to.not.have.property("project");
  });

  it("plans a stack that leaves gcp:project to the provider into the provider's project", () => {
    const bucket = dev.deployment.resources.find((r) => r.type === "gcp:storage/bucket:Bucket");
    expect(bucket?.inputs).to.include({ project: "your-gcp-project" });
  });

  it("protects and retains stateful resources in prod only", () => {
    const protectedProd = prod.deployment.resources.filter((r) => r.protect);
    expect(protectedProd.length).to.be.greaterThan(5);
    for (const r of protectedProd) {
      expect(r.retainOnDelete, r.urn).to.equal(true);
    }
    expect(dev.deployment.resources.filter((r) => r.protect)).to.deep.equal([]);
  });

  it("draws the resource tree by default", () => {
    const result = runCli(["plan", "--stack", "aws-prod"]);
    expect(result.status).to.equal(0);
    expect(result.stdout).to.match(/^Previewing update \(aws-prod\)/);
    expect(result.stdout).to.match(/\n \+   pulumi:pulumi:Stack +mlplatform-aws-prod +create\n/);
    expect(result.stdout).to.match(/├─ mlplatform:aws:/);
    expect(result.stdout).to.match(/Resources:\n {4}\+ \d+ to create/);
    expect(result.stdout).to.not.match(/azure-native:|gcp:/);
  });

  it("writes the export to a file with --out", () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "plan.json");
    const result = runCli(["plan", "--stack", "gcp-prod", "--out", out]);
    expect(result.status).to.equal(0);
    const written = JSON.parse(fs.readFileSync(out, "utf8")) as StackExport;
    expect(result.stdout).to.equal(
      `wrote ${written.deployment.resources.length} resources of stack gcp-prod to ${out}\n`,
    );
  });

  it("says under the tree which floor each cloud keeps when the spec asks for none", () => {
    const file = editedConfig("dev", (text) => text.replace("minReplicas: 1", "minReplicas: 0"));
    const result = runCli(["plan", "--stack", "dev", "--config-file", file]);
    expect(result.status, result.stderr).to.equal(0);
    const floors = result.stdout.split("\n").filter((line) => line.startsWith("Floor: "));
    expect(floors.map((line) => line.split(":")[1].trim())).to.deep.equal([
      "aws-endpoint-iris-config idles at 1",
      "azure-endpoint-iris-deployment idles at 1",
      "gcp-endpoint-iris-deployment idles at 1",
    ]);
    expect(floors[0]).to.contain("serverless inference");
    // The stack as shipped asks for 1 replica, which every cloud keeps: no floor to explain. The
    // notes the plan prints, from the plan already made.
    const shipped = scaleNotes(
      computeLines(priced(fromStackExport(planJson("dev")), "dev", "plan").lines),
    );
    expect(shipped.filter((line) => line.startsWith("Floor: "))).to.deep.equal([]);
  });

  it("exits 2 with every config problem on stderr and nothing on stdout", () => {
    const file = tempConfig(
      [
        "config:",
        "  mlplatform:clouds: [aws]",
        "  mlplatform:tier: staging",
        "  mlplatform:trainig: {}",
      ].join("\n"),
    );
    const result = runCli(["plan", "--stack", "dev", "--config-file", file]);
    expect(result.status).to.equal(2);
    expect(result.stdout).to.equal("");
    expect(result.stderr).to.equal(
      [
        `error: ${file}: the stack's config has 3 problems:`,
        '  - mlplatform:tier: "staging" is not allowed; use dev or prod',
        '  - mlplatform:trainig: unknown key; did you mean "training"?',
        "  - aws:region: is required because aws is listed in mlplatform:clouds; use an AWS region such as us-east-1",
        "",
      ].join("\n"),
    );
  });

  it("exits 2 naming a data-source call the offline engine cannot answer", () => {
    const file = editedConfig("aws-prod", (text) => text.replace("us-east-1", "il-central-1"));
    const result = runCli(["plan", "--stack", "aws-prod", "--config-file", file]);
    expect(result.status).to.equal(2);
    expect(result.stdout).to.equal("");
    expect(result.stderr).to.equal(
      `error: ${file}: the offline engine cannot answer aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage: SageMaker publishes no sagemaker-scikit-learn image account for il-central-1 in the provider's table; use a region it lists\n`,
    );
  });

  it("exits 2 on flags it does not know", () => {
    const result = runCli(["plan", "--stack", "dev", "--jsn"]);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.equal(
      "error: plan: Unknown option '--jsn'; flags are --stack, --config-file, --json, --out\n",
    );
  });
});

describe("offline plan helpers", () => {
  it("shows types as pulumi preview does", () => {
    expect(displayType("aws:s3/bucket:Bucket")).to.equal("aws:s3:Bucket");
    expect(displayType("azure-native:storage:StorageAccount")).to.equal(
      "azure-native:storage:StorageAccount",
    );
    expect(displayType("pulumi:pulumi:Stack")).to.equal("pulumi:pulumi:Stack");
  });

  it("fails a data-source call it has no answer for, naming it", async () => {
    await mockPulumi();
    let message = "";
    try {
      await pulumi.runtime.invoke("aws:index/getCallerIdentity:getCallerIdentity", {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.include(
      "the offline engine has no answer for the data-source call aws:index/getCallerIdentity:getCallerIdentity",
    );
  });
});
