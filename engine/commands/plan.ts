import * as fs from "node:fs";
import { nameOfUrn } from "../../policies/lib/types";
import { type CommandHelp, parseFlags, required } from "../args";
import { UsageError } from "../errors";
import { UNKNOWN } from "../monitor";
import { type ExportedResource, type StackExport, planStack } from "../plan";
import { PROJECT_DIR } from "../project";

export const FLAGS = {
  stack: { type: "string" },
  "config-file": { type: "string" },
  json: { type: "boolean" },
  out: { type: "string" },
} as const;

export const HELP: CommandHelp<keyof typeof FLAGS> = {
  usage: "--stack NAME [--config-file FILE] [--json | --out FILE]",
  description:
    "Runs the program for a stack against an in-process resource monitor, as pulumi preview would, with no Pulumi CLI and no cloud credentials, and prints the resource tree. Exit 0, or 2 on bad input or config.",
  flags: {
    stack: "the stack to plan; its config is Pulumi.NAME.yaml (required)",
    "config-file": "read the stack's config from FILE instead, as pulumi --config-file does",
    json: "print what the program registers in the pulumi stack export format",
    out: "write that export to FILE instead of printing it",
  },
  examples: ["npm run plan -- --stack dev", "npm run plan -- --stack prod --out prod-plan.json"],
};

/** `aws:s3/bucketV2:BucketV2` as `pulumi preview` shows it: `aws:s3:BucketV2`. */
export function displayType(type: string): string {
  const parts = type.split(":");
  if (parts.length !== 3) return type;
  const module = parts[1].split("/")[0];
  return `${parts[0]}:${module}:${parts[2]}`;
}

/** The resource tree as `pulumi preview` draws it, with a count at the end. */
export function renderTree(stackExport: StackExport, stack: string): string {
  const resources = stackExport.deployment.resources.filter(
    (r) => !r.type.startsWith("pulumi:providers:"),
  );
  const children = new Map<string, ExportedResource[]>();
  const roots: ExportedResource[] = [];
  for (const r of resources) {
    if (r.parent === undefined) {
      roots.push(r);
    } else {
      children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    }
  }
  const rows: [string, string, string][] = [];
  const walk = (r: ExportedResource, prefix: string, last: boolean, depth: number) => {
    const branch = depth === 0 ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
    rows.push([
      `${branch}${displayType(r.type)}`,
      nameOfUrn(r.urn),
      r.protect ? "create, protected" : "create",
    ]);
    const kids = children.get(r.urn) ?? [];
    const nextPrefix = depth === 0 ? "" : `${prefix}${last ? "   " : "│  "}`;
    kids.forEach((k, i) => walk(k, nextPrefix, i === kids.length - 1, depth + 1));
  };
  roots.forEach((r) => walk(r, "", true, 0));
  const typeWidth = Math.max(4, ...rows.map(([t]) => [...t].length));
  const nameWidth = Math.max(4, ...rows.map(([, n]) => n.length));
  const pad = (text: string, width: number) =>
    text + " ".repeat(Math.max(0, width - [...text].length));
  const lines = [
    `Previewing update (${stack}), offline: no Pulumi CLI, no cloud credentials`,
    "",
    `     ${pad("Type", typeWidth)}  ${pad("Name", nameWidth)}  Plan`,
    ...rows.map(([t, n, p]) => ` +   ${pad(t, typeWidth)}  ${pad(n, nameWidth)}  ${p}`),
    "",
    "Resources:",
    `    + ${rows.length} to create`,
    "",
    `Values shown as ${UNKNOWN} are known only after deployment.`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Where an autoscaler cannot do what the spec asks (a floor a cloud keeps above the minimum, a
 * ceiling it does not enforce), so the plan says so rather than raising a minimum silently.
 */
function scaleText(stackExport: StackExport, stack: string): string {
  // The cost model and the gate's input are loaded for the tree only: `--json` and `--out`, which
  // pipelines and the benchmarks run, do not need them.
  const { priced, scaleNotes } = require("../estimate") as typeof import("../estimate");
  const { fromStackExport } = require("../gate/input") as typeof import("../gate/input");
  const { computeLines } =
    require("../../policies/cost/model") as typeof import("../../policies/cost/model");
  const notes = scaleNotes(computeLines(priced(fromStackExport(stackExport), stack, "plan").lines));
  return notes.length === 0 ? "" : `\n${notes.join("\n")}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, "plan");
  const stack = required(flags.stack, "stack", "plan");
  if (flags.json === true && flags.out !== undefined) {
    throw new UsageError("plan: use --json or --out, not both");
  }
  const result = await planStack({
    projectDir: PROJECT_DIR,
    stack,
    configFile: flags["config-file"],
  });
  const json = `${JSON.stringify(result.export, null, 2)}\n`;
  if (flags.out !== undefined) {
    try {
      fs.writeFileSync(flags.out, json);
    } catch (err) {
      throw new UsageError(`plan: cannot write --out ${flags.out}: ${(err as Error).message}`);
    }
    const count = result.export.deployment.resources.length;
    process.stdout.write(`wrote ${count} resources of stack ${stack} to ${flags.out}\n`);
  } else {
    process.stdout.write(
      flags.json === true
        ? json
        : renderTree(result.export, stack) + scaleText(result.export, stack),
    );
  }
  return 0;
}
