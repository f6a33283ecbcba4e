/**
 * The stacks a pipeline previews and deploys, from the project's `Pulumi.<stack>.yaml` files:
 * `{"all": [...], "dev": [...], "prod": [...]}`, each entry the stack, its tier, its clouds and
 * its AWS region, as GitHub Actions matrix entries. Adding a stack file adds it to the pipeline.
 *
 *   node --require ./loader/register.js .ci/stacks.ts
 */
import { formatProblems, parsePlatformSpec } from "../components/spec";
import { UsageError } from "../engine/errors";
import { PROJECT_DIR } from "../engine/project";
import { knownStacks, loadStackConfig } from "../engine/stackConfig";

export interface PipelineStack {
  stack: string;
  tier: string;
  clouds: string[];
  /** Where the stack deploys AWS, which the AWS login needs; empty when it has no AWS. */
  awsRegion: string;
}

export function pipelineStacks(
  projectDir: string,
): Record<"all" | "dev" | "prod", PipelineStack[]> {
  const all = knownStacks(projectDir).map((stack) => {
    const config = loadStackConfig(projectDir, stack);
    const parsed = parsePlatformSpec(config.values, { project: config.project, stack });
    if (!parsed.ok) {
      throw new UsageError(`${config.file}: ${formatProblems(parsed.problems)}`);
    }
    const clouds = [...parsed.spec.clouds];
    return {
      stack,
      tier: parsed.spec.tier,
      clouds,
      awsRegion: clouds.includes("aws") ? (config.values["aws:region"] ?? "") : "",
    };
  });
  return {
    all,
    dev: all.filter((s) => s.tier === "dev"),
    prod: all.filter((s) => s.tier === "prod"),
  };
}

if (require.main === module) {
  try {
    process.stdout.write(`${JSON.stringify(pipelineStacks(PROJECT_DIR))}\n`);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
