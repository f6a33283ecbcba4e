import * as path from "node:path";
import { type CommandHelp, parseFlags } from "../args";
import type { NotApplicable, Violation } from "../gate/analyze";
import { gateStack, loadAnalysis, policyConfigFile } from "../gate/pack";
import { PROJECT_DIR } from "../project";
import { projectName } from "../stackConfig";

export const FLAGS = {
  stack: { type: "string" },
  from: { type: "string" },
  "config-file": { type: "string" },
  "policy-config": { type: "string" },
  json: { type: "boolean" },
} as const;

export const HELP: CommandHelp<keyof typeof FLAGS> = {
  usage: "(--stack NAME | --from FILE) [--config-file FILE] [--policy-config FILE] [--json]",
  description:
    "Runs the policy pack over a stack's offline plan, or over a pulumi stack export or pulumi preview --json file, as pulumi preview --policy-pack would. Exit 0 when no mandatory policy is violated, 1 when one is, 2 on bad input.",
  flags: {
    stack: "plan this stack offline and gate the plan",
    from: "gate a pulumi stack export or pulumi preview --json file instead",
    "config-file":
      "the stack's config, which policies read (budget, tier); default Pulumi.<stack>.yaml for this project's stacks, none for another project's",
    "policy-config":
      "the policy config file; default policies/config/<tier>.json, or baseline.json when the stack config sets no tier",
    json: "print the violations as JSON",
  },
  examples: [
    "npm run gate -- --stack prod",
    "pulumi preview --json > preview.json && npm run gate -- --from preview.json",
  ],
};

function render(violations: readonly Violation[]): string {
  return violations
    .map((v) => `${v.level.padEnd(9)} ${v.policy}\n  ${v.urn}\n  ${v.message}\n`)
    .join("\n");
}

function renderNotApplicable(notApplicable: readonly NotApplicable[]): string {
  return notApplicable.map((n) => `not applicable: ${n.policy}: ${n.reason}\n`).join("");
}

/** A path as the summary shows it: relative to the project when inside it. */
function shown(file: string): string {
  const relative = path.relative(PROJECT_DIR, file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/**
 * `gate`: runs the policy pack over a stack's offline plan (`--stack`) or over a file from
 * `pulumi stack export` or `pulumi preview --json` of any project (`--from`). Exit 0 when no
 * mandatory policy is violated, 1 when one is, 2 on bad input.
 */
export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, "gate");
  const analysis = await loadAnalysis({
    stack: flags.stack,
    from: flags.from,
    configFile: flags["config-file"],
    command: "gate",
  });
  const configFile = policyConfigFile(analysis.config, flags["policy-config"]);
  const notApplicable: NotApplicable[] = [];
  const violations = await gateStack(analysis, configFile, notApplicable);
  const mandatory = violations.filter((v) => v.level === "mandatory").length;
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify({ violations, notApplicable }, null, 2)}\n`);
  } else {
    const { input } = analysis;
    const stack =
      input.project === projectName(PROJECT_DIR)
        ? `stack ${input.stack}`
        : `stack ${input.stack} of project ${input.project}`;
    const stackConfig = analysis.withoutConfig
      ? ", no stack config (pass --config-file FILE to give one)"
      : "";
    const where = `${input.resources.length} resources of ${stack}${stackConfig}, policy config ${shown(configFile)}`;
    const summary =
      violations.length === 0
        ? `gate: passed: no policy violations in ${where}`
        : `gate: ${mandatory === 0 ? "passed" : "failed"}: ${mandatory} mandatory and ${violations.length - mandatory} advisory violations in ${where}`;
    process.stdout.write(
      `${render(violations)}${violations.length === 0 ? "" : "\n"}${renderNotApplicable(notApplicable)}${summary}\n`,
    );
  }
  return mandatory > 0 ? 1 : 0;
}
