/**
 * The sandbox backend contract (SPEC §7). A backend is plain TypeScript — a name, a probe
 * and a pure `wrap` — and never spawns anything itself: the core does.
 *
 * @module
 */
import type { Limits } from "./limits.ts";
import type { LimitScope } from "./cgroup.ts";

/** What a backend isolates. Callers can demand capabilities before running code. */
export interface Capabilities {
  /** Host files are hidden or read-only (only what R needs is visible). */
  readonly filesystem: boolean;
  /** The network is cut off. */
  readonly network: boolean;
  /** Host processes are invisible and cannot be signalled. */
  readonly processes: boolean;
  /** The host's environment variables are not visible. */
  readonly env: boolean;
  /** The resource limits the backend enforces. */
  readonly limits: readonly (keyof Limits)[];
  /**
   * R runs in a pid namespace of its own, in which every process besides R and its
   * ancestors was started by R's code: at the end of each execution R kills them all, so no
   * process outlives the execution that started it. @default false
   */
  readonly ownPidNamespace?: boolean;
  /**
   * R and what it starts are processes of this host, which a cgroup of the host can hold:
   * the core then puts each session in a cgroup of its own, so its limits hold for the
   * whole sandbox. A backend that runs R elsewhere (a VM, another machine) says `false`.
   * @default true
   */
  readonly hostProcesses?: boolean;
  /**
   * Which of a session's limits hold for the whole sandbox (a cgroup per session) and which
   * per process only. Backends leave it out: the core fills it in for a running session.
   */
  readonly limitScope?: LimitScope;
}

/** A probe's answer: usable with these capabilities, or not, with the reason and a fix. */
export type ProbeResult =
  | { readonly ok: true; readonly capabilities: Capabilities }
  | { readonly ok: false; readonly reason: string; readonly fix?: string };

/** The command the core wants to run: R with its arguments and environment. */
export interface LaunchCommand {
  /** `argv[0]` is the absolute path of the R executable. */
  readonly argv: readonly string[];
  /** The complete environment for R (an allowlist; nothing else from the host). */
  readonly env: Readonly<Record<string, string>>;
}

/** What the sandbox must allow, and the limits to apply. */
export interface SandboxPolicy {
  /** R's home directory (read-only). */
  readonly rHome: string;
  /** Other directories R must read: library paths, share and doc directories. */
  readonly readPaths: readonly string[];
  /** The session directory: the channel FIFOs and R's temp dir (read-write). */
  readonly sessionDir: string;
  /** R's HOME and TMPDIR, inside the session directory. */
  readonly tmpDir: string;
  /** Resource limits to enforce (may be empty). */
  readonly limits: Limits;
}

/** A file the core writes into the session directory before spawning. */
export interface BackendFile {
  /** Absolute path, inside the session directory. */
  readonly path: string;
  /** The contents. */
  readonly content: string | Uint8Array;
  /** File mode. @default 0o600 */
  readonly mode?: number;
}

/** The wrapped command: what the core actually spawns. */
export interface WrappedCommand {
  /** The full argv (`argv[0]` absolute). Never a shell string. */
  readonly argv: readonly string[];
  /** The environment of the spawned process (the sandbox tool's, not R's). */
  readonly env: Readonly<Record<string, string>>;
  /** Files to write before spawning (e.g. a profile). */
  readonly files?: readonly BackendFile[];
  /**
   * When the sandbox runs under another uid (e.g. root dropping privileges), the owner the
   * session directory and its files must be given so R can use them.
   */
  readonly owner?: { readonly uid: number; readonly gid: number };
  /**
   * Files (usually among `files`) to open read-only and hand to the process as file
   * descriptors 3, 4, ... in this order, e.g. a seccomp filter for `bwrap --seccomp 3`.
   */
  readonly fds?: readonly string[];
}

/** A sandbox backend. */
export interface Backend {
  /** Its name, e.g. `"bubblewrap"`. */
  readonly name: string;
  /** Checks whether it works here. Called once per process by the selector. */
  probe(): Promise<ProbeResult>;
  /** Builds the command that runs `command` inside the sandbox. Pure: no I/O. */
  wrap(command: LaunchCommand, policy: SandboxPolicy): WrappedCommand;
}

/** Is `x` shaped like a {@linkcode Backend}? */
export function isBackend(x: unknown): x is Backend {
  const b = x as Backend;
  return typeof x === "object" && x !== null && typeof b.name === "string" &&
    typeof b.probe === "function" && typeof b.wrap === "function";
}
