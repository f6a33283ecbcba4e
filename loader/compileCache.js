"use strict";
/**
 * V8's compiled code of every CommonJS module a run loads, kept between runs, so a run after the
 * first deserializes the SDK's, the providers' and the program's code instead of parsing and
 * compiling some 20 MB of JavaScript again. Node 22.8 and later do this themselves
 * (`module.enableCompileCache`); on older Node each module is compiled as a `vm.Script` with the
 * code cached for its file, and the code of the modules that had none is written when the process
 * exits, so it holds every function the run compiled, not only the top level.
 */
const inspector = require("node:inspector");
const Module = require("node:module");
const path = require("node:path");
const v8 = require("node:v8");
const vm = require("node:vm");
const cache = require("./cache");

const NAME = "mlplatform-v8";
const VERSION = `${process.version} ${process.arch}`;
const counts = { hits: 0, misses: 0, rejected: 0 };
/**
 * Whether a module may call import(), which Node's own compile is left to: on Node 20 a
 * vm.Script made from cached code loses its dynamic-import callback
 * (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING). Most modules have no `import(` in their text at all;
 * for those that do, in a string or a comment as often as in code, sucrase's parser tells, once:
 * a module that calls it is marked so, one that does not gets cached code, which is only ever
 * written for such a module.
 */
function callsImport(key, content) {
  if (!/\bimport\s*\(/.test(content)) return false;
  const marker = `${key}.import`;
  if (cache.read(NAME, marker) !== undefined) return true;
  let calls = true;
  try {
    const { tokens } = require("sucrase/dist/parser").parse(content, false, false, false);
    const { TokenType } = require("sucrase/dist/parser/tokenizer/types");
    calls = tokens.some(
      (t, i) => t.type === TokenType._import && tokens[i + 1]?.type === TokenType.parenL,
    );
  } catch {
    // What sucrase cannot parse, Node compiles.
  }
  if (calls) cache.write(NAME, marker, "");
  return calls;
}

/** The cache file of a module's code: Node and V8 may change what they compile to. */
function keyOf(filename, content) {
  return cache.hashOf(VERSION, filename, content);
}

/**
 * The require function Node gives a module (`makeRequireFunction` in Node's
 * lib/internal/modules/helpers.js).
 */
function requireFor(mod) {
  const require = (id) => mod.require(id);
  const resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

function cacheModules() {
  const compile = Module.prototype._compile;
  const unwritten = [];
  Module.prototype._compile = function compileWithCache(content, filename, format) {
    if (format === "module") return compile.call(this, content, filename, format);
    const key = keyOf(filename, content);
    const cachedData = cache.readBytes(NAME, key);
    if (cachedData === undefined && callsImport(key, content)) {
      return compile.call(this, content, filename, format);
    }
    let script;
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData });
    } catch (error) {
      if (error instanceof SyntaxError) return compile.call(this, content, filename, format);
      throw error;
    }
    if (cachedData === undefined || script.cachedDataRejected) {
      counts[cachedData === undefined ? "misses" : "rejected"]++;
      unwritten.push({ key, script });
    } else {
      counts.hits++;
    }
    const wrapper = script.runInThisContext({ displayErrors: true });
    const dirname = path.dirname(filename);
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, dirname);
  };
  process.once("exit", () => {
    for (const { key, script } of unwritten) cache.write(NAME, key, script.createCachedData());
  });
}

/** Keeps compiled code between runs; called once, before the modules it should cover load. */
function enable() {
  // V8 takes cached code only under the flags it was compiled with, and @pulumi/pulumi sets
  // --allow-natives-syntax part way through a run, as its closure serializer loads
  // (runtime/closure/v8Hooks.js): set first, every module compiles under the same flags. The flag
  // changes nothing else: without it, `%Name(...)` is a syntax error in any module.
  v8.setFlagsFromString("--allow-natives-syntax");
  if (typeof Module.enableCompileCache === "function") {
    Module.enableCompileCache(cache.dirOf(NAME));
  } else if (inspector.url() === undefined) {
    // Under a debugger, Node's own compile is left alone: it pauses on the first line with
    // --inspect-brk, and maps what the debugger shows.
    cacheModules();
  }
}

/** How many modules this process compiled from the cache, without one, or with one V8 refused. */
function stats() {
  return { ...counts };
}

module.exports = { NAME, enable, keyOf, stats };
