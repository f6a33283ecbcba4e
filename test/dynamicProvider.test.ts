import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { expect } from "chai";
import { CACHE_NAME, dynamicProviderText } from "../components/dynamicProvider";
import * as cache from "../loader/cache";
import { PROJECT_DIR } from "./cli";

const PROVIDERS = [
  ["components/gcp/vertexDeploymentProvider.ts", "vertexDeploymentProvider"],
  ["components/gcp/propagationWaitProvider.ts", "iamPropagationWaitProvider"],
  ["components/azure/managedNetworkProvider.ts", "managedNetworkProvider"],
] as const;

/** Prints the provider text of `module`'s `factory` from a new process, and whether esbuild ran. */
function textFromNewProcess(module: string, factory: string): { text: string; built: boolean } {
  const script = [
    `const { dynamicProviderText } = require(${JSON.stringify(path.join(PROJECT_DIR, "components", "dynamicProvider"))});`,
    `const text = dynamicProviderText({ module: ${JSON.stringify(module)}, factory: ${JSON.stringify(factory)} });`,
    "const built = Object.keys(require.cache).some((k) => k.includes('/node_modules/esbuild/'));",
    "process.stdout.write(JSON.stringify({ text, built }));",
  ].join("\n");
  const result = spawnSync(
    process.execPath,
    ["--require", path.join(PROJECT_DIR, "loader", "register.js"), "-e", script],
    { cwd: PROJECT_DIR, encoding: "utf8" },
  );
  expect(result.stderr).to.equal("");
  return JSON.parse(result.stdout) as { text: string; built: boolean };
}

describe("dynamic providers' bundles", () => {
  for (const [module, factory] of PROVIDERS) {
    it(`bundles ${factory} with nothing but Node's modules and packages it loads when it runs`, () => {
      const source = { module: path.join(PROJECT_DIR, module), factory };
      const text = dynamicProviderText(source);
      expect(dynamicProviderText(source)).to.equal(text);
      expect(text).not.to.contain(PROJECT_DIR);
      const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      const packages = required.filter((r) => !builtinModules.includes(r.replace(/^node:/, "")));
      expect(packages).to.satisfy((names: string[]) =>
        names.every((name) => name === "google-auth-library"),
      );
    });
  }

  describe("in the cache", () => {
    const dir = path.join(PROJECT_DIR, "test", `.provider-${randomUUID()}`);
    const module = path.join(dir, "provider.ts");
    const write = (answer: string): void =>
      fs.writeFileSync(module, `export function answer() { return { id: "${answer}" }; }\n`);

    before(() => fs.mkdirSync(dir, { recursive: true }));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is read again without esbuild until a file it was built from changes", () => {
      write("first");
      const built = textFromNewProcess(module, "answer");
      const read = textFromNewProcess(module, "answer");
      write("second");
      const rebuilt = textFromNewProcess(module, "answer");
      expect([built.built, read.built, rebuilt.built]).to.deep.equal([true, false, true]);
      expect(read.text).to.equal(built.text).and.to.contain('"first"');
      expect(rebuilt.text).to.contain('"second"');
    });

    it("builds an entry it cannot read again instead of failing", () => {
      write("third");
      const built = textFromNewProcess(module, "answer");
      const cacheDir = cache.dirOf(CACHE_NAME);
      const entries = fs
        .readdirSync(cacheDir)
        .map((name) => path.join(cacheDir, name))
        .filter((file) => fs.readFileSync(file, "utf8").includes(path.basename(dir)));
      expect(entries).to.have.length.greaterThan(0);
      for (const file of entries) fs.writeFileSync(file, "{");
      const again = textFromNewProcess(module, "answer");
      expect(again).to.deep.equal({ text: built.text, built: true });
    });
  });
});
