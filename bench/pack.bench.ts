import * as fs from "node:fs";
import { loadStackConfig } from "../engine/stackConfig";
import { POLICIES_DIR, PolicyPackProcess, reconcileFromInfo } from "../test/gate/analyzer";
import { prodPlan } from "../test/policies/harness";
import { type Benchmarked, PROJECT_DIR, comparePair, nodeCommand, verdict } from "./pair";

/**
 * The policy pack as `pulumi preview --policy-pack policies` starts it (`run-policy-pack` from the
 * pack's folder, driven over the analyzer protocol: GetAnalyzerInfo, Configure, one Analyze),
 * against bare loading of the Pulumi SDK and the policy SDK.
 */
const runs = Number(process.argv[2] ?? 5);
const stack = loadStackConfig(PROJECT_DIR, "prod");
const [, resource] = prodPlan();

/** Peak resident memory of a running process (Linux `VmHWM`). */
function peakRssMiB(pid: number | undefined): number {
  const status = pid === undefined ? "" : fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return hwm === null ? Number.NaN : Number(hwm[1]) / 1024;
}

const pack: Benchmarked = {
  label: "run-policy-pack, up to one Analyze answered",
  async sample() {
    const started = process.hrtime.bigint();
    const server = await PolicyPackProcess.start(stack);
    try {
      await server.configure(reconcileFromInfo(await server.info(), {}));
      await server.analyze([resource]);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      return { wallMs, maxRssMiB: peakRssMiB(server.pid) };
    } finally {
      server.stop();
    }
  },
};
const bareSdks = nodeCommand(
  "require(@pulumi/pulumi, @pulumi/policy)",
  ["-e", "require('@pulumi/pulumi'); require('@pulumi/policy')"],
  POLICIES_DIR,
);

void comparePair(pack, bareSdks, runs).then((result) => {
  console.log(result.text);
  console.log(verdict("wall ratio", result.wallRatio, 2, "x"));
});
