import { expect } from "chai";
import { runCli } from "../cli";

/** Every command the engine's command line offers, with the flags its module parses. */
const COMMANDS: Record<string, () => { FLAGS: Record<string, unknown> }> = {
  plan: () => require("../../engine/commands/plan") as typeof import("../../engine/commands/plan"),
  catalog: () =>
    require("../../engine/commands/catalog") as typeof import("../../engine/commands/catalog"),
  cost: () => require("../../engine/commands/cost") as typeof import("../../engine/commands/cost"),
  gate: () => require("../../engine/commands/gate") as typeof import("../../engine/commands/gate"),
  compare: () =>
    require("../../engine/commands/compare") as typeof import("../../engine/commands/compare"),
  diff: () => require("../../engine/commands/diff") as typeof import("../../engine/commands/diff"),
  prices: () =>
    require("../../engine/commands/prices") as typeof import("../../engine/commands/prices"),
};

describe("--help", function () {
  this.timeout(120_000);

  it("the command list names every command", () => {
    const result = runCli(["--help"]);
    expect(result.status).to.equal(0);
    for (const name of Object.keys(COMMANDS)) {
      expect(result.stdout).to.match(new RegExp(`^  ${name} +\\S`, "m"));
    }
  });

  for (const [name, load] of Object.entries(COMMANDS)) {
    it(`${name} answers --help and -h with every flag it takes and an example, exit 0`, () => {
      const long = runCli([name, "--help"]);
      expect(long.stderr).to.equal("");
      expect(long.status).to.equal(0);
      expect(long.stdout).to.match(new RegExp(`^usage: npm run ${name} --`));
      for (const flag of Object.keys(load().FLAGS)) {
        expect(long.stdout, flag).to.match(
          new RegExp(`^  --${flag}( VALUE)?( \\(repeatable\\))? +\\S`, "m"),
        );
      }
      expect(long.stdout).to.match(new RegExp(`^examples:\\n  npm run ${name}`, "m"));
      const short = runCli([name, "-h"]);
      expect(short).to.deep.equal(long);
    });
  }
});
