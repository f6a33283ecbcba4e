import { expect } from "chai";
import { COMMANDS } from "../../engine/commands";
import { runCli } from "../cli";

describe("--help", function () {
  this.timeout(120_000);

  it("the command list names every command", () => {
    const result = runCli(["--help"]);
    expect(result.status).to.equal(0);
    for (const name of Object.keys(COMMANDS)) {
      expect(result.stdout).to.match(new RegExp(`^  ${name} +\\S`, "m"));
    }
  });

  it("package.json has an npm script for every command and for no other", () => {
    const { scripts } = require("../../package.json") as { scripts: Record<string, string> };
    const runsCli = Object.entries(scripts).filter(([, script]) =>
      script.includes("engine/cli.ts"),
    );
    expect(Object.fromEntries(runsCli)).to.deep.equal(
      Object.fromEntries(
        Object.keys(COMMANDS).map((name) => [
          name,
          `node --require ./loader/register.js engine/cli.ts ${name}`,
        ]),
      ),
    );
  });

  for (const [name, { load }] of Object.entries(COMMANDS)) {
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
