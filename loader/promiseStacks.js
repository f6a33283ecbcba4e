"use strict";
/**
 * @pulumi/pulumi tracks every promise it makes (runtime/debuggable.js), to report those still
 * pending when the program exits, and takes a stack for each as it does: thousands a preview, near
 * a tenth of its time and a twentieth of its memory. It prints those stacks only when
 * `PULUMI_DEBUG_PROMISE_LEAKS` is set. Unless it is, the promises are tracked as before with no
 * frames in their stacks (`Error.stackTraceLimit` is 0 while the SDK takes one): leaks are still
 * reported and fail the run, and the report still says to set that variable to see where they
 * were made. Every other stack, the program's errors' included, is V8's own.
 */
const Module = require("node:module");
const path = require("node:path");

const DEBUGGABLE = path.join("node_modules", "@pulumi", "pulumi", "runtime", "debuggable.js");

function withoutFrames(track) {
  return function debuggablePromise(...args) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return track.apply(this, args);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}

/** From now on in this process, the SDK tracks its promises without frames unless asked. */
function enable() {
  const load = Module.prototype.load;
  Module.prototype.load = function loadModule(filename) {
    load.call(this, filename);
    if (filename.endsWith(DEBUGGABLE) && !this.exports.debugPromiseLeaks) {
      this.exports.debuggablePromise = withoutFrames(this.exports.debuggablePromise);
    }
  };
}

module.exports = { enable };
