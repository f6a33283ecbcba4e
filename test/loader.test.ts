import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as Module from "node:module";
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

describe("the compile cache", () => {
  const compileCache = require(path.join(PROJECT_DIR, "loader", "compileCache.js")) as {
    NAME: string;
    keyOf(filename: string, content: string): string;
  };
  const cache = require(path.join(PROJECT_DIR, "loader", "cache.js")) as {
    dirOf(name: string): string;
  };
  // Node 22.8 and later keep the code themselves; the loader's own cache is for older Node.
  const byNode =
    typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === "function";
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlplatform-compile-"));
    file = path.join(dir, "module.js");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs `file` through the loader and returns what it printed and the cache's counts. */
  function run(): {
    stdout: string;
    stderr: string;
    counts: { hits: number; misses: number; rejected: number };
  } {
    const printCounts = `process.on("exit", () => console.log(JSON.stringify(require(${JSON.stringify(
      path.join(PROJECT_DIR, "loader", "compileCache.js"),
    )}).stats())));`;
    const result = spawnSync(
      process.execPath,
      ["--require", LOADER, "-e", printCounts, "-r", file],
      {
        cwd: PROJECT_DIR,
        encoding: "utf8",
      },
    );
    expect(result.status, result.stderr).to.equal(0);
    const lines = result.stdout.trim().split("\n");
    return {
      stdout: lines.slice(0, -1).join("\n"),
      stderr: result.stderr,
      counts: JSON.parse(lines[lines.length - 1]),
    };
  }

  const cacheFile = (content: string) =>
    path.join(cache.dirOf(compileCache.NAME), compileCache.keyOf(file, content));

  it("is Node's own from Node 22.8, in the project's cache folder", () => {
    fs.writeFileSync(
      file,
      'console.log(require("node:module").getCompileCacheDir?.() ?? "the loader\'s");\n',
    );
    const { stdout } = run();
    // Node keeps each version's code in a folder of its own.
    if (byNode) expect(path.dirname(stdout)).to.equal(cache.dirOf(compileCache.NAME));
    else expect(stdout).to.equal("the loader's");
  });

  it("compiles a module once, then runs it from its cached code", function () {
    if (byNode) this.skip();
    const content = `console.log("ran", ${JSON.stringify(randomUUID())});\n`;
    fs.writeFileSync(file, content);
    const first = run();
    const second = run();
    expect(second.stdout).to.equal(first.stdout);
    expect(first.stdout).to.match(/^ran /);
    expect(second.stderr).to.equal("");
    expect(fs.existsSync(cacheFile(content))).to.equal(true);
    expect(first.counts.misses).to.be.greaterThan(0);
    expect(second.counts).to.include({ misses: 0, rejected: 0 });
    expect(second.counts.hits).to.be.greaterThan(0);
  });

  it("compiles a changed module again rather than run the old code", function () {
    if (byNode) this.skip();
    fs.writeFileSync(file, `console.log("before", ${JSON.stringify(randomUUID())});\n`);
    run();
    fs.writeFileSync(file, `console.log("after", ${JSON.stringify(randomUUID())});\n`);
    const changed = run();
    expect(changed.stdout).to.match(/^after /);
    expect(changed.counts.misses).to.equal(1);
  });

  it("compiles again, and rewrites, cached code that V8 refuses", function () {
    if (byNode) this.skip();
    const content = `console.log("ran", ${JSON.stringify(randomUUID())});\n`;
    fs.writeFileSync(file, content);
    run();
    fs.writeFileSync(cacheFile(content), "not V8's code cache");
    const refused = run();
    expect(refused.stdout).to.match(/^ran /);
    expect(refused.counts.rejected).to.equal(1);
    expect(run().counts).to.include({ misses: 0, rejected: 0 });
  });

  it("gives a cached module Node's require and require.resolve", function () {
    if (byNode) this.skip();
    fs.writeFileSync(
      file,
      [
        `// ${randomUUID()}`,
        'const paths = require.resolve.paths("x");',
        'console.log(require.resolve("./module.js") === __filename, Array.isArray(paths), typeof require.cache);',
      ].join("\n"),
    );
    for (const { stdout, stderr } of [run(), run()]) {
      expect(stdout).to.equal("true true object");
      expect(stderr).to.equal("");
    }
  });

  it("caches a module whose import( is only in a string or a comment", function () {
    if (byNode) this.skip();
    const content = `// import("x") ${randomUUID()}\nconsole.log("import(y)");\n`;
    fs.writeFileSync(file, content);
    expect(run().counts.misses).to.equal(1);
    expect(fs.existsSync(cacheFile(content))).to.equal(true);
    expect(run().counts).to.include({ misses: 0, rejected: 0 });
  });

  it("leaves a module that calls import() to Node, which resolves it from the module's file", () => {
    fs.writeFileSync(path.join(dir, "other.mjs"), 'export const name = "other";\n');
    const content = `// ${randomUUID()}\nimport("./other.mjs").then((m) => console.log("imported", m.name));\n`;
    fs.writeFileSync(file, content);
    for (const { stdout } of [run(), run()]) expect(stdout).to.equal("imported other");
    if (!byNode) expect(fs.existsSync(cacheFile(content))).to.equal(false);
  });
});

describe("the parts of the SDK a run does not use", () => {
  const LOADED = [
    ["the Automation API", "/@pulumi/pulumi/automation/index.js"],
    ["the TypeScript compiler", "/typescript/lib/typescript.js"],
    ["npm's Arborist", "/@npmcli/arborist/lib/index.js"],
    ["the OpenTelemetry tracer", "/@opentelemetry/sdk-trace-node/build/src/index.js"],
  ] as const;

  /** What of LOADED a script run with the given node options has loaded when it ends. */
  function loadedBy(nodeOptions: string[], script: string): Record<string, boolean> {
    const report = `const loaded = Object.keys(require.cache); console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(
      LOADED,
    )}.map(([name, file]) => [name, loaded.some((k) => k.endsWith(file))]))));`;
    const result = spawnSync(
      process.execPath,
      [...nodeOptions, "-e", `${script}.then(() => { ${report} })`],
      {
        cwd: PROJECT_DIR,
        encoding: "utf8",
      },
    );
    expect(result.status, result.stderr).to.equal(0);
    return JSON.parse(result.stdout.trim().split("\n").pop() ?? "");
  }

  const none = Object.fromEntries(LOADED.map(([name]) => [name, false]));
  const all = Object.fromEntries(LOADED.map(([name]) => [name, true]));

  it("are not loaded with @pulumi/pulumi and cmd/run's tracing, which load them without the loader", () => {
    const script =
      'Promise.resolve([require("@pulumi/pulumi"), require("@pulumi/pulumi/cmd/run/tracing")])';
    expect(loadedBy([], script)).to.deep.equal(all);
    expect(loadedBy(["--require", LOADER], script)).to.deep.equal(none);
  });

  it("load and work on first use", () => {
    const script = [
      'const pulumi = require("@pulumi/pulumi");',
      'if (typeof pulumi.automation.LocalWorkspace.create !== "function") throw new Error("no LocalWorkspace");',
      'require("@pulumi/pulumi/cmd/run/tracing").start("http://127.0.0.1:9411/api/v2/spans");',
      "Promise.all([",
      '  pulumi.runtime.serializeFunction(() => 42).then((f) => { if (!f.text.includes("42")) throw new Error(f.text); }),',
      "  pulumi.runtime.computeCodePaths({ extraExcludePackages: [] }),",
      "])",
    ].join("\n");
    expect(loadedBy(["--require", LOADER], script)).to.deep.equal(all);
  });
});
