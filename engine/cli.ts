import { closest } from "fastest-levenshtein";
import { renderHelp, wantsHelp } from "./args";
import { COMMANDS } from "./commands";
import { UsageError } from "./errors";

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
