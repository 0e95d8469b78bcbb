/**
 * The `securer` command line: `securer <command> [flags]`. Subcommands are listed in
 * {@linkcode COMMANDS}; a bad flag prints the error and a hint and exits 2.
 *
 * `bin.ts` runs it: `deno task serve`, `npm run serve`, or `npx securer` from the npm package.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { doctorCommand } from "./doctor_command.ts";
import { UsageError } from "./flags.ts";
import { mcpCommand } from "./mcp_command.ts";
import { serveCommand } from "./serve_command.ts";

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [serveCommand, mcpCommand, doctorCommand];

/** The text `securer --help` prints. */
export function usage(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: securer <command> [flags]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `securer <command> --help` for a command's flags.",
  ].join("\n");
}

/** Runs the command line `argv` (without the program name); resolves with the exit code. */
export async function main(
  argv: readonly string[],
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (command === undefined) throw new UsageError(`Unknown command ${JSON.stringify(name)}.`);
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      const hint = command === undefined ? "securer --help" : `securer ${command.name} --help`;
      console.error(`securer: ${e.message}\nRun \`${hint}\` for usage.`);
      return 2;
    }
    console.error(`securer: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return 1;
  }
}
