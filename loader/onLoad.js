"use strict";
/**
 * Changes to a module of a package made as it finishes loading, before any other module uses
 * it: ./promiseStacks.js and ./deferredModules.js change two of @pulumi/pulumi's.
 */
const Module = require("node:module");
const path = require("node:path");

/**
 * From now on in this process, calls `change` with the exports of each module whose file is
 * `file` under @pulumi/pulumi (any copy of it), as the module finishes loading.
 */
function onSdkLoad(file, change) {
  const ending = path.join("node_modules", "@pulumi", "pulumi", file);
  const load = Module.prototype.load;
  Module.prototype.load = function loadModule(filename) {
    load.call(this, filename);
    if (filename.endsWith(ending)) change(this.exports);
  };
}

module.exports = { onSdkLoad };
