/**
 * Resource limits applied by a POSIX shell's `ulimit`, for platforms without `prlimit`
 * (macOS). Pure: builds an argv prefix `[shell, "-c", script, "securer-limits"]` that
 * sets each limit and then `exec "$@"`s the rest of the command.
 *
 * Why it is written this way (the reference's `ulimit -S -H` silently did nothing under
 * dash, SPEC §8):
 * - the shell is named explicitly (`/bin/dash` by default), so the units do not depend on
 *   what `/bin/sh` happens to be: bash counts `ulimit -f` in 1024-byte blocks outside
 *   POSIX mode, dash and zsh in 512-byte blocks;
 * - the soft limit is set first, then the hard one, each with a single `-S` or `-H` flag
 *   (every shell reads those the same way; combining them is what broke under dash);
 * - every limit fails closed: if a `ulimit` fails, the script prints why and exits 125, so
 *   the launch fails rather than running R unlimited;
 * - with a file-size limit, `trap '' XFSZ` sets SIGXFSZ to "ignore" before the `exec`: an
 *   ignored signal stays ignored across exec, so a write past the limit fails with EFBIG
 *   (an R error) instead of killing R.
 *
 * Only limits whose `ulimit` flag and unit are the same in dash, bash and zsh are offered:
 * `cpu` (-t, seconds), `fsize` (-f, 512-byte blocks), `nofile` (-n) and `stack` (-s, KiB).
 * Memory (-v) and processes (dash: -p, bash/zsh: -u) are left to the caller, which knows
 * whether the platform enforces them at all.
 *
 * Checked on Linux with dash (the limits read back from `/proc/self/limits`, SIGXFSZ
 * ignored, a write past `fsize` failing with "File too large", a limit above the hard one
 * exiting 125); not yet run on macOS.
 *
 * Limit values are numbers the caller validated; they are rounded up to whole units and
 * checked again here, so nothing but digits reaches the script. The script never sees R's
 * arguments: they are passed as positional parameters and only ever expanded as `"$@"`.
 *
 * @module
 */
import type { Limits } from "../src/sandbox/limits.ts";

/** The limits a shell's `ulimit` can apply identically in dash, bash and zsh. */
export type ShLimitName = "cpu" | "fsize" | "nofile" | "stack";

/** Each such limit's `ulimit` flag and the bytes (or seconds) one unit stands for. */
export const SH_ULIMIT_FLAGS: Readonly<
  Record<ShLimitName, { readonly flag: string; readonly unit: number }>
> = Object.freeze({
  cpu: { flag: "-t", unit: 1 },
  fsize: { flag: "-f", unit: 512 },
  nofile: { flag: "-n", unit: 1 },
  stack: { flag: "-s", unit: 1024 },
});

/** The order limits are applied in (the reference's order). */
const ORDER: readonly ShLimitName[] = ["cpu", "fsize", "nofile", "stack"];

/** The exit status of the limits script when a limit cannot be applied. */
export const SH_LIMITS_FAILED_EXIT: number = 125;

/** Options for {@linkcode shLimitsPrefix}. */
export interface ShLimitsOptions {
  /**
   * The shell that runs the script (absolute path). Its `ulimit` must count `-f` in
   * 512-byte blocks, as dash does.
   * @default "/bin/dash"
   */
  readonly shell?: string;
  /**
   * The limits to apply; any other limit in `limits` is left alone (the caller decides
   * and documents what happens to it).
   * @default ["cpu", "fsize", "nofile", "stack"]
   */
  readonly names?: readonly ShLimitName[];
}

function units(name: ShLimitName, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `Cannot apply limit '${name}': expected a positive number, got ${String(value)}`,
    );
  }
  const n = Math.ceil(value / SH_ULIMIT_FLAGS[name].unit);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`Cannot apply limit '${name}': ${value} is too large`);
  }
  return n;
}

/**
 * The shell script that applies `limits` (only `names`) and then runs `"$@"`.
 *
 * @example
 * ```ts
 * import { shLimitsScript } from "./sh_limits.ts";
 * shLimitsScript({ cpu: 60 }, ["cpu"]);
 * // ulimit -S -t 60 && ulimit -H -t 61 || { echo '...' >&2; exit 125; }
 * // exec "$@"
 * ```
 */
export function shLimitsScript(
  limits: Limits,
  names: readonly ShLimitName[] = ORDER,
): string {
  const lines: string[] = [];
  if (names.includes("fsize") && limits.fsize !== undefined) lines.push("trap '' XFSZ");
  for (const name of ORDER) {
    const value = limits[name];
    if (!names.includes(name) || value === undefined) continue;
    const { flag } = SH_ULIMIT_FLAGS[name];
    const soft = units(name, value);
    // CPU: the hard limit one second later, as on Linux, so R first gets SIGXCPU (which
    // names the cause) rather than an anonymous SIGKILL.
    const hard = name === "cpu" ? soft + 1 : soft;
    lines.push(
      `ulimit -S ${flag} ${soft} && ulimit -H ${flag} ${hard} || ` +
        `{ echo 'securer: cannot apply the ${name} limit (ulimit ${flag} ${soft})' >&2; ` +
        `exit ${SH_LIMITS_FAILED_EXIT}; }`,
    );
  }
  lines.push('exec "$@"');
  return lines.join("\n");
}

/**
 * The argv prefix that applies `limits` through a shell, or `[]` when none of
 * `options.names` is set. Put the command to run after it.
 *
 * @example
 * ```ts
 * import { shLimitsPrefix } from "./sh_limits.ts";
 * const argv = [...shLimitsPrefix({ cpu: 60, fsize: 1024 }), "/usr/bin/true"];
 * // ["/bin/dash", "-c", "trap '' XFSZ\nulimit -S -t 60 && ...\nexec \"$@\"", "securer-limits",
 * //  "/usr/bin/true"]
 * ```
 */
export function shLimitsPrefix(limits: Limits, options: ShLimitsOptions = {}): string[] {
  const names = options.names ?? ORDER;
  if (!names.some((name) => limits[name] !== undefined)) return [];
  return [options.shell ?? "/bin/dash", "-c", shLimitsScript(limits, names), "securer-limits"];
}
