/**
 * The shape of a subcommand of the `securer` command line.
 *
 * @module
 */

/** One subcommand: its name, a one-line summary, its help text and what it does. */
export interface Command {
  /** The word after `securer`. */
  readonly name: string;
  /** One line for `securer --help`. */
  readonly summary: string;
  /** The text `securer <name> --help` prints. */
  readonly usage: string;
  /** Runs it with the arguments after its name; resolves with the exit code. */
  run(argv: readonly string[]): Promise<number>;
}
