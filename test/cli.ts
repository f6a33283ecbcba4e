import { spawnSync } from "node:child_process";
import * as path from "node:path";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the offline engine's command line as a user would, in its own process, with `env`. */
export function runCli(
  args: string[],
  timeoutMs = 120_000,
  env: NodeJS.ProcessEnv = process.env,
): CliResult {
  const result = spawnSync(process.execPath, ["--require", "tsx/cjs", "engine/cli.ts", ...args], {
    cwd: PROJECT_DIR,
    encoding: "utf8",
    timeout: timeoutMs,
    env,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
