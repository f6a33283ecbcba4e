import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import type { StackExport } from "../engine/plan";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A stack config file holding `text`, in a folder of its own, for `--config-file`. */
export function tempConfig(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlplatform-config-"));
  const file = path.join(dir, "Pulumi.custom.yaml");
  fs.writeFileSync(file, text);
  return file;
}

/** A shipped stack's config with `edit` applied, as a `--config-file`. */
export function editedConfig(stack: string, edit: (text: string) => string): string {
  return tempConfig(edit(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")));
}

/** Runs the offline engine's command line as a user would, in its own process, with `env`. */
export function runCli(
  args: string[],
  timeoutMs = 120_000,
  env: NodeJS.ProcessEnv = process.env,
): CliResult {
  const result = spawnSync(
    process.execPath,
    ["--require", "./loader/register.js", "engine/cli.ts", ...args],
    {
      cwd: PROJECT_DIR,
      encoding: "utf8",
      timeout: timeoutMs,
      env,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command's `run` in this process with `argv`, capturing what it prints on stdout. */
export async function runInProcess(
  run: (argv: string[]) => Promise<number>,
  argv: string[],
): Promise<{ code: number; stdout: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let stdout = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await run(argv), stdout };
  } finally {
    process.stdout.write = write;
  }
}

const plans = new Map<string, string>();

/**
 * The offline plan of a shipped stack as `plan --stack <stack> --json` prints it: planned once a
 * test run, parsed afresh for each caller, which may change its copy.
 */
export function planJson(stack: string): StackExport {
  let text = plans.get(stack);
  if (text === undefined) {
    const result = runCli(["plan", "--stack", stack, "--json"], 300_000);
    expect(result.stderr, `plan --stack ${stack}`).to.equal("");
    expect(result.status).to.equal(0);
    text = result.stdout;
    plans.set(stack, text);
  }
  return JSON.parse(text) as StackExport;
}
