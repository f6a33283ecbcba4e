"use strict";
/**
 * V8's compiled code of every CommonJS module a run loads, kept between runs, so a run after the
 * first deserializes the SDK's, the providers' and the program's code instead of parsing and
 * compiling it again. Node 22.8 and later do this themselves (`module.enableCompileCache`); on
 * older Node each module is compiled as a `vm.Script` with the code cached for its file, and the
 * code of the modules that had none is taken when the process exits, so it holds every function
 * the run compiled, not only the top level.
 *
 * V8 takes cached code only under the flags it was made with, and @pulumi/pulumi changes a flag
 * part way through a run that serializes a function (`--allow-natives-syntax`, as its closure
 * serializer loads: runtime/closure/v8.js and v8Hooks.js, which `cmd/run` also loads as it starts
 * where ./deferredModules.js does not stand in). So the code compiled so far is taken just before
 * any flag change, and a module's code is kept under the flags it was compiled with: the next run
 * finds code made under the same flags, whichever kind of process it is.
 */
const inspector = require("node:inspector");
const Module = require("node:module");
const path = require("node:path");
const v8 = require("node:v8");
const vm = require("node:vm");
const zlib = require("node:zlib");
const cache = require("./cache");

const NAME = "mlplatform-v8";
const VERSION = `${process.version} ${process.arch}`;
const counts = { hits: 0, misses: 0, rejected: 0 };
/** The options Node was started with (NODE_OPTIONS and its command line), then the V8 flags set since. */
let flags = `${process.env.NODE_OPTIONS ?? ""} ${process.execArgv.join(" ")}`;
const POLICY = /--(experimental-policy|policy-integrity)\b/;

/**
 * `import` before a parenthesis or a comment, in code, a string or a comment. On Node 20 a
 * vm.Script made from cached code loses its dynamic-import callback
 * (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), for its own `import()` and for one it evaluates
 * (`new Function("s", "return import(s)")`), so such a module is left to Node's compile.
 */
const MAY_IMPORT = /\bimport\s*(\(|\/[/*])/;

/** The cache file of a module's code, compiled under this process's flags so far. */
function keyOf(filename, content) {
  return cache.hashOf(VERSION, flags, filename, content);
}

/**
 * Cached code with its CRC-32 in front: V8 checks only the header of what it is given, and runs
 * a damaged body (it may hang or abort), so a file whose body does not match is not used.
 */
function sealed(data) {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data));
  return Buffer.concat([crc, data]);
}

function unsealed(file) {
  if (file === undefined || file.length < 4) return undefined;
  const data = file.subarray(4);
  return file.readUInt32BE(0) === zlib.crc32(data) ? data : undefined;
}

/**
 * The require function Node gives a module (`makeRequireFunction` in Node's
 * lib/internal/modules/helpers.js).
 */
function requireFor(mod) {
  function require(id) {
    return mod.require(id);
  }
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
  /** Scripts compiled without usable cached code, and code taken from them, to write at exit. */
  let untaken = [];
  const taken = [];
  const take = () => {
    for (const { key, script } of untaken) taken.push({ key, data: script.createCachedData() });
    untaken = [];
  };
  Module.prototype._compile = function compileWithCache(content, filename, format) {
    // Node's own compile takes an ES module required from CommonJS, a module that may call
    // import(), and every module while source maps are on, which it maps and this would not.
    if (format === "module" || process.sourceMapsEnabled || MAY_IMPORT.test(content)) {
      return compile.call(this, content, filename, format);
    }
    const key = keyOf(filename, content);
    const file = cache.readBytes(NAME, key);
    const cachedData = unsealed(file);
    let script;
    try {
      // A `#!` line, which V8 takes only at the very start, as a comment, as Node's compile does.
      const code = content.startsWith("#!") ? `//${content.slice(2)}` : content;
      script = new vm.Script(Module.wrap(code), {
        filename,
        // Columns on the first line as Node's own compile reports them, without the wrapper.
        columnOffset: -Module.wrapper[0].length,
        cachedData,
      });
    } catch (error) {
      if (error instanceof SyntaxError) return compile.call(this, content, filename, format);
      throw error;
    }
    if (cachedData === undefined || script.cachedDataRejected) {
      counts[file === undefined ? "misses" : "rejected"]++;
      untaken.push({ key, script });
    } else {
      counts.hits++;
    }
    const wrapper = script.runInThisContext({ displayErrors: true });
    const dirname = path.dirname(filename);
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, dirname);
  };
  process.once("exit", () => {
    take();
    for (const { key, data } of taken) cache.write(NAME, key, sealed(data));
  });
  return take;
}

/** Keeps compiled code between runs; called once, before the modules it should cover load. */
function enable() {
  let take;
  if (typeof Module.enableCompileCache === "function") {
    Module.enableCompileCache(cache.dirOf(NAME));
    // Node writes its code at exit unless told to earlier (Node 22.10 and later).
    take = () => Module.flushCompileCache?.();
  } else if (inspector.url() === undefined && !POLICY.test(flags)) {
    // Under a debugger, Node's own compile is left alone: it pauses on the first line with
    // --inspect-brk, and maps what the debugger shows. So it is under a policy manifest, whose
    // integrity checks and redirects it applies.
    take = cacheModules();
  } else {
    return;
  }
  const setFlags = v8.setFlagsFromString;
  v8.setFlagsFromString = function setFlagsFromString(added) {
    take();
    flags = `${flags} ${added}`;
    return setFlags.call(this, added);
  };
}

/** How many modules this process compiled from the cache, without one, or with one not used. */
function stats() {
  return { ...counts };
}

module.exports = { NAME, enable, keyOf, stats };
