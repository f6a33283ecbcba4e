import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { readPolicyConfig, reconcilePolicyConfig } from "../../engine/gate/policyConfig";
import {
  COST_POLICIES,
  MAPPING_POLICIES,
  POLICIES,
  RELIABILITY_POLICIES,
  SECURITY_POLICIES,
  TAGGING_POLICIES,
} from "../../policies/policies";
import taggableTypes from "../../policies/tagging/taggable-types.json";

const PACK_DIR = path.join(__dirname, "..", "..", "policies");
const PROVIDERS_DIR = path.join(__dirname, "..", "..", "node_modules", "@pulumi");

/**
 * A control a security policy's description cites: a Security Hub control, a CIS benchmark
 * item, an Azure Policy built-in, a Checkov check, an AWS Config rule or a GCP organization
 * policy constraint.
 */
const CONTROL =
  /Security Hub [A-Za-z0-9]+\.\d+|CIS (AWS|Azure|GCP) \d+(\.\d+)+|Azure Policy "[^"]+"|Checkov CKV_[A-Z0-9]+_\d+|AWS Config [a-z0-9-]+|constraints\/gcp\.[A-Za-z]+/;

/** The provider module files that register each type, by the type they register. */
const typeFiles = new Map<string, string>();

/** The `.d.ts` of the provider class that registers `type`: found by its `__pulumiType`. */
function declarationOf(type: string): string {
  const [pkg, module] = type.split(":");
  const dir = path.join(PROVIDERS_DIR, pkg, module.split("/")[0]);
  if (!typeFiles.has(type)) {
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".js"))) {
      const match = /__pulumiType = '([^']+)'/.exec(fs.readFileSync(path.join(dir, file), "utf8"));
      if (match !== null) typeFiles.set(match[1], path.join(dir, file.replace(/\.js$/, ".d.ts")));
    }
  }
  const file = typeFiles.get(type);
  if (file === undefined) throw new Error(`no class of ${pkg} registers ${type}`);
  return file;
}

/** Whether a provider's input type for a resource declares tags (AWS, Azure) or labels (GCP). */
function declaresTags(type: string): boolean {
  const [pkg, , name] = type.split(":");
  const source = fs.readFileSync(declarationOf(type), "utf8");
  const args = new RegExp(`export interface ${name}Args \\{([\\s\\S]*?)\\n\\}`).exec(source);
  const key = pkg === "gcp" ? "labels" : "tags";
  return args !== null && new RegExp(`\\n    ${key}\\?:`).test(args[1]);
}

