import type { CommandHelp, Options } from "../args";

/** A subcommand: its flags, their help, and `run`, which parses them and returns the exit code. */
export interface CommandModule {
  FLAGS: NonNullable<Options>;
  HELP: CommandHelp<string>;
  run: (argv: string[]) => Promise<number>;
}

/**
 * Every command of the engine's command line, in the order the usage lists them: its one-line
 * summary, and `load`, which requires its module only when it runs, so a command never pays for
 * the providers and policy pack that another one loads.
 */
export const COMMANDS: Record<string, { summary: string; load: () => CommandModule }> = {
  plan: {
    summary: "run the program for a stack offline and print what it registers",
    load: () => require("./plan") as typeof import("./plan"),
  },
  catalog: {
    summary: "print the instance catalog: sizes mapped per cloud and use, with prices",
    load: () => require("./catalog") as typeof import("./catalog"),
  },
  cost: {
    summary: "estimate a stack's monthly idle floor and scaled ceiling per resource and cloud",
    load: () => require("./cost") as typeof import("./cost"),
  },
  gate: {
    summary:
      "run the policy pack over a stack's plan or an exported state; exit 1 on a mandatory violation",
    load: () => require("./gate") as typeof import("./gate"),
  },
  compare: {
    summary:
      "put the clouds side by side for one spec: resources, instance types, cost; --live: probed stacks",
    load: () => require("./compare") as typeof import("./compare"),
  },
  diff: {
    summary:
      "compare two plans, exports or previews of a stack: resources, cost per cloud, policy verdicts",
    load: () => require("./diff") as typeof import("./diff"),
  },
  probe: {
    summary:
      "send the sample request to a deployed stack's endpoints: latency, errors, throughput, cost",
    load: () => require("./probe") as typeof import("./probe"),
  },
  prices: {
    summary: "rebuild the catalog's prices from the AWS and Azure public price lists",
    load: () => require("./prices") as typeof import("./prices"),
  },
};
