/**
 * Permission errors of the runtime's own permission system (Deno's `--allow-*` flags,
 * Node's `--permission` model), told apart from ordinary I/O errors so that no helper
 * reports a denied permission as a missing file or program.
 *
 * Deno 2 throws `NotCapable` ("Requires sys access to "uid", run again with the
 * --allow-sys flag"); Deno 1 threw `PermissionDenied` with the same wording (Deno 2 uses
 * `PermissionDenied` for the operating system's EACCES, which is not one). Node throws an
 * error with code `ERR_ACCESS_DENIED`. Bun has no permission system.
 *
 * @module
 */

/** Node's permission scopes and the flags that grant them. */
const NODE_FLAGS: Readonly<Record<string, string>> = {
  FileSystemRead: "--allow-fs-read",
  FileSystemWrite: "--allow-fs-write",
  ChildProcess: "--allow-child-process",
  WorkerThreads: "--allow-worker",
};

const DENO_FLAG = /run again with the (--allow-[a-z-]+) flag/;

/** Whether `e` is the runtime refusing a permission (not an operating-system error). */
export function isPermissionError(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const { name, code, message } = e as { name?: unknown; code?: unknown; message?: unknown };
  if (name === "NotCapable") return true;
  if (name === "PermissionDenied") return typeof message === "string" && DENO_FLAG.test(message);
  return code === "ERR_ACCESS_DENIED";
}

/**
 * The command-line flag that grants the permission `e` was refused, when the runtime says
 * (e.g. `--allow-sys`, or `--allow-all` for Deno's /proc); `null` for other errors.
 */
export function missingPermission(e: unknown): string | null {
  if (!isPermissionError(e)) return null;
  const { message, permission } = e as { message?: unknown; permission?: unknown };
  const deno = typeof message === "string" ? DENO_FLAG.exec(message) : null;
  if (deno !== null) return deno[1];
  return typeof permission === "string" ? NODE_FLAGS[permission] ?? null : null;
}

/**
 * A permission error as a probe's reason and fix: the reason quotes the runtime's message,
 * the fix names the flag.
 *
 * @example
 * ```ts
 * permissionFailure(e, "the bubblewrap probe");
 * // { reason: 'the bubblewrap probe needs a permission the runtime denied: Requires sys
 * //   access to "uid", run again with the --allow-sys flag',
 * //   fix: "grant it: run with --allow-sys" }
 * ```
 */
export function permissionFailure(e: unknown, what: string): { reason: string; fix: string } {
  const flag = missingPermission(e);
  return {
    reason: `${what} needs a permission the runtime denied: ${(e as Error).message}`,
    fix: flag === null ? "grant the permission the runtime names" : `grant it: run with ${flag}`,
  };
}
