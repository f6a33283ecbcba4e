import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Runs every `*.bench.ts` here (or those named on the command line), one after another, each in
 * its own process so one benchmark's heap does not weigh on the next.
 */
const names =
  process.argv.length > 2
    ? process.argv.slice(2)
    : fs
        .readdirSync(__dirname)
        .filter((f) => f.endsWith(".bench.ts"))
        .sort();
const LOADER = path.join(__dirname, "..", "loader", "register.js");
let failed = 0;
for (const name of names) {
  console.log(`== ${name}`);
  const result = spawnSync(process.execPath, ["--require", LOADER, path.join(__dirname, name)], {
    stdio: "inherit",
  });
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
