"use strict";
/**
 * Where the loader meets @pulumi/pulumi's own files, under any copy of it: the path of one, and
 * changes to a module made as it finishes loading, before any other module uses it
 * (./promiseStacks.js and ./deferredModules.js change two).
 */
const Module = require("node:module");
const path = require("node:path");

/** The ending of the path of `file` (`runtime/rpc.js`) under any copy of @pulumi/pulumi. */
function sdkFile(file) {
  return path.join("node_modules", "@pulumi", "pulumi", file);
}

/** The changes asked for, each by the ending of its module's path. */
const changes = [];

/**
 * From now on in this process, calls `change` with the exports of the SDK's `file` as the module
 * finishes loading.
 */
function onSdkLoad(file, change) {
  if (changes.length === 0) {
    const load = Module.prototype.load;
    Module.prototype.load = function loadModule(filename) {
      load.call(this, filename);
      for (const { ending, change: changeOf } of changes) {
        if (filename.endsWith(ending)) changeOf(this.exports);
      }
    };
  }
  changes.push({ ending: sdkFile(file), change });
}

module.exports = { onSdkLoad, sdkFile };
