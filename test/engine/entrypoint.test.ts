import { expect } from "chai";
import { previewCommand, previewThroughCli } from "../../engine/grpcEngine";
import type { ExportedResource, StackExport } from "../../engine/plan";
import { PLACEHOLDERS } from "../../engine/placeholders";
import { knownStacks, loadStackConfig } from "../../engine/stackConfig";
import { PROJECT_DIR, planJson } from "../cli";

function byUrn(plan: StackExport): Map<string, ExportedResource> {
  return new Map(plan.deployment.resources.map((r) => [r.urn, r]));
}

describe("the program through Pulumi's Node.js entry point", function () {
  this.timeout(900_000);

  it("is started as the language host starts it for pulumi preview", () => {
    const config = loadStackConfig(PROJECT_DIR, "aws-prod");
    const addresses = { monitor: "127.0.0.1:1", engine: "127.0.0.1:2" };
    const { args, env } = previewCommand(PROJECT_DIR, config, addresses);
    const runPath = require.resolve("@pulumi/pulumi/cmd/run");
    expect(args.slice(args.indexOf(runPath))).to.deep.equal([
      runPath,
      ...["--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2"],
      ...["--organization", "organization", "--project", "mlplatform"],
      ...["--root-directory", PROJECT_DIR, "--stack", "aws-prod", "--pwd", PROJECT_DIR],
      "--dry-run",
      ...["--parallel", args[args.indexOf("--parallel") + 1]],
      ".",
    ]);
    expect(JSON.parse(env.PULUMI_CONFIG ?? "")).to.include({
      "aws:config:region": "us-east-1",
      "mlplatform:config:tier": "prod",
    });
    expect(env.PULUMI_CONFIG_SECRET_KEYS).to.equal("[]");
  });

  for (const stack of knownStacks(PROJECT_DIR)) {
    it(`registers exactly what plan exports for stack ${stack}, URNs included`, async () => {
      const plan = planJson(stack);
      const config = loadStackConfig(PROJECT_DIR, stack);
      const preview = await previewThroughCli(PROJECT_DIR, config, PLACEHOLDERS);
      expect(preview.stderr, "the program's stderr").to.equal("");
      expect(preview.logs.filter((l) => l.severity === "error")).to.deep.equal([]);
      expect(preview.status).to.equal(0);

      const planned = byUrn(plan);
      const previewed = byUrn(preview.export);
      expect([...previewed.keys()].sort()).to.deep.equal([...planned.keys()].sort());
      for (const [urn, resource] of previewed) {
        expect(resource, urn).to.deep.equal(planned.get(urn));
      }
    });
  }
});
