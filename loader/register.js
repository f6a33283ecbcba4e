"use strict";
/**
 * Runs the project's TypeScript without a build step and without type checking (`npm test`
 * type-checks it): `node --require ./loader/register.js file.ts`, and Pulumi.yaml's `nodeargs`.
 *
 * sucrase strips the types and turns imports into `require` calls line for line, so stack traces
 * point at the TypeScript source without source maps. Each file's JavaScript is cached by the
 * hash of its text, so a run whose files did not change reads JavaScript and never loads sucrase.
 * Only `.ts` files are transpiled here: every JavaScript file, the providers' thousands included,
 * loads as Node loads it, and every module's compiled code, theirs and the program's, is kept
 * between runs (./compileCache.js). The parts of the SDK no run here uses load on first use
 * (./deferredModules.js), and the SDK tracks its promises without taking a stack for each unless
 * asked (./promiseStacks.js).
 */
const fs = require("node:fs");
const Module = require("node:module");
const cache = require("./cache");

require("./compileCache").enable();
require("./deferredModules").enable();
require("./promiseStacks").enable();

// `disableESTransforms` leaves class fields, `?.` and `??` as Node 20 runs them natively, which is
// what tsc emits for the tsconfig's ES2022 target.
const OPTIONS = { transforms: ["typescript", "imports"], disableESTransforms: true };
const SETTINGS = `sucrase ${require("sucrase/package.json").version} ${JSON.stringify(OPTIONS)}`;

let sucrase;

function javascriptOf(source, filename) {
  const key = `${cache.hashOf(SETTINGS, source)}.js`;
  const cached = cache.read("mlplatform-ts", key);
  if (cached !== undefined) return cached;
  sucrase ??= require("sucrase");
  const code = sucrase.transform(source, { ...OPTIONS, filePath: filename }).code;
  cache.write("mlplatform-ts", key, code);
  return code;
}

Module._extensions[".ts"] = function loadTypeScript(module, filename) {
  module._compile(javascriptOf(fs.readFileSync(filename, "utf8"), filename), filename);
};
