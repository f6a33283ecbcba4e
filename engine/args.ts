import { parseArgs } from "node:util";
import { UsageError } from "./errors";

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

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
