import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { UsageError } from "../errors";
import { probeStack } from "../probe";
import { liveHtml } from "../probe/html";
import { readText } from "../probe/outputs";
import { type ProbeReport, liveMarkdown, liveText, parseReport, rowsOf } from "../probe/report";
import { LOAD_FLAGS, loadOptions } from "./probe";

const FLAGS = {
  live: { type: "boolean" },
  stacks: { type: "string" },
  json: { type: "boolean" },
  markdown: { type: "boolean" },
  html: { type: "string" },
  ...LOAD_FLAGS,
} as const;

const USAGE = "compare --live FILE... | --stacks a,b,c [--json | --markdown] [--html REPORT.html]";

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(`compare --live: ${(err as Error).message.split("\n")[0]}; use ${USAGE}`);
  }
}

function readReport(file: string): ProbeReport {
  return parseReport(readText(file, file), file);
}

/**
 * `compare --live`: several probed stacks side by side. The reports come from files `probe --json`
 * wrote, or from probing each stack of `--stacks` now. Prints a table (or `--json`,
 * `--markdown`) and writes an HTML page with a latency and a cost chart with `--html FILE`.
 * Exits 0 whatever the endpoints answered: it compares, `probe` checks.
 */
export async function runLive(argv: string[]): Promise<number> {
  const { values: flags, positionals: files } = parse(argv);
  if (flags.json === true && flags.markdown === true) {
    throw new UsageError("compare --live: give --json or --markdown, not both");
  }
  const stacks =
    flags.stacks === undefined
      ? []
      : flags.stacks
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
  if (stacks.length > 0 === files.length > 0) {
    throw new UsageError(
      `compare --live: give probe report files or --stacks, one of the two; use ${USAGE}`,
    );
  }
  const reports: ProbeReport[] = [];
  if (stacks.length > 0) {
    const { limits, endpoints, only } = loadOptions(flags, "compare --live");
    for (const stack of stacks) {
      reports.push(await probeStack({ stack }, limits, endpoints, only));
    }
  } else {
    reports.push(...files.map(readReport));
  }
  const rows = rowsOf(reports);
  if (flags.html !== undefined) {
    try {
      fs.writeFileSync(flags.html, liveHtml(rows, new Date().toISOString()));
    } catch (err) {
      throw new UsageError(`--html ${flags.html}: cannot write it (${(err as Error).message})`);
    }
  }
  const text =
    flags.json === true
      ? JSON.stringify({ stacks: reports }, null, 2)
      : flags.markdown === true
        ? liveMarkdown(rows)
        : liveText(rows);
  process.stdout.write(`${text}\n`);
  return 0;
}
