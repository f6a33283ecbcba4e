"use strict";
/**
 * @pulumi/pulumi tracks every promise it makes (runtime/debuggable.js), to report those still
 * pending when the program exits, and takes a stack for each as it does: thousands a preview, near
 * a tenth of its time and a twentieth of its memory. It prints those stacks only when
 * `PULUMI_DEBUG_PROMISE_LEAKS` is set (the module's `debugPromiseLeaks`, read at each call here).
 * Unless it is, the promises are tracked as before with no frames in their stacks
 * (`Error.stackTraceLimit` is 0 while the SDK takes one): leaks are still reported and fail the
 * run, and the report still says to set that variable to see where they were made. Every other
 * stack, the program's errors' included, is V8's own; an error thrown inside the SDK's tracking
 * itself (a promise that cannot take its properties) would have none.
 */
const { onSdkLoad } = require("./onLoad");

/** The SDK's `debuggablePromise`, taking frames only while its module's flag asks for them. */
function withoutFrames(debuggable) {
  const track = debuggable.debuggablePromise;
  return function debuggablePromise(...args) {
    if (debuggable.debugPromiseLeaks) return track.apply(this, args);
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
  onSdkLoad("runtime/debuggable.js", (debuggable) => {
    debuggable.debuggablePromise = withoutFrames(debuggable);
  });
}

module.exports = { enable };
