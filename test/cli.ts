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
