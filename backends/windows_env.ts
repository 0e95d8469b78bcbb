/**
 * The `windows-env` backend (Windows): a scrubbed environment and Job Object limits. It is
 * **not a sandbox**: it restricts neither the filesystem nor the network, and says so in a
 * warning the first time it is used (once per backend object, so once per process for the
 * built-in {@linkcode windowsEnv}).
 *
 * **Not run on Windows.** It was written and tested on Linux, where only its output (argv,
 * env and the launcher script) can be checked; the launcher's C# and PowerShell have never
 * been compiled or run. **Known gap:** the core's channel to R is two FIFOs, which Windows
 * does not have; on Windows it has to be the process's pipes with nonce-framed lines, and
 * the core does not implement that yet, so this backend cannot host a session today.
 *
 * How it runs R: `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File
 * <session>\launch_r.ps1`. The launcher script (`windows_launcher_script.ts`, written
 * through `files`) holds R's argv as data (single-quoted PowerShell strings, so nothing in
 * it is parsed as code or as PowerShell parameters), compiles a small C# helper with
 * `Add-Type`, removes every environment variable that the host did not put in `env`
 * (PowerShell adds some of its own), creates a Job Object, starts R suspended with the
 * launcher's stdio, assigns R to the job, resumes it, waits, and exits with R's exit code.
 * If any step fails it prints why and exits 125 without ever letting R run outside the
 * job. R code never travels in argv.
 *
 * Isolates:
 * - the environment: R gets only the host's allowlist; HOME, USERPROFILE, R_USER, TMP,
 *   TEMP, TMPDIR, APPDATA and LOCALAPPDATA all point at the session's private temp dir,
 *   HOMEDRIVE/HOMEPATH are dropped and R_LIBS_USER is empty;
 * - resource limits through the Job Object: `cpu` (PerProcessUserTimeLimit: user-mode CPU
 *   time per process, in 100 ns units), `memory` (ProcessMemoryLimit: committed memory per
 *   process, so a large allocation is an R error) and `nproc` (ActiveProcessLimit: R and
 *   everything it starts). The job is KILL_ON_JOB_CLOSE: when the launcher exits or is
 *   killed, R and its children die with it. DIE_ON_UNHANDLED_EXCEPTION keeps a crash from
 *   waiting on an error dialog.
 *
 * Does not isolate:
 * - the filesystem: R code can read and write every file the host user can;
 * - the network: R code can open any connection the host user can;
 * - other processes: R code can see and signal the host user's processes and start
 *   programs (within `nproc`);
 * - `fsize`, `nofile` and `stack`: Job Objects have no such limits; they are not applied
 *   and not in `capabilities.limits`.
 *
 * @module
 */
import { win32 } from "node:path";
import type {
  Backend,
  Capabilities,
  LaunchCommand,
  ProbeResult,
  SandboxPolicy,
  WrappedCommand,
} from "../src/sandbox/backend.ts";
import { findExecutable } from "../src/platform/process.ts";
import { windowsLauncherScript } from "./windows_launcher_script.ts";

/** What the `windows-env` backend isolates: the environment, and three limits. */
export const WINDOWS_ENV_CAPABILITIES: Capabilities = Object.freeze({
  filesystem: false,
  network: false,
  processes: false,
  env: true,
  limits: Object.freeze(["cpu", "memory", "nproc"] as const),
});

/** The warning printed the first time a `windows-env` backend is used. */
export const WINDOWS_ENV_WARNING: string =
  "securer: the windows-env backend restricts neither the filesystem nor the network: R code " +
  "can read and write every file and reach every host the current user can. It only scrubs " +
  "the environment and applies Job Object limits (cpu, memory, nproc).";

/** The name of the launcher script the backend writes into the session directory. */
export const WINDOWS_LAUNCHER_FILE: string = "launch_r.ps1";

/** Variables that point at the session's private temp dir instead of the user's. */
const PRIVATE_DIR_VARS = [
  "HOME",
  "USERPROFILE",
  "R_USER",
  "TMP",
  "TEMP",
  "TMPDIR",
  "APPDATA",
  "LOCALAPPDATA",
];

