/**
 * The bubblewrap command line, as a pure function of the host layout, the R command and
 * the policy. Snapshot-tested; no I/O.
 *
 * Order matters to bwrap: namespaces and process flags first, then the environment, then
 * the filesystem from the root down (the private /tmp before the session directory bound
 * inside it), then the read-only remounts, then the command.
 *
 * @module
 */
import type { LaunchCommand, SandboxPolicy } from "../src/sandbox/backend.ts";
import { prlimitArgs } from "../src/sandbox/limits.ts";

/** What the host looks like, as the bubblewrap probe found it. */
export interface HostLayout {
  /** Absolute path of `bwrap`. */
  readonly bwrap: string;
  /** Top-level symlinks to recreate (merged /usr): `[link, target]`, e.g. `["/lib", "usr/lib"]`. */
  readonly rootLinks: readonly (readonly [string, string])[];
  /** Directories (or files) bound read-only at the same path: libraries, /etc pieces, data. */
  readonly readOnly: readonly string[];
  /** Programs made runnable inside: `[host path, path inside]`. */
  readonly programs: readonly (readonly [string, string])[];
  /** Symlinks to create inside for the programs, e.g. `["dash", "/usr/bin/sh"]`. */
  readonly programLinks: readonly (readonly [string, string])[];
  /** `env` inside the sandbox (it starts R with exactly the environment given). */
  readonly env: string;
  /** `prlimit` inside the sandbox (it applies the limits to R only). */
  readonly prlimit: string;
  /** The seccomp filter's architecture, or `null` when none can be built here. */
  readonly seccomp: "x64" | "arm64" | null;
  /**
   * Parts of the sandbox's own /proc that still describe the host, masked: files under
   * /proc covered by an unreadable node, directories by an empty read-only tmpfs. Only those
   * that exist on this kernel (a mount point must exist). @default none
   */
  readonly procMasks?: { readonly files: readonly string[]; readonly dirs: readonly string[] };
  /** When the host runs as root: `setpriv` and the unprivileged uid/gid to run as. */
  readonly dropTo: { readonly setpriv: string; readonly uid: number; readonly gid: number } | null;
  /**
   * When the host is PID 1 (a container without an init): the argv prefix of a reaper, a
   * pid namespace of its own around bubblewrap (`unshare --pid --fork --kill-child`). Without
   * it, the sandbox's init outlives bubblewrap for an instant at every exit, is reparented to
   * the host, and stays a zombie: no runtime lets a host reap a process it did not start.
   * @default none
   */
  readonly reaper?: readonly string[];
}

/** Options of the bubblewrap backend. */
export interface BubblewrapOptions {
  /** Size of the private /tmp (a tmpfs), in bytes. @default 134217728 (128 MiB) */
  readonly tmpSize?: number;
  /** Extra host paths to bind read-only (for R libraries in unusual places). @default [] */
  readonly extraReadPaths?: readonly string[];
}

/** The default size of the sandbox's private /tmp. */
export const DEFAULT_TMP_SIZE: number = 128 * 1024 * 1024;

const SANDBOX_PATH = "/usr/bin:/bin";

function dedupe(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  // A path inside another bound path is already there.
  return sorted.filter((p, i) => !sorted.slice(0, i).some((q) => p.startsWith(`${q}/`)));
}

/**
 * The argv (starting with setpriv or bwrap) that runs `command` in the sandbox.
 *
 * Inside, R sees: R's home and library paths, the system libraries, /etc/ld.so.cache and
 * /etc/alternatives, the fonts and fontconfig's files (for plots), a shell and
 * `which`/`rm`/`env`/`prlimit`, a private /proc and /dev, a private size-bounded /tmp (its
 * HOME and TMPDIR), and the session directory read-only (its FIFOs stay writable: a FIFO is
 * not written through the filesystem). Everything else, including the root, is read-only.
 */
export function bwrapArgv(
  layout: HostLayout,
  command: LaunchCommand,
  policy: SandboxPolicy,
  options: BubblewrapOptions = {},
): string[] {
  const env: Record<string, string> = {
    ...command.env,
    HOME: "/tmp",
    TMPDIR: "/tmp",
    PATH: SANDBOX_PATH,
  };
  const args: string[] = [];
  const push = (...xs: string[]) => args.push(...xs);

  push(
    "--unshare-user",
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-net",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--disable-userns",
    "--hostname",
    "sandbox",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--clearenv",
  );
  // The filter arrives on descriptor 3 (see `WrappedCommand.fds`).
  if (layout.seccomp !== null) push("--seccomp", "3");
  for (const [k, v] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    push("--setenv", k, v);
  }
  for (const [link, target] of layout.rootLinks) push("--symlink", target, link);
  const readOnly = dedupe([
    policy.rHome,
    ...policy.readPaths,
    ...layout.readOnly,
    ...(options.extraReadPaths ?? []),
  ]);
  for (const path of readOnly) push("--ro-bind-try", path, path);
  for (const [host, inside] of layout.programs) push("--ro-bind", host, inside);
  for (const [target, link] of layout.programLinks) push("--symlink", target, link);
  push("--proc", "/proc");
  for (const file of layout.procMasks?.files ?? []) push("--ro-bind", "/dev/null", file);
  for (const dir of layout.procMasks?.dirs ?? []) push("--tmpfs", dir, "--remount-ro", dir);
  push(
    "--dev",
    "/dev",
    "--size",
    String(Math.floor(options.tmpSize ?? DEFAULT_TMP_SIZE)),
    "--tmpfs",
    "/tmp",
    "--ro-bind",
    policy.sessionDir,
    policy.sessionDir,
    "--remount-ro",
    "/dev",
    "--remount-ro",
    "/",
    "--chdir",
    "/tmp",
    "--",
  );
  const limits = prlimitArgs(policy.limits);
  if (limits.length > 0) {
    if (policy.limits.fsize !== undefined) push(layout.env, "--ignore-signal=XFSZ");
    push(layout.prlimit, ...limits, "--");
  }
  push(...command.argv);

  const drop = layout.dropTo;
  const prefix = drop === null ? [layout.bwrap] : [
    drop.setpriv,
    `--reuid=${drop.uid}`,
    `--regid=${drop.gid}`,
    "--clear-groups",
    "--inh-caps=-all",
    "--bounding-set=-all",
    "--no-new-privs",
    "--",
    layout.bwrap,
  ];
  return [...(layout.reaper ?? []), ...prefix, ...args];
}
