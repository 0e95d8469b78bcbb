/**
 * The `seatbelt` backend (macOS): runs R under `sandbox-exec` with a generated profile
 * (see {@linkcode seatbeltProfile} for every rule and why it is there).
 *
 * **Not run on macOS.** It was written and tested on Linux, where only its output (the
 * profile, argv, env and files) can be checked. Expect to adjust the profile's lists the
 * first time it runs on a Mac (`log stream --predicate 'sender == "Sandbox"'` shows what
 * was denied). `sandbox-exec` is marked deprecated by Apple but still ships and works.
 *
 * Isolates:
 * - the filesystem: R reads only its own installation, its library paths, system
 *   libraries and a few system data files, and writes only the session directory;
 * - the network: none at all (`(deny network*)`);
 * - other processes: R may signal and inspect only itself, may not list processes, and may
 *   execute only its own binaries and a few named utilities (never bash or zsh);
 * - Mach services: only the two enumerated in {@linkcode MACOS_MACH_SERVICES};
 * - the environment: R gets only the allowlisted variables the core builds;
 * - resource limits `cpu`, `fsize`, `nofile` and `stack`, set by `ulimit` in `/bin/dash`
 *   before `sandbox-exec` starts (each fails closed; SIGXFSZ is ignored so a write past
 *   `fsize` is an R error, not a crash).
 *
 * Does not isolate:
 * - memory: macOS does not enforce RLIMIT_AS or RLIMIT_DATA, so there is no OS memory
 *   limit. When `limits.memory` is set, R is started with `R_MAX_VSIZE` at that size, so
 *   large vector allocations fail with an R error ("vector memory exhausted") and the
 *   session lives on; but this is R's own bookkeeping, not a boundary: R code can raise it
 *   with `mem.maxVSize()`, and memory outside R's vector heap is not counted. `memory` is
 *   therefore not in `capabilities.limits`;
 * - the number of processes: RLIMIT_NPROC counts every process of the host user, so a
 *   small `nproc` would stop base R's own start-up `fork()` (utils then fails to load). It
 *   is not applied and not in `capabilities.limits`; R may fork (the forks stay inside the
 *   sandbox, with the same profile and limits);
 * - information the allowed paths and sysctls reveal: the macOS version, host name, CPU
 *   model, and that the allowed directories exist.
 *
 * The limits shell runs outside the sandbox, before `sandbox-exec`, so that no shell has
 * to be executable inside it just to start R (macOS `/bin/sh` re-executes bash, which the
 * profile refuses). Its argv is `["/bin/dash", "-c", script, "securer-limits",
 * "/usr/bin/sandbox-exec", "-f", profile, ...R argv]`; without limits it starts at
 * `sandbox-exec`.
 *
 * @module
 */
import { join } from "node:path";
import type {
  Backend,
  Capabilities,
  LaunchCommand,
  ProbeResult,
  SandboxPolicy,
  WrappedCommand,
} from "../src/sandbox/backend.ts";
import { findExecutable } from "../src/platform/process.ts";
import { seatbeltProfile } from "./seatbelt_profile.ts";
import { type ShLimitName, shLimitsPrefix } from "./sh_limits.ts";

/** Where macOS keeps `sandbox-exec`. Never looked up on PATH. */
export const SANDBOX_EXEC: string = "/usr/bin/sandbox-exec";

/** The shell that applies the limits (its `ulimit` units are fixed; macOS 10.15+ ships it). */
export const SEATBELT_LIMITS_SHELL: string = "/bin/dash";

/** The name of the profile file the backend writes into the session directory. */
export const SEATBELT_PROFILE_FILE: string = "seatbelt.sb";

/** The limits this backend enforces on macOS. */
export const SEATBELT_LIMITS: readonly ShLimitName[] = Object.freeze([
  "cpu",
  "fsize",
  "nofile",
  "stack",
]);

/** What the `seatbelt` backend isolates. */
export const SEATBELT_CAPABILITIES: Capabilities = Object.freeze({
  filesystem: true,
  network: true,
  processes: true,
  env: true,
  limits: SEATBELT_LIMITS,
});

/** Options for {@linkcode makeSeatbeltBackend}, for tests and unusual hosts. */
export interface SeatbeltBackendOptions {
  /**
   * The platform to probe for.
   * @default process.platform
   */
  readonly platform?: string;
  /**
   * Whether a path is an executable file.
   * @default the runtime's check (`findExecutable`)
   */
  readonly isExecutable?: (path: string) => boolean;
}

function inside(p: string, dir: string): boolean {
  const d = dir.replace(/\/+$/, "");
  return p.startsWith(`${d}/`);
}

/**
 * Makes a `seatbelt` backend. {@linkcode seatbelt} is the default one.
 *
 * @example
 * ```ts
 * import { makeSeatbeltBackend } from "./seatbelt.ts";
 * const probe = await makeSeatbeltBackend({ platform: "linux" }).probe();
 * // { ok: false, reason: "not macOS (this is linux)", fix: "..." }
 * ```
 */
export function makeSeatbeltBackend(options: SeatbeltBackendOptions = {}): Backend {
  const platform = options.platform ?? process.platform;
  const isExecutable = options.isExecutable ??
    ((path: string) => findExecutable([path]) !== null);
  return {
    name: "seatbelt",
    probe(): Promise<ProbeResult> {
      if (platform !== "darwin") {
        return Promise.resolve({
          ok: false,
          reason: `not macOS (this is ${platform})`,
          fix: "Seatbelt exists only on macOS; use the backend for this platform.",
        });
      }
      if (!isExecutable(SANDBOX_EXEC)) {
        return Promise.resolve({
          ok: false,
          reason: `sandbox-exec not found at ${SANDBOX_EXEC}`,
          fix: `It ships with macOS: check that ${SANDBOX_EXEC} exists and is executable.`,
        });
      }
      if (!isExecutable(SEATBELT_LIMITS_SHELL)) {
        return Promise.resolve({
          ok: false,
          reason: `dash not found at ${SEATBELT_LIMITS_SHELL} (it applies the resource limits)`,
          fix: "It ships with macOS 10.15 and later: update macOS.",
        });
      }
      return Promise.resolve({ ok: true, capabilities: SEATBELT_CAPABILITIES });
    },
    wrap(command: LaunchCommand, policy: SandboxPolicy): WrappedCommand {
      const r = command.argv[0] ?? "";
      if (!inside(r, policy.rHome)) {
        throw new RangeError(
          `Cannot run ${JSON.stringify(r)} under Seatbelt: the profile lets R start only ` +
            `programs inside R's home ${JSON.stringify(policy.rHome)}`,
        );
      }
      const profilePath = join(policy.sessionDir, SEATBELT_PROFILE_FILE);
      const content = seatbeltProfile(policy);
      const memory = policy.limits.memory;
      if (memory !== undefined && !(Number.isFinite(memory) && memory > 0)) {
        throw new RangeError(
          `Cannot apply limit 'memory': expected a positive number, got ${String(memory)}`,
        );
      }
      const env = memory === undefined
        ? command.env
        : { ...command.env, R_MAX_VSIZE: String(Math.ceil(memory)) };
      return {
        argv: [
          ...shLimitsPrefix(policy.limits, {
            shell: SEATBELT_LIMITS_SHELL,
            names: SEATBELT_LIMITS,
          }),
          SANDBOX_EXEC,
          "-f",
          profilePath,
          ...command.argv,
        ],
        env,
        files: [{ path: profilePath, content, mode: 0o600 }],
      };
    },
  };
}

/** The `seatbelt` backend for this host. */
export const seatbelt: Backend = makeSeatbeltBackend();
