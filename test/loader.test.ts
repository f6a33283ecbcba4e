import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { PROJECT_DIR } from "./cli";

const LOADER = path.join(PROJECT_DIR, "loader", "register.js");

/** Runs `source` as a TypeScript file through the loader, as Pulumi.yaml's nodeargs run the program. */
function runTypeScript(source: string): { status: number | null; stdout: string; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlplatform-loader-"));
  try {
    const file = path.join(dir, "program.ts");
    fs.writeFileSync(file, source);
    const result = spawnSync(process.execPath, ["--require", LOADER, file], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const SUCRASE_LOADED =
  'console.log(Object.keys(require.cache).some((k) => k.includes("/node_modules/sucrase/dist/")));\n';

describe("the TypeScript loader", () => {
  it("keeps each line where it was, so stack traces name the TypeScript line", () => {
    const result = runTypeScript(
      [
        "import * as path from 'node:path';",
        "interface Shape {",
        "  name: string;",
        "}",
        "",
        "const shape: Shape = { name: path.basename('/a/b') };",
        "if (shape.name === 'b') throw new Error('thrown on line 7');",
      ].join("\n"),
    );
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain("thrown on line 7");
    expect(result.stderr).to.match(/program\.ts:7:\d+/);
  });

  it("transpiles a file once, then reads it from the cache without loading sucrase", () => {
    const source = `// ${randomUUID()}\nconst unique: string = "x";\nvoid unique;\n${SUCRASE_LOADED}`;
    const first = runTypeScript(source);
    const second = runTypeScript(source);
    expect([first.status, second.status]).to.deep.equal([0, 0]);
    expect(first.stdout.trim()).to.equal("true");
    expect(second.stdout.trim()).to.equal("false");
  });

  it("defines class fields as tsc emits them for the ES2022 target, and drops declared ones", () => {
    const result = runTypeScript(
      [
        "class Base { set field(_: number) { throw new Error('assigned, not defined'); } }",
        "class Child extends Base { declare readonly typed: string; field = 1; }",
        "const child = new Child();",
        "console.log(Object.getOwnPropertyDescriptor(child, 'field')?.value, 'typed' in child);",
      ].join("\n"),
    );
    expect(result.stderr).to.equal("");
    expect(result.stdout.trim()).to.equal("1 false");
  });
});
