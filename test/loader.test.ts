import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as Module from "node:module";
import { expect } from "chai";
import * as cache from "../loader/cache";
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
  const COMPILE_CACHE = path.join(PROJECT_DIR, "loader", "compileCache.js");
  const { NAME } = require(COMPILE_CACHE) as { NAME: string };
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

  interface Run {
    stdout: string;
    stderr: string;
    counts: { hits: number; misses: number; rejected: number };
    /** The module's cache file, as the run named it. */
    cacheFile: string;
  }

  /** Runs `file` through the loader; what it printed, the cache's counts and its cache file. */
  function run(): Run {
    const report = [
      `const { keyOf, stats } = require(${JSON.stringify(COMPILE_CACHE)});`,
      `const file = ${JSON.stringify(file)};`,
      "const key = keyOf(file, require('node:fs').readFileSync(file, 'utf8'));",
      "process.on('exit', () => console.log(JSON.stringify({ counts: stats(), key })));",
    ].join("\n");
    const result = spawnSync(process.execPath, ["--require", LOADER, "-e", report, "-r", file], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
    });
    expect(result.status, result.stderr).to.equal(0);
    const lines = result.stdout.trim().split("\n");
    const { counts, key } = JSON.parse(lines[lines.length - 1]);
    return {
      stdout: lines.slice(0, -1).join("\n"),
      stderr: result.stderr,
      counts,
      cacheFile: path.join(cache.dirOf(NAME), key),
    };
  }

  it("is Node's own from Node 22.8, in the project's cache folder", () => {
    fs.writeFileSync(
      file,
      'console.log(require("node:module").getCompileCacheDir?.() ?? "the loader\'s");\n',
    );
    const { stdout } = run();
    // Node keeps each version's code in a folder of its own.
    if (byNode) expect(path.dirname(stdout)).to.equal(cache.dirOf(NAME));
    else expect(stdout).to.equal("the loader's");
  });

  describe("before Node 22.8", () => {
    before(function () {
      if (byNode) this.skip();
    });

    it("compiles a module once, then runs it from its cached code", () => {
      fs.writeFileSync(file, `console.log("ran", ${JSON.stringify(randomUUID())});\n`);
      const first = run();
      const second = run();
      expect(second.stdout).to.equal(first.stdout);
      expect(first.stdout).to.match(/^ran /);
      expect(second.stderr).to.equal("");
      expect(fs.existsSync(first.cacheFile)).to.equal(true);
      expect(first.counts.misses).to.be.greaterThan(0);
      expect(second.counts).to.include({ misses: 0, rejected: 0 });
      expect(second.counts.hits).to.be.greaterThan(0);
    });

    it("compiles a changed module again rather than run the old code", () => {
      fs.writeFileSync(file, `console.log("before", ${JSON.stringify(randomUUID())});\n`);
      run();
      fs.writeFileSync(file, `console.log("after", ${JSON.stringify(randomUUID())});\n`);
      const changed = run();
      expect(changed.stdout).to.match(/^after /);
      expect(changed.counts.misses).to.equal(1);
    });

    it("compiles again, and rewrites, cached code that is not V8's or was damaged", () => {
      fs.writeFileSync(file, `console.log("ran", ${JSON.stringify(randomUUID())});\n`);
      const { cacheFile } = run();
      const good = fs.readFileSync(cacheFile);
      for (const bad of [Buffer.from("not V8's code cache"), flipped(good, good.length - 8)]) {
        fs.writeFileSync(cacheFile, bad);
        const refused = run();
        expect(refused.stdout).to.match(/^ran /);
        expect(refused.counts.rejected).to.equal(1);
        expect(run().counts).to.include({ misses: 0, rejected: 0 });
      }
    });

    it("keeps a module's code under the V8 flags it was compiled with, as a run changes them", () => {
      const [a, b] = ["a.js", "b.js"].map((name) => path.join(dir, name));
      fs.writeFileSync(a, `module.exports = "a"; // ${randomUUID()}\n`);
      fs.writeFileSync(b, `module.exports = "b"; // ${randomUUID()}\n`);
      // As in a run that serializes a function, where the SDK sets a flag once some modules are
      // loaded...
      const changing = [
        `console.log(require(${JSON.stringify(a)}));`,
        'require("node:v8").setFlagsFromString("--allow-natives-syntax");',
        `console.log(require(${JSON.stringify(b)}));`,
      ].join("\n");
      // ...and as under plan, where it sets none.
      const steady = `console.log(require(${JSON.stringify(b)}));`;
      const runWith = (source: string) => {
        fs.writeFileSync(file, source);
        return run();
      };
      expect(runWith(changing).stdout).to.equal("a\nb");
      const again = runWith(changing);
      expect(again.stdout).to.equal("a\nb");
      expect(again.counts).to.include({ misses: 0, rejected: 0 });
      expect(runWith(steady).counts.rejected).to.equal(0);
      expect(runWith(changing).counts).to.include({ misses: 0, rejected: 0 });
    });

    it("gives a cached module Node's require, require.resolve and first-line columns", () => {
      const source = [
        `const paths = require.resolve.paths("x"); // ${randomUUID()}`,
        'console.log(require.resolve("./module.js") === __filename, Array.isArray(paths), typeof require.cache);',
        "",
      ].join("\n");
      fs.writeFileSync(
        file,
        `${source}throw new Error("on line 4");\n`.replace("\n\nthrow", "\nthrow"),
      );
      const thrower = path.join(dir, "thrower.js");
      fs.writeFileSync(
        thrower,
        `${" ".repeat(10)}throw new Error("at column 11"); // ${randomUUID()}\n`,
      );
      fs.writeFileSync(
        file,
        `${source}try { require("./thrower.js"); } catch (e) { console.log(e.stack.split("\\n")[1].trim()); }\n`,
      );
      for (const { stdout, stderr } of [run(), run()]) {
        expect(stdout.split("\n")).to.deep.equal([
          "true true object",
          `at Object.<anonymous> (${thrower}:1:17)`,
        ]);
        expect(stderr).to.equal("");
      }
    });
  });

  it("leaves to Node a module with import( in its text, whose import() a cache would break", () => {
    fs.writeFileSync(path.join(dir, "other.mjs"), 'export const name = "other";\n');
    fs.writeFileSync(
      file,
      [
        `// ${randomUUID()}`,
        'import("./other.mjs").then((m) => console.log("imported", m.name));',
        'new Function("s", "return import(s)")("node:path").then((p) => console.log(typeof p.join));',
      ].join("\n"),
    );
    const runs = [run(), run()];
    for (const { stdout } of runs)
      expect(stdout.split("\n").sort()).to.deep.equal(["function", "imported other"]);
    if (!byNode) expect(fs.existsSync(runs[1].cacheFile)).to.equal(false);
  });

  it("never fails a run for a cache it cannot write", () => {
    const name = `not-a-folder-${randomUUID()}`;
    fs.mkdirSync(path.dirname(cache.dirOf(name)), { recursive: true });
    fs.writeFileSync(cache.dirOf(name), "a file where the cache's folder would be");
    try {
      expect(() => cache.write(name, "key", "data")).to.not.throw();
    } finally {
      fs.rmSync(cache.dirOf(name), { force: true });
    }
  });
});

