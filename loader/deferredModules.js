"use strict";
/**
 * Parts of @pulumi/pulumi that it loads as it loads, and that neither the program under the CLI
 * nor `plan` uses, load on first use instead: the Automation API (`pulumi.automation`, for a
 * program that drives the CLI); the TypeScript compiler, npm's Arborist, its package.json
 * normalizer and the directory crawler that the closure serializer
 * (`pulumi.runtime.serializeFunction`) takes to parse functions and find their packages, since the
 * dynamic providers here are bundled rather than serialized (components/dynamicProvider.ts); the
 * YAML parser `cmd/run` reads a `package.yaml` with, where the project has a package.json; semver,
 * which the SDK uses only when one provider package registers twice, when a resource reference it
 * receives names its package's version, when `.npmrc` sets `engine-strict`, or when `cmd/run`
 * compiles TypeScript itself (Pulumi.yaml turns that off); and the OpenTelemetry tracer that
 * `cmd/run` starts only when the CLI runs with `--tracing`. They are about 750 of the 930 modules
 * the SDK and `cmd/run` load, most of their loading time.
 *
 * `cmd/run` also loads source-map-support's `register`, which installs itself as it loads and maps
 * every stack trace through source maps. The SDK takes a stack for every promise it tracks,
 * thousands a preview, and that mapping was a quarter of a preview's time; the program needs none
 * of it, since this loader keeps each TypeScript line where it was and the SDK's maps point at
 * sources its package does not ship. Its stand-in is never read, so it never loads, and stack
 * traces are V8's own.
 *
 * `cmd/run` starts the closure serializer's V8 hooks before it runs the program
 * (runtime/closure/v8Hooks.js): an inspector session with V8's debugger on for the whole run, which
 * V8 tells of every script it compiles, so that the serializer can name the file of a function it
 * fails to serialize. With the debugger on a preview took a tenth longer and a twentieth more
 * memory, for a program that serializes no function. Its stand-in answers `isInitializedAsync`
 * without starting them, as `cmd/run` itself skips them under Bun. A program that does serialize a
 * function starts them on first use (runtime/closure/v8.js loads them). Their session listens for
 * V8's scripts only once the debugger is on, when V8 has told it of those already loaded, so at
 * its start the debugger is turned off and on again, and V8 tells the listener of every script.
 *
 * Each is a stand-in that loads the module at its first use, and passes every read, write and
 * call to it. The SDK uses most of them only through properties (`automation.LocalWorkspace`,
 * `arborist.Arborist`, `ts.createSourceFile`, `yaml.load`), and its `__importStar` hands a module
 * marked `__esModule` through unchanged. The package.json normalizer is a function the SDK calls
 * through `__importDefault`, which wraps a module not so marked: its stand-in is a function, and
 * not marked. A stand-in is not the module object itself: it cannot be frozen, and it is not `===`
 * what `require` of the module's own path returns.
 */
const Module = require("node:module");
const { onSdkLoad, sdkFile } = require("./onLoad");

/**
 * The requiring file of @pulumi/pulumi, what it requires, and how its stand-in differs from one
 * that passes everything on: `callable`, for a module that is a function the SDK calls, or the
 * properties it `answers` without loading the module.
 */
const DEFERRED = [
  ["index.js", "./automation"],
  ["runtime/closure/codePaths.js", "@npmcli/arborist"],
  ["runtime/closure/codePaths.js", "normalize-package-data", { callable: true }],
  ["runtime/closure/codePaths.js", "fdir"],
  ["runtime/closure/parseFunction.js", "../../typescript-shim"],
  ["runtime/manifest.js", "js-yaml"],
  ...["runtime/rpc.js", "runtime/closure/rewriteSuper.js", "cmd/run/run.js"].map((file) => [
    file,
    "semver",
  ]),
  ...[
    "@opentelemetry/resources",
    "@opentelemetry/sdk-trace-base",
    "@opentelemetry/exporter-zipkin",
    "@opentelemetry/instrumentation-grpc",
    "@opentelemetry/sdk-trace-node",
    "@opentelemetry/instrumentation",
  ].map((request) => ["cmd/run/tracing.js", request]),
  ["cmd/run/index.js", "source-map-support/register"],
  [
    "cmd/run/index.js",
    "../../runtime/closure/v8Hooks",
    { answers: { isInitializedAsync: async () => {} } },
  ],
].map(([file, request, { callable = false, answers = {} } = {}]) => ({
  file: sdkFile(file),
  request,
  callable,
  answers,
}));

function deferred(load, { callable, answers }) {
  let loaded;
  const real = () => (loaded ??= load());
  // Every operation but reading `__esModule` and what the stand-in answers goes to the module.
  return new Proxy(callable ? () => undefined : { __esModule: true }, {
    get(_, key) {
      if (key === "__esModule") return !callable;
      return Object.hasOwn(answers, key) ? answers[key] : Reflect.get(real(), key);
    },
    apply: (_, self, args) => Reflect.apply(real(), self, args),
    set: (_, key, value) => Reflect.set(real(), key, value),
    has: (_, key) => Reflect.has(real(), key),
    deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
    defineProperty: (_, key, descriptor) =>
      Reflect.defineProperty(real(), key, { ...descriptor, configurable: true }),
    ownKeys: () => Reflect.ownKeys(real()),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    getOwnPropertyDescriptor(_, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // A proxy may not report a property its own target lacks as non-configurable.
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
  });
}

/** Sends an inspector session a command. */
function post(session, method) {
  return new Promise((resolve, reject) =>
    session.post(method, (error) => (error ? reject(error) : resolve())),
  );
}

/**
 * The V8 hooks' session, once started, told again of every script V8 has loaded, which it
 * started too late to hear of.
 */
function replayingScripts(hooks) {
  const sessionOf = hooks.getSessionAsync;
  let replayed;
  hooks.getSessionAsync = () =>
    (replayed ??= sessionOf().then(async (session) => {
      await post(session, "Debugger.disable");
      await post(session, "Debugger.enable");
      return session;
    }));
}

/** Defers those modules from now on in this process. */
function enable() {
  onSdkLoad("runtime/closure/v8Hooks.js", replayingScripts);
  const load = Module._load;
  Module._load = function loadOrDefer(request, parent, isMain) {
    const filename = parent?.filename;
    const entry =
      typeof filename === "string" &&
      DEFERRED.find((d) => d.request === request && filename.endsWith(d.file));
    if (entry) {
      return deferred(() => load.call(this, request, parent, isMain), entry);
    }
    return load.call(this, request, parent, isMain);
  };
}

module.exports = { enable };
