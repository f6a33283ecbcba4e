import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { UsageError } from "../errors";

/** Time `pulumi stack output` may take, in milliseconds. */
const PULUMI_TIMEOUT_MS = 120_000;

/**
 * A file's text; a file that is missing or unreadable is a usage error that starts with `label`
 * and ends with `hint`, when one is given.
 */
export function readText(file: string, label: string, hint?: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : `cannot read it (${code ?? (err as Error).message})`;
    throw new UsageError(`${label}: ${reason}${hint === undefined ? "" : `; ${hint}`}`);
  }
}

/** Parses a file `pulumi stack output --json --show-secrets` wrote. */
export function readOutputsFile(file: string): unknown {
  const text = readText(
    file,
    `--outputs ${file}`,
    `write it with \`pulumi stack output --json --show-secrets --stack NAME > ${file}\``,
  );
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`--outputs ${file}: not JSON (${(err as Error).message})`);
  }
}

/**
 * A stack's outputs through the Pulumi CLI, run in `cwd`: `pulumi stack output --json
 * --show-secrets --stack NAME`. A missing CLI or a failing command is a usage error that says
 * what to do.
 */
export function stackOutputs(stack: string, cwd: string): unknown {
  const args = ["stack", "output", "--json", "--show-secrets", "--stack", stack];
  const result = spawnSync("pulumi", args, {
    cwd,
    encoding: "utf8",
    timeout: PULUMI_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  const command = `pulumi ${args.join(" ")}`;
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    throw new UsageError(
      `--stack ${stack}: the Pulumi CLI (pulumi) is not installed or not on PATH; install it (https://www.pulumi.com/docs/iac/download-install/), or run \`${command} > outputs.json\` where it is and pass --outputs outputs.json`,
    );
  }
  if (result.error !== undefined) {
    throw new UsageError(`--stack ${stack}: ${command} failed: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const reason = result.stderr.trim().split("\n")[0] ?? "";
    throw new UsageError(
      `--stack ${stack}: ${command} exited with ${result.status}${reason === "" ? "" : `: ${reason}`}`,
    );
  }
  try {
    return JSON.parse(result.stdout) as unknown;
  } catch (err) {
    throw new UsageError(
      `--stack ${stack}: ${command} printed no JSON (${(err as Error).message})`,
    );
  }
}
