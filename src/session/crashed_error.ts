/**
 * Why an R process ended, in words: the signal (also from a sandbox wrapper's 128 + N exit
 * code) and the likely cause given the resource limits.
 *
 * @module
 */
import { ChildCrashedError } from "../errors.ts";
import type { Limits } from "../sandbox/limits.ts";
import type { ExitStatus } from "../platform/process.ts";
import type { SandboxUsage } from "../sandbox/cgroup.ts";

const SIGNALS: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
  24: "SIGXCPU",
  25: "SIGXFSZ",
};

/**
 * The signal that ended the process. A sandbox wrapper (bwrap) exits with 128 + the
 * signal number when the process inside it is killed by a signal.
 */
export function exitSignal(status: ExitStatus, wrapped: boolean): string | null {
  if (status.signal !== null) return status.signal;
  if (wrapped && status.code !== null && status.code > 128) {
    return SIGNALS[status.code - 128] ?? null;
  }
  return null;
}

/**
 * Why the R process ended, in words, from its exit status and the limits — and, where the
 * sandbox has a cgroup, from its counters: a kill by the cgroup's OOM killer is named as the
 * sandbox's memory limit.
 */
export function likelyCause(
  status: ExitStatus,
  limits: Limits,
  usage: SandboxUsage | null = null,
): string {
  const signal = exitSignal(status, true);
  if (signal === "SIGKILL" && (usage?.oomKills ?? 0) > 0) {
    return `the sandbox's memory limit${
      limits.memory ? ` (${limits.memory} bytes)` : ""
    } was reached: the kernel's OOM killer ended it`;
  }
  switch (signal) {
    case "SIGXCPU":
      return `the CPU time limit${limits.cpu ? ` (${limits.cpu} s)` : ""} was reached`;
    case "SIGXFSZ":
      return `the file size limit${limits.fsize ? ` (${limits.fsize} bytes)` : ""} was reached`;
    case "SIGKILL":
      return `it was killed (out of memory${
        limits.memory ? " or the memory limit" : ""
      }, or killed from outside)`;
    case "SIGSEGV":
    case "SIGBUS":
    case "SIGABRT":
    case "SIGILL":
      return `R crashed (${signal})`;
    case null:
      break;
    default:
      return `it was ended by ${signal}`;
  }
  if (status.code === 0) return "R exited normally: the code may have called quit()";
  return `R exited with status ${status.code}`;
}

/** The error for an R process that died `when` ("during execution", "while idle"). */
export function crashedError(
  status: ExitStatus,
  when: string,
  output: readonly string[],
  limits: Limits,
  wrapped: boolean,
  usage: SandboxUsage | null = null,
): ChildCrashedError {
  const cause = likelyCause(status, limits, usage);
  const signal = exitSignal(status, wrapped);
  const how = signal ? `killed by ${signal}` : `exit status ${status.code}`;
  return new ChildCrashedError(
    `R process died ${when} (${how}): ${cause}; the session was restarted and its state lost`,
    { exitCode: status.code, signal, likelyCause: cause, output },
  );
}