/** A copy of `data` with the byte at `offset` changed. */
function flipped(data: Buffer, offset: number): Buffer {
  const copy = Buffer.from(data);
  copy[offset] ^= 0xff;
  return copy;
}

describe("the parts of the SDK a run does not use", () => {
  const LOADED = [
    ["the Automation API", "/@pulumi/pulumi/automation/index.js"],
    ["the TypeScript compiler", "/typescript/lib/typescript.js"],
    ["npm's Arborist", "/@npmcli/arborist/lib/index.js"],
    ["npm's package.json normalizer", "/normalize-package-data/lib/normalize.js"],
    ["the directory crawler", "/fdir/dist/index.cjs"],
    ["the YAML parser", "/js-yaml/index.js"],
    ["semver", "/semver/index.js"],
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

  it("are not loaded with @pulumi/pulumi and the parts of cmd/run that load them without the loader", () => {
    const script = [
      'Promise.resolve([require("@pulumi/pulumi"), require("@pulumi/pulumi/cmd/run/tracing"),',
      '  require("@pulumi/pulumi/runtime/manifest")])',
    ].join("\n");
    expect(loadedBy([], script)).to.deep.equal(all);
    expect(loadedBy(["--require", LOADER], script)).to.deep.equal(none);
  });

  /**
   * Runs a stand-in for cmd/run/index.js, written with the given files under a copy of
   * @pulumi/pulumi in the project, so its requires resolve from node_modules; what it prints.
   */
  function runCmdRun(files: Record<string, string>, nodeOptions: string[]): string {
    const dir = path.join(PROJECT_DIR, "test", `.cmd-run-${randomUUID()}`);
    const sdk = path.join(dir, "node_modules", "@pulumi", "pulumi");
    try {
      for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(sdk, file)), { recursive: true });
        fs.writeFileSync(path.join(sdk, file), text);
      }
      const index = path.join(sdk, "cmd", "run", "index.js");
      return spawnSync(process.execPath, [...nodeOptions, index], {
        encoding: "utf8",
      }).stdout.trim();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("leave stack traces to V8: cmd/run's source-map-support never installs", () => {
    const files = {
      "cmd/run/index.js": [
        'require("source-map-support/register");',
        'console.log(Object.keys(require.cache).some((k) => k.includes("/source-map-support/")));',
      ].join("\n"),
    };
    expect(runCmdRun(files, [])).to.equal("true");
    expect(runCmdRun(files, ["--require", LOADER])).to.equal("false");
  });

  it("leave V8's debugger off: cmd/run's closure hooks start only with the closure serializer", () => {
    const files = {
      "cmd/run/index.js": [
        'require("../../runtime/closure/v8Hooks").isInitializedAsync().then(() => {',
        '  console.log(Object.keys(require.cache).some((k) => k.endsWith("/v8Hooks.js")));',
        "});",
      ].join("\n"),
      "runtime/closure/v8Hooks.js": "exports.isInitializedAsync = async () => {};",
    };
    expect(runCmdRun(files, [])).to.equal("true");
    expect(runCmdRun(files, ["--require", LOADER])).to.equal("false");
  });

  it("start the closure serializer's V8 hooks on first use, which still locate every function", () => {
    // A function whose module loaded before the hooks started, as the program's modules do.
    const script = [
      'const { hashOf } = require("./loader/cache");',
      'require("@pulumi/pulumi/runtime/closure/v8").getFunctionLocationAsync(hashOf)',
      "  .then((location) => console.log(location.file));",
    ].join("\n");
    const result = spawnSync(process.execPath, ["--require", LOADER, "-e", script], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
    });
    expect(result.stdout.trim(), result.stderr).to.equal(
      `file://${path.join(PROJECT_DIR, "loader", "cache.js")}`,
    );
  });

  it("load and work on first use", () => {
    const script = [
      'const pulumi = require("@pulumi/pulumi");',
      'if (typeof pulumi.automation.LocalWorkspace.create !== "function") throw new Error("no LocalWorkspace");',
      // Writes reach the module itself, as a test stub's would.
      "pulumi.automation.stubbed = 1;",
      'if (require("@pulumi/pulumi/automation").stubbed !== 1) throw new Error("write lost");',
      'if (!Object.keys(pulumi.automation).includes("LocalWorkspace")) throw new Error("no keys");',
      'require("@pulumi/pulumi/cmd/run/tracing").start("http://127.0.0.1:9411/api/v2/spans");',
      "Promise.all([",
      '  pulumi.runtime.serializeFunction(() => 42).then((f) => { if (!f.text.includes("42")) throw new Error(f.text); }),',
      // The normalizer, which the SDK calls, reads each package's package.json for the code paths.
      "  pulumi.runtime.computeCodePaths({ extraExcludePackages: [] }).then((paths) => {",
      '    if (!paths.has("node_modules/zod")) throw new Error("no zod");',
      "  }),",
      "])",
      ".then(() => {",
      '  const manifest = require("@pulumi/pulumi/runtime/manifest");',
      `  const dir = require("node:fs").mkdtempSync(require("node:path").join(require("node:os").tmpdir(), "manifest-"));`,
      '  require("node:fs").writeFileSync(dir + "/package.yaml", "name: from-yaml\\n");',
      '  if (manifest.readPackageManifest(dir).data.name !== "from-yaml") throw new Error("yaml");',
      '  require("node:fs").rmSync(dir, { recursive: true });',
      // A provider package that registers twice has its versions compared.
      '  const { register } = require("@pulumi/pulumi/runtime/rpc");',
      "  const modules = new Map();",
      '  register(modules, "resource", "example", { version: "1.2.3" });',
      '  if (register(modules, "resource", "example", { version: "1.2.3" })) throw new Error("twice");',
      "})",
    ].join("\n");
    expect(loadedBy(["--require", LOADER], script)).to.deep.equal(all);
  });
});

