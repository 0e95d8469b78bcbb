/**
 * Resource limits for the R child (SPEC §8): names, defaults and validation, as pure code.
 *
 * @module
 */

/** Resource limits. Times in seconds, sizes in bytes. */
export interface Limits {
  /** CPU seconds for the R process's lifetime (a restart resets it). */
  readonly cpu?: number;
  /** Address space in bytes. */
  readonly memory?: number;
  /** Largest file the process may write, in bytes. */
  readonly fsize?: number;
  /** Processes (and threads) the sandbox may run at once. */
  readonly nproc?: number;
  /** Open file descriptors. */
  readonly nofile?: number;
  /** Stack size in bytes. */
  readonly stack?: number;
}

/** The limit names, in the reference's order. */
export const LIMIT_NAMES: readonly (keyof Limits)[] = [
  "cpu",
  "memory",
  "fsize",
  "nproc",
  "nofile",
  "stack",
];

const MiB = 1024 * 1024;

/** The defaults when sandboxed and no `limits` are given (the reference's `default_limits()`). */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  cpu: 60,
  memory: 512 * MiB,
  fsize: 50 * MiB,
  nproc: 50,
  nofile: 256,
});

function show(x: unknown): string {
  if (typeof x === "string") return JSON.stringify(x);
  if (typeof x === "bigint") return `${x}n`;
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}

/**
 * Validates limits with the reference's messages. `undefined`/`null` means "use the
 * defaults when sandboxed, none otherwise"; `{}` means no limits.
 *
 * @throws {TypeError} for unknown names or non-positive / non-numeric values.
 */
export function resolveLimits(limits: unknown, sandboxed: boolean): Limits {
  if (limits === undefined || limits === null) return sandboxed ? DEFAULT_LIMITS : {};
  if (typeof limits !== "object" || Array.isArray(limits)) {
    throw new TypeError(`\`limits\` must be an object, not ${show(limits)}.`);
  }
  const names = Object.keys(limits);
  const unknown = names.filter((n) => !(LIMIT_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new TypeError(
      `Unknown limit name(s): ${unknown.join(", ")}. Valid names: ${LIMIT_NAMES.join(", ")}`,
    );
  }
  const out: Record<string, number> = {};
  for (const name of names) {
    const value = (limits as Record<string, unknown>)[name];
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new TypeError(`Limit '${name}' must be a single positive number, got: ${show(value)}`);
    }
    out[name] = value;
  }
  return out;
}

/**
 * The `prlimit` arguments that apply `limits`, rounded up to whole units, e.g.
 * `["--cpu=60:61", "--as=536870912:536870912"]`. Soft equals hard except for CPU time,
 * whose hard limit is one second later: reaching the soft limit then ends R with
 * SIGXCPU, which names the cause, rather than an anonymous SIGKILL.
 */
export function prlimitArgs(limits: Limits): string[] {
  const flag: Record<keyof Limits, string> = {
    cpu: "cpu",
    memory: "as",
    fsize: "fsize",
    nproc: "nproc",
    nofile: "nofile",
    stack: "stack",
  };
  const args: string[] = [];
  for (const name of LIMIT_NAMES) {
    const value = limits[name];
    if (value === undefined) continue;
    const n = Math.ceil(value);
    args.push(`--${flag[name]}=${n}:${name === "cpu" ? n + 1 : n}`);
  }
  return args;
}
