import { parseArgs } from "node:util";
import { UsageError } from "./errors";

export type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/**
 * Parses a subcommand's flags strictly: an unknown flag, a missing value or a stray argument is a
 * usage error that names it.
 */
export function parseFlags<T extends Options>(argv: string[], options: T, command: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const known = Object.keys(options ?? {})
      .map((o) => `--${o}`)
      .join(", ");
    throw new UsageError(
      `${command}: ${(err as Error).message.split("\n")[0]}; flags are ${known}`,
    );
  }
}

/** The value of a required string flag. */
export function required(
  value: string | boolean | undefined,
  flag: string,
  command: string,
): string {
  if (typeof value !== "string" || value === "") {
    throw new UsageError(`${command}: --${flag} is required`);
  }
  return value;
}

/** What `--help` prints for a subcommand: every flag of `FLAGS` described, and examples. */
export interface CommandHelp<Flag extends string> {
  /** The flags as a usage line shows them, after `npm run <command> --`. */
  usage: string;
  /** What the command does and what its exit status means. */
  description: string;
  /** One line per flag, naming what it does and its default. */
  flags: Record<Flag, string>;
  examples: string[];
}

/** How wide help text runs before it wraps. */
const HELP_WIDTH = 100;

/** Text broken into lines of at most `width` characters at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/** Whether the arguments ask for help: `--help` or `-h` anywhere among them. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

/** The help text of a subcommand, flags in the order `options` declares them. */
export function renderHelp<T extends Options>(
  command: string,
  options: T,
  help: CommandHelp<Extract<keyof T, string>>,
): string {
  const declared: [string, { type: string; multiple?: boolean }][] = Object.entries(options ?? {});
  const entries = declared.map(([name, option]) => [
    `--${name}${option.type === "string" ? " VALUE" : ""}${option.multiple === true ? " (repeatable)" : ""}`,
    help.flags[name as Extract<keyof T, string>],
  ]);
  entries.push(["--help, -h", "print this help and exit 0"]);
  const width = Math.max(...entries.map(([flag]) => flag.length));
  return [
    `usage: npm run ${command} --${help.usage === "" ? "" : ` ${help.usage}`}`,
    "",
    ...wrap(help.description, HELP_WIDTH),
    "",
    "flags:",
    ...entries.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    "",
    "examples:",
    ...help.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}