describe("the SDK's promise tracking", () => {
  /**
   * Tracks three promises that settle and one that never does, as the SDK tracks its own, then
   * takes a stack of its own; prints how many of those stacks had frames.
   */
  const SCRIPT = [
    'const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable");',
    "let framed = 0;",
    "Error.prepareStackTrace = (error, trace) => {",
    "  if (trace.length > 0) framed++;",
    '  return [String(error), ...trace].join("\\n    at ");',
    "};",
    "for (let i = 0; i < 3; i++) debuggablePromise(Promise.resolve(i), `settles ${i}`);",
    'debuggablePromise(new Promise(() => {}), "never settles");',
    "void new Error().stack;",
    "console.log(framed);",
  ].join("\n");

  /** Runs SCRIPT; `debugLeaks` asks for the stacks by the variable, or by the SDK's flag. */
  function track(nodeOptions: string[], debugLeaks: "variable" | "flag" | false) {
    const env = { ...process.env };
    delete env.PULUMI_DEBUG_PROMISE_LEAKS;
    if (debugLeaks === "variable") env.PULUMI_DEBUG_PROMISE_LEAKS = "true";
    const flag = 'require("@pulumi/pulumi/runtime/debuggable").debugPromiseLeaks = true;\n';
    const script = debugLeaks === "flag" ? flag + SCRIPT : SCRIPT;
    const result = spawnSync(process.execPath, [...nodeOptions, "-e", script], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
      env,
    });
    return { status: result.status, framed: Number(result.stdout.trim()), stderr: result.stderr };
  }

  it("takes no frames for the promises it tracks, unless PULUMI_DEBUG_PROMISE_LEAKS asks", () => {
    expect(track([], false).framed).to.equal(5);
    const tracked = track(["--require", LOADER], false);
    expect(tracked.framed, tracked.stderr).to.equal(1);
    // The promise left pending is still reported, and fails the run.
    expect(tracked.status).to.equal(1);
    expect(tracked.stderr).to.include(
      "The Pulumi runtime detected that 1 promise was still active",
    );
    expect(tracked.stderr).to.include("PULUMI_DEBUG_PROMISE_LEAKS");
    expect(tracked.stderr).not.to.include("STACK_TRACE");
  });

  it("reports where a pending promise was made when PULUMI_DEBUG_PROMISE_LEAKS is set", () => {
    const debugged = track(["--require", LOADER], "variable");
    expect(debugged.framed, debugged.stderr).to.equal(5);
    expect(debugged.status).to.equal(1);
    expect(debugged.stderr).to.match(
      /never settles\nSTACK_TRACE:\nError\n {4}at debuggablePromise \(.*runtime\/debuggable\.js/,
    );
    // The SDK's flag, set by a program rather than the variable, asks for them too.
    expect(track(["--require", LOADER], "flag").framed).to.equal(5);
  });
});
