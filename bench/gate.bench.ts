import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { fromStackExport } from "../engine/gate/input";
import { POLICY_CONFIG_DIR, gateStack } from "../engine/gate/pack";
import type { StackConfig } from "../engine/stackConfig";
import { POLICIES } from "../policies/policies";
import { PROD_SHAPE, platformExport } from "../test/gate/fixtures";

/**
 * The gate over a synthetic `pulumi stack export` of 10,000 resources (copies of the three
 * clouds' prod platform), and the ratio of its time at 100,000 to 10,000: the gate should stay
 * linear in the stack's size. Each run parses the export's JSON, as `gate --from` does, and runs
 * every policy of the pack with the prod policy config.
 */
const RUNS = Number(process.argv[2] ?? 3);
const CONFIG_FILE = path.join(POLICY_CONFIG_DIR, "prod.json");
const STACK_CONFIG: StackConfig = {
  project: "mlplatform",
  stack: "prod",
  file: "Pulumi.prod.yaml",
  values: { "mlplatform:tier": "prod", "mlplatform:budgetMonthlyUsd": "1000000000" },
  secretKeys: [],
};
const RESOURCES_PER_COPY = platformExport(PROD_SHAPE).deployment.resources.length - 1;

/** A serialized export of about `count` resources. */
function exportOf(count: number): { json: string; resources: number } {
  const stackExport = platformExport({
    ...PROD_SHAPE,
    copies: Math.ceil((count - 1) / RESOURCES_PER_COPY),
  });
  return { json: JSON.stringify(stackExport), resources: stackExport.deployment.resources.length };
}

async function gateOnce(json: string): Promise<{ ms: number; violations: number }> {
  const start = performance.now();
  const resources = fromStackExport(JSON.parse(json));
  const violations = await gateStack(
    { input: { project: "mlplatform", stack: "prod", resources }, config: STACK_CONFIG },
    CONFIG_FILE,
  );
  return { ms: performance.now() - start, violations: violations.length };
}

/** The median time of `runs` gate runs over one export. */
async function measure(
  count: number,
  runs: number,
): Promise<{ resources: number; ms: number; violations: number }> {
  const { json, resources } = exportOf(count);
  const results: { ms: number; violations: number }[] = [];
  for (let i = 0; i < runs; i++) results.push(await gateOnce(json));
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  return { resources, ms: times[Math.floor(times.length / 2)], violations: results[0].violations };
}

function figure(label: string, m: { resources: number; ms: number; violations: number }): string {
  const perResource = (1000 * m.ms) / m.resources;
  return `  ${label.padEnd(8)} ${m.resources.toLocaleString("en-US").padStart(7)} resources: ${m.ms.toFixed(0).padStart(6)} ms (${perResource.toFixed(1)} µs a resource, ${m.violations} violations)`;
}

async function main(): Promise<void> {
  await measure(1_000, 1);
  const small = await measure(10_000, RUNS);
  const large = await measure(100_000, Math.max(1, Math.ceil(RUNS / 2)));
  const ratio = large.ms / small.ms;
  const sizeRatio = large.resources / small.resources;
  console.log(
    `gate over a synthetic stack export: ${POLICIES.length} policies, prod policy config, median of ${RUNS} runs`,
  );
  console.log(figure("10k", small));
  console.log(figure("100k", large));
  console.log(
    `  ratio 100k / 10k: ${ratio.toFixed(2)} for ${sizeRatio.toFixed(2)} times the resources (${(ratio / sizeRatio).toFixed(2)} of linear)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