/** Variables that would point R back at the user's profile. */
const DROPPED_VARS = ["HOMEDRIVE", "HOMEPATH"];

/** Options for {@linkcode makeWindowsEnvBackend}, for tests and unusual hosts. */
export interface WindowsEnvBackendOptions {
  /**
   * The platform to probe for.
   * @default process.platform
   */
  readonly platform?: string;
  /**
   * The Windows directory (PowerShell is found under it; it is also passed to R as
   * `SystemRoot`, which Windows components need, when the environment lacks it).
   * @default "C:\\Windows"
   */
  readonly systemRoot?: string;
  /**
   * Whether a path is an executable file.
   * @default the runtime's check (`findExecutable`)
   */
  readonly isExecutable?: (path: string) => boolean;
  /**
   * Where the once-per-backend warning goes.
   * @default console.warn
   */
  readonly warn?: (message: string) => void;
}

/** R's environment: the host's allowlist with the profile variables pointed at `tmpDir`. */
function scrubbedEnv(
  env: Readonly<Record<string, string>>,
  tmpDir: string,
  systemRoot: string,
): Record<string, string> {
  const replaced = new Set([...PRIVATE_DIR_VARS, ...DROPPED_VARS, "R_LIBS_USER"]);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!replaced.has(name.toUpperCase())) out[name] = value;
  }
  for (const name of PRIVATE_DIR_VARS) out[name] = tmpDir;
  out.R_LIBS_USER = "";
  if (!Object.keys(out).some((n) => n.toUpperCase() === "SYSTEMROOT")) {
    out.SystemRoot = systemRoot;
  }
  return out;
}

/**
 * Makes a `windows-env` backend. The warning state lives in the returned object: each
 * backend warns once, the first time it probes successfully or wraps a command.
 *
 * @example
 * ```ts
 * import { makeWindowsEnvBackend } from "./windows_env.ts";
 * const probe = await makeWindowsEnvBackend({ platform: "linux" }).probe();
 * // { ok: false, reason: "not Windows (this is linux)", fix: "..." }
 * ```
 */
export function makeWindowsEnvBackend(options: WindowsEnvBackendOptions = {}): Backend {
  const platform = options.platform ?? process.platform;
  const systemRoot = options.systemRoot ?? "C:\\Windows";
  const powershell = win32.join(
    systemRoot,
    "System32",
    "WindowsPowerShell",
    "v1.0",
    "powershell.exe",
  );
  const isExecutable = options.isExecutable ??
    ((path: string) => findExecutable([path]) !== null);
  const warn = options.warn ?? ((message: string) => console.warn(message));
  let warned = false;
  const warnOnce = () => {
    if (warned) return;
    warned = true;
    warn(WINDOWS_ENV_WARNING);
  };
  return {
    name: "windows-env",
    probe(): Promise<ProbeResult> {
      if (platform !== "win32") {
        return Promise.resolve({
          ok: false,
          reason: `not Windows (this is ${platform})`,
          fix: "windows-env exists only on Windows; use the backend for this platform.",
        });
      }
      if (!isExecutable(powershell)) {
        return Promise.resolve({
          ok: false,
          reason: `Windows PowerShell not found at ${powershell}`,
          fix: "It ships with Windows; if Windows is not in C:\\Windows, pass `systemRoot`.",
        });
      }
      warnOnce();
      return Promise.resolve({ ok: true, capabilities: WINDOWS_ENV_CAPABILITIES });
    },
    wrap(command: LaunchCommand, policy: SandboxPolicy): WrappedCommand {
      const env = scrubbedEnv(command.env, policy.tmpDir, systemRoot);
      const script = win32.join(policy.sessionDir, WINDOWS_LAUNCHER_FILE);
      const content = windowsLauncherScript(command.argv, policy.limits, Object.keys(env));
      warnOnce();
      return {
        argv: [
          powershell,
          "-NoProfile",
          "-NonInteractive",
          "-ExecutionPolicy",
          "Bypass",
          "-File",
          script,
        ],
        env,
        files: [{ path: script, content, mode: 0o600 }],
      };
    },
  };
}

/** The `windows-env` backend for this host (warns once per process when used). */
export const windowsEnv: Backend = makeWindowsEnvBackend();
