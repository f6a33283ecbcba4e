import { closest } from "fastest-levenshtein";
import { type CommandHelp, type Options, renderHelp, wantsHelp } from "./args";
import { UsageError } from "./errors";

/** A subcommand: its flags, their help, and `run`, which parses them and returns the exit code. */
interface CommandModule {
  FLAGS: Options;
  HELP: CommandHelp<string>;
  run: (argv: string[]) => Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => CommandModule }> = {
  plan: {
    summary: "run the program for a stack offline and print what it registers",
    load: () => require("./commands/plan") as typeof import("./commands/plan"),
  },
  catalog: {
    summary: "print the instance catalog: sizes mapped per cloud and use, with prices",
    load: () => require("./commands/catalog") as typeof import("./commands/catalog"),
  },
  cost: {
    summary: "estimate a stack's monthly idle floor and scaled ceiling per resource and cloud",
    load: () => require("./commands/cost") as typeof import("./commands/cost"),
  },
  gate: {
    summary:
      "run the policy pack over a stack's plan or an exported state; exit 1 on a mandatory violation",
    load: () => require("./commands/gate") as typeof import("./commands/gate"),
  },
  compare: {
    summary:
      "put the clouds side by side for one spec: resources, instance types, cost; --live: probed stacks",
    load: () => require("./commands/compare") as typeof import("./commands/compare"),
  },
  diff: {
    summary:
      "compare two plans, exports or previews of a stack: resources, cost per cloud, policy verdicts",
    load: () => require("./commands/diff") as typeof import("./commands/diff"),
  },
  probe: {
    summary:
      "send the sample request to a deployed stack's endpoints: latency, errors, throughput, cost",
    load: () => require("./commands/probe") as typeof import("./commands/probe"),
  },
  prices: {
    summary: "rebuild the catalog's prices from the AWS and Azure public price lists",
    load: () => require("./commands/prices") as typeof import("./commands/prices"),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`,
  );
  return [
    "usage: npm run <command> -- [flags]",
    "",
    "commands:",
    ...lines,
    "",
    "npm run <command> -- --help describes a command's flags.",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    const names = Object.keys(COMMANDS);
    throw new UsageError(
      `unknown command "${name}" (did you mean "${closest(name, names)}"?); use one of ${names.join(", ")}`,
    );
  }
  const module = command.load();
  if (wantsHelp(rest)) {
    process.stdout.write(renderHelp(name, module.FLAGS, module.HELP));
    return 0;
  }
  return module.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      // A fault of the engine itself, not of the input: its own exit status, so a pipeline never
      // reads it as the gate's 1 (a mandatory violation).
      process.stderr.write(
        `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 3;
    }
  },
);
