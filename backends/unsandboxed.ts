/**
 * The `unsandboxed` backend: runs R as a plain child process. Used for `sandbox: false`;
 * never chosen for `sandbox: true` unless the caller passes `allowUnsandboxed: true`.
 *
 * Isolates:
 * - the environment: R gets only the allowlisted variables the core builds;
 * - resource limits, on Linux, through util-linux `prlimit` (independent of any shell).
 *
 * Does not isolate:
 * - the filesystem, the network or other processes: R code can do anything the host user
 *   can.
 *
 * @module
 */
import type {
  Backend,
  LaunchCommand,
  SandboxPolicy,
  WrappedCommand,
} from "../src/sandbox/backend.ts";
import { limitsPrefix } from "./limits_prefix.ts";

/** The `unsandboxed` backend. */
export const unsandboxed: Backend = {
  name: "unsandboxed",
  probe() {
    return Promise.resolve({
      ok: true as const,
      capabilities: {
        filesystem: false,
        network: false,
        processes: false,
        env: true,
        // Host root is exempt from the process limit, so nproc does not hold for it.
        limits: process.platform !== "linux"
          ? []
          : process.getuid?.() === 0
          ? ["cpu", "memory", "fsize", "nofile", "stack"]
          : ["cpu", "memory", "fsize", "nproc", "nofile", "stack"],
      },
    });
  },
  wrap(command: LaunchCommand, policy: SandboxPolicy): WrappedCommand {
    if (process.platform !== "linux" && Object.keys(policy.limits).length > 0) {
      throw new Error(
        `Cannot apply resource limits with the unsandboxed backend on ${process.platform}; pass \`limits: {}\` to run without them`,
      );
    }
    return {
      argv: [...limitsPrefix(policy.limits), ...command.argv],
      env: command.env,
    };
  },
};
