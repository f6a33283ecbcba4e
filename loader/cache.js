"use strict";
/**
 * Files named by the hash of what made them, under the project's node_modules/.cache: the
 * loader's transpiled TypeScript, V8's compiled code of each module and the dynamic providers'
 * bundles. Neither reading nor writing throws: a cache that cannot be read or written (a
 * read-only checkout) only costs the work again.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const CACHE_ROOT = path.join(__dirname, "..", "node_modules", ".cache");

/** The SHA-256 of the parts, each ended by a NUL. */
function hashOf(...parts) {
  const hash = crypto.createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex");
}

/** The folder of one cache. */
function dirOf(name) {
  return path.join(CACHE_ROOT, name);
}

function readAs(name, key, encoding) {
  try {
    return fs.readFileSync(path.join(CACHE_ROOT, name, key), encoding);
  } catch {
    return undefined;
  }
}

/** A cached file's text, or undefined when it is not there. */
function read(name, key) {
  return readAs(name, key, "utf8");
}

/** A cached file's bytes, or undefined when it is not there. */
function readBytes(name, key) {
  return readAs(name, key, null);
}

/** Writes a cached file's text or bytes. */
function write(name, key, data) {
  const file = path.join(CACHE_ROOT, name, key);
  // Written whole, then renamed: a concurrent run reads either nothing or the whole file.
  const partial = `${file}.${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(partial, data);
    fs.renameSync(partial, file);
  } catch {
    try {
      fs.rmSync(partial, { force: true });
    } catch {
      // A folder this process cannot enter holds no partial file of its own.
    }
  }
}

module.exports = { dirOf, hashOf, read, readBytes, write };
