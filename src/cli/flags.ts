/**
 * The command line's shared parts: parsing flags with `node:util` `parseArgs` (a bad flag
 * is a {@linkcode UsageError}, exit code 2), the flags every pool-backed subcommand shares
 * (`--tools`, `--pool-size`, `--sandbox`/`--no-sandbox`, `--audit-log`, `--reset`), and
 * loading a `--tools` module.
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Tool } from "../tools/securer_tool.ts";
import type { PoolOptions } from "../http/make_pool.ts";

/** A command-line mistake: printed with a hint, exit code 2. */
export class UsageError extends Error {
  /** The tag. */
  readonly _tag = "UsageError" as const;
  /** Equal to `_tag`. */
  override readonly name = "UsageError";
}

/** The flags of {@linkcode parseSharedFlags}, for `parseArgs`. */
const SHARED_OPTIONS = {
  tools: { type: "string" },
  "pool-size": { type: "string" },
  sandbox: { type: "boolean" },
  "no-sandbox": { type: "boolean" },
  "audit-log": { type: "string" },
  reset: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

/** Usage lines of the shared flags. */
export const SHARED_USAGE: string =
  `  --tools <module>     a module whose default export is an array of securerTool()s
  --pool-size <n>      sessions in the pool (default 4)
  --sandbox            run R in the OS sandbox (the default)
  --no-sandbox         run R unsandboxed (only for code you trust)
  --audit-log <path>   append a JSONL audit log of every session
  --reset <mode>       between uses: none (default), state or process
  -h, --help           print this help`;

/** The shared flags, checked. */
interface SharedFlags {
  /** The `--tools` module path, if given. */
  readonly tools: string | undefined;
  /** Pool options from the flags (tools not loaded yet). */
  readonly pool: PoolOptions;
  /** Whether `--help` was given. */
  readonly help: boolean;
}

/**
 * Parses `argv` with the shared flags plus `extra`; unknown flags and stray arguments are
 * {@linkcode UsageError}s.
 */
function parseFlags<E extends NonNullable<ParseArgsConfig["options"]>>(
  argv: readonly string[],
  extra: E,
): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { ...SHARED_OPTIONS, ...extra },
      strict: true,
      allowPositionals: false,
    });
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** A flag's value as an integer in `[min, max]`, or `fallback` when absent. */
export function intFlag(
  values: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== "string" || !/^\d+$/.test(raw) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}.`,
    );
  }
  return n;
}

/** Reads the shared flags out of parsed values. */
function parseSharedFlags(values: Record<string, unknown>): SharedFlags {
  if (values.sandbox === true && values["no-sandbox"] === true) {
    throw new UsageError("--sandbox and --no-sandbox contradict each other.");
  }
  const reset = values.reset;
  if (reset !== undefined && !["none", "state", "process"].includes(reset as string)) {
    throw new UsageError(`--reset must be none, state or process, not ${JSON.stringify(reset)}.`);
  }
  const size = intFlag(values, "pool-size", 1, 64);
  const pool: PoolOptions = {
    sandbox: values["no-sandbox"] !== true,
    ...(size === undefined ? {} : { size }),
    ...(typeof values["audit-log"] === "string" ? { auditLog: values["audit-log"] } : {}),
    ...(reset === undefined || reset === "none"
      ? {}
      : { resetBetweenUses: reset as "state" | "process" }),
  };
  return {
    tools: typeof values.tools === "string" ? values.tools : undefined,
    pool,
    help: values.help === true,
  };
}

/** What a pool-backed subcommand starts from: its parsed flags and the pool's options. */
export interface PoolCommandInput {
  /** Every flag, parsed (the subcommand reads its own). */
  readonly values: Record<string, string | boolean | undefined>;
  /** The pool options from the shared flags, with the `--tools` module loaded. */
  readonly pool: PoolOptions & { readonly tools: readonly Tool[] };
}

/**
 * Parses a pool-backed subcommand's `argv` (the shared flags plus `extra`) and loads its
 * `--tools` module; `null` when `--help` was given, after printing `usage`.
 */
export async function poolCommandInput<E extends NonNullable<ParseArgsConfig["options"]>>(
  argv: readonly string[],
  extra: E,
  usage: string,
): Promise<PoolCommandInput | null> {
  const values = parseFlags(argv, extra);
  const shared = parseSharedFlags(values);
  if (shared.help) {
    console.log(usage);
    return null;
  }
  const tools = shared.tools === undefined ? [] : await loadToolsModule(shared.tools);
  return { values, pool: { ...shared.pool, tools } };
}

/**
 * Imports a tools module (path relative to the working directory) and returns its default
 * export, which must be an array of `securerTool()`s.
 */
async function loadToolsModule(path: string): Promise<readonly Tool[]> {
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(resolve(path)).href);
  } catch (e) {
    throw new UsageError(
      `Cannot load --tools ${JSON.stringify(path)}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const tools = mod.default;
  if (!Array.isArray(tools)) {
    throw new UsageError(
      `Cannot load --tools ${
        JSON.stringify(path)
      }: its default export must be an array of securerTool()s.`,
    );
  }
  return tools as readonly Tool[];
}