describe("the policy pack", () => {
  it("has unique kebab-case policy names, each in a file of its area named after it", () => {
    const areas: [string, typeof POLICIES][] = [
      ["mapping", MAPPING_POLICIES],
      ["cost", COST_POLICIES],
      ["reliability", RELIABILITY_POLICIES],
      ["security", SECURITY_POLICIES],
      ["tagging", TAGGING_POLICIES],
    ];
    const names = POLICIES.map((p) => p.name);
    expect(new Set(names).size).to.equal(names.length);
    expect(areas.flatMap(([, list]) => list)).to.deep.equal(POLICIES);
    for (const [area, list] of areas) {
      for (const policy of list) {
        expect(policy.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(fs.existsSync(path.join(PACK_DIR, area, `${policy.name}.ts`)), policy.name).to.equal(
          true,
        );
      }
    }
  });

  it("describes each policy in one sentence that starts with 'Checks whether'", () => {
    for (const policy of POLICIES) {
      expect(policy.description, policy.name).to.match(/^Checks whether [^\n]+\.$/);
    }
  });

  it("cites the control each security policy comes from", () => {
    for (const policy of SECURITY_POLICIES) {
      expect(policy.description, policy.name).to.match(CONTROL);
    }
  });

  it("builds the pack in index.ts from the exported list and nothing else", () => {
    const source = fs.readFileSync(path.join(PACK_DIR, "index.ts"), "utf8");
    const statements = source
      .split(";")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    expect(statements).to.deep.equal([
      'import { PolicyPack } from "@pulumi/policy"',
      'import { POLICIES, POLICY_PACK_NAME } from "./policies"',
      "new PolicyPack(POLICY_PACK_NAME, { policies: POLICIES })",
    ]);
  });

  it("is a Node.js pack with a versioned package", () => {
    const manifest = parse(fs.readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8")) as {
      runtime: string;
    };
    expect(manifest.runtime).to.equal("nodejs");
    const pkg = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as {
      version: string;
      main: string;
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(pkg.version).to.match(/^\d+\.\d+\.\d+$/);
    // The CLI runs `main`; the bundle built from index.ts starts without ts-node type checking.
    expect(pkg.main).to.equal("bin/index.js");
    expect(pkg.scripts.prepack).to.equal("npm run build");
    expect(pkg.scripts.build).to.match(/^esbuild index\.ts --bundle .*--outfile=bin\/index\.js$/);
    expect(Object.keys(pkg.dependencies).sort()).to.deep.equal([
      "@pulumi/policy",
      "@pulumi/pulumi",
    ]);
  });

  it("imports nothing from outside its folder, so the folder it publishes starts on its own", () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory() && entry.name !== "node_modules") walk(file);
        else if (entry.name.endsWith(".ts")) sources.push(file);
      }
    };
    walk(PACK_DIR);
    for (const file of sources) {
      const imports = [...fs.readFileSync(file, "utf8").matchAll(/from "(\.\.\/[^"]*)"/g)].map(
        (m) =>
          path.relative(path.join(__dirname, "..", ".."), path.resolve(path.dirname(file), m[1])),
      );
      for (const target of imports) {
        expect(target.split(path.sep)[0], `${file} imports ${target}`).to.equal("policies");
      }
    }
  });

  for (const tier of ["dev", "prod"]) {
    it(`sets every policy's level explicitly in config/${tier}.json, valid against its schema`, () => {
      const file = path.join(PACK_DIR, "config", `${tier}.json`);
      const entries = readPolicyConfig(file);
      expect(Object.keys(entries).sort()).to.deep.equal(POLICIES.map((p) => p.name).sort());
      for (const [name, entry] of Object.entries(entries)) {
        expect(entry.enforcementLevel, name).to.be.oneOf(["advisory", "mandatory", "disabled"]);
      }
      expect(() => reconcilePolicyConfig(POLICIES, "advisory", entries, file)).not.to.throw();
    });
  }

  it("differs between the tiers only where prod is stricter or dev idles cheaply", () => {
    const dev = readPolicyConfig(path.join(PACK_DIR, "config", "dev.json"));
    const prod = readPolicyConfig(path.join(PACK_DIR, "config", "prod.json"));
    const differing = POLICIES.map((p) => p.name).filter(
      (name) => JSON.stringify(dev[name]) !== JSON.stringify(prod[name]),
    );
    expect(differing).to.deep.equal([
      "idle-floor-within-budget",
      "endpoint-min-replicas",
      "stateful-resources-protected",
      "azureml-workspace-no-public-access",
    ]);
    expect(prod["endpoint-min-replicas"].properties).to.deep.equal({ minReplicas: 2 });
    expect(dev["idle-floor-within-budget"].properties).to.deep.equal({ idleBudgetMonthlyUsd: 600 });
  });

  it("lists as taggable only types whose provider inputs take tags or labels", () => {
    const wrong = taggableTypes.filter((type) => !declaresTags(type));
    expect(wrong).to.deep.equal([]);
    expect(declaresTags("gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool")).to.equal(
      false,
    );
    expect(declaresTags("azure-native:storage:StorageAccount")).to.equal(true);
  });
});

describe("docs/policies.md", () => {
  const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "policies.md"), "utf8");

  it("shows the CrossGuard command and how to gate in CI", () => {
    expect(doc).to.contain(
      "pulumi preview --stack prod --policy-pack policies --policy-pack-config policies/config/prod.json",
    );
    expect(doc).to.contain("npm run gate -- --stack prod");
    expect(doc).to.contain("CrossGuard cannot see `retainOnDelete`");
  });

  it("names every policy of the pack", () => {
    const missing = POLICIES.map((p) => p.name).filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).to.deep.equal([]);
  });
});
