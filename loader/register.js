"use strict";
/**
 * Runs the project's TypeScript without a build step and without type checking (`npm test`
 * type-checks it): `node --require ./loader/register.js file.ts`, and Pulumi.yaml's `nodeargs`.
 *
 * sucrase strips the types and turns imports into `require` calls line for line, so stack traces
 * point at the TypeScript source without source maps. Each file's JavaScript is cached under
 * node_modules/.cache by the hash of its text, so a run whose files did not change reads
 * JavaScript and never loads sucrase. Only `.ts` files go through here: every JavaScript file,
 * the providers' thousands included, loads as Node loads it.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

// `disableESTransforms` leaves class fields, `?.` and `??` as Node 20 runs them natively, which is
// what tsc emits for the tsconfig's ES2022 target.
const OPTIONS = { transforms: ["typescript", "imports"], disableESTransforms: true };
const SUCRASE_VERSION = require("sucrase/package.json").version;
const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "mlplatform-ts");

let sucrase;

function transpile(source, filename) {
  sucrase ??= require("sucrase");
  return sucrase.transform(source, { ...OPTIONS, filePath: filename }).code;
}

function javascriptOf(source, filename) {
  const key = crypto
    .createHash("sha256")
    .update(`${SUCRASE_VERSION}\0${JSON.stringify(OPTIONS)}\0${source}`)
    .digest("hex");
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // Not cached yet.
  }
  const code = transpile(source, filename);
  try {
    // Written whole, then renamed: a concurrent run reads either nothing or the whole file.
    const partial = `${cached}.${process.pid}`;
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  } catch {
    // A cache that cannot be written (a read-only checkout) costs the next run a transform.
    fs.rmSync(`${cached}.${process.pid}`, { force: true });
  }
  return code;
}

Module._extensions[".ts"] = function loadTypeScript(module, filename) {
  module._compile(javascriptOf(fs.readFileSync(filename, "utf8"), filename), filename);
};
