/**
 * The `bubblewrap` backend (Linux): R runs inside `bwrap` with new user, pid, network,
 * ipc, uts and cgroup namespaces and a filesystem built from read-only binds of only what
 * R needs.
 *
 * Isolates:
 * - the filesystem: R sees its own home and libraries, the system libraries, a few /etc
 *   files, a shell and four small utilities, all read-only; the user's home, /root, the
 *   project, other sessions and the rest of the host are absent. The only writable place
 *   is a private, size-bounded /tmp (128 MiB by default);
 * - the network: a new network namespace with only a loopback interface (no DNS, no TCP or
 *   UDP to the host, no abstract unix sockets shared with it);
 * - processes: a new pid namespace (host processes are invisible and cannot be signalled),
 *   `--new-session` (no terminal, so no TIOCSTI), `--die-with-parent`, all capabilities
 *   dropped, nested user namespaces disabled (`--disable-userns`), and a seccomp filter,
 *   so no `mount`, `unshare` or `ptrace`;
 * - the environment: bwrap is started with an empty environment and R gets only the
 *   allowlist (so `/proc/1/environ` and `/proc/self/environ` hold nothing secret);
 * - resource limits: `prlimit` inside the sandbox applies cpu, memory, file size, process
 *   count, open files and stack to R. When the host runs as root, the sandbox runs under an
 *   unprivileged uid (via `setpriv`), because the kernel exempts host root from the process
 *   limit even inside a user namespace.
 *
 * Does not isolate:
 * - programs R writes into /tmp itself can be executed (bwrap has no `noexec` tmpfs); they
 *   run with exactly R's isolation and limits;
 * - the programs that are runnable inside: R's own binaries, `sh` (for `system()`), and
 *   `which`, `rm`, `env` and `prlimit` (base R calls the first two; the last two apply the
 *   limits and can only lower them);
 * - CPU time and memory between the limits: a session can use up to its limits;
 * - kernel attack surface: a seccomp deny-list (`seccomp.ts`) refuses ptrace, mounts,
 *   bpf, io_uring, keyrings, module loading and other risky calls, but R can make every
 *   other system call, so a kernel bug reachable through those is not contained.
 *
 * Needs bubblewrap ≥ 0.8.0 (for `--disable-userns`) and unprivileged user namespaces.
 *
 * @module
 */
import * as fs from "node:fs";
import { join } from "node:path";
import type {
  Backend,
  Capabilities,
  LaunchCommand,
  ProbeResult,
  SandboxPolicy,
  WrappedCommand,
} from "../src/sandbox/backend.ts";
import { makePrivateDir, readTextFile, removeDir } from "../src/platform/files.ts";
import { isPermissionError, permissionFailure } from "../src/platform/permission_error.ts";
import {
  findExecutable,
  runProgram,
  runProgramWithFds,
  whichOnPath,
} from "../src/platform/process.ts";
import { type BubblewrapOptions, bwrapArgv, type HostLayout } from "./bwrap_args.ts";
import { LayoutError, procMasks, readHostLayout } from "./host_layout.ts";
import { seccompFilter } from "./seccomp.ts";

/** The bubblewrap backend, with the host layout its probe found. */
export interface BubblewrapBackend extends Backend {
  /** The host layout, once the probe has succeeded (for `doctor()` and tests). */
  layout(): HostLayout | null;
}

const CAPABILITIES: Capabilities = {
  filesystem: true,
  network: true,
  processes: true,
  env: true,
  limits: ["cpu", "memory", "fsize", "nproc", "nofile", "stack"],
  ownPidNamespace: true,
};

const MIN_VERSION = [0, 8, 0];

function versionAtLeast(v: number[], min: number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i];
  }
  return true;
}

function sysctl(name: string): string | null {
  return readTextFile(`/proc/sys/${name.replaceAll(".", "/")}`)?.trim() ?? null;
}

/** Explains a failed namespace test run, with the command that fixes it. */
export function diagnoseNamespaces(stderr: string): { reason: string; fix?: string } {
  const first = stderr.trim().split("\n")[0] || "no error text";
  if (
    !/namespace|uid map|gid map|Operation not permitted|Permission denied|setting up/i.test(stderr)
  ) {
    return { reason: `the sandbox test run failed: ${first}` };
  }
  const base = `bwrap cannot create its namespaces: ${first}`;
  try {
    return namespaceCause(base);
  } catch (e) {
    if (!isPermissionError(e)) throw e;
    return { reason: `${base} (the settings that would tell why cannot be read: ${e})` };
  }
}

/** Why namespaces fail, from the sysctls and container markers that explain it. */
function namespaceCause(base: string): { reason: string; fix?: string } {
  if (sysctl("kernel.unprivileged_userns_clone") === "0") {
    return {
      reason: `${base} (unprivileged user namespaces are disabled)`,
      fix: "sudo sysctl -w kernel.unprivileged_userns_clone=1",
    };
  }
  if (sysctl("user.max_user_namespaces") === "0") {
    return {
      reason: `${base} (user.max_user_namespaces is 0)`,
      fix: "sudo sysctl -w user.max_user_namespaces=15000",
    };
  }
  if (sysctl("kernel.apparmor_restrict_unprivileged_userns") === "1") {
    return {
      reason: `${base} (AppArmor restricts unprivileged user namespaces, as Ubuntu 23.10+ does)`,
      fix:
        "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (or install an AppArmor profile that allows bwrap to use user namespaces)",
    };
  }
  if (fs.existsSync("/.dockerenv") || fs.existsSync("/run/.containerenv")) {
    return {
      reason: `${base} (inside a container whose seccomp profile blocks namespaces)`,
      fix:
        "run the container with --security-opt seccomp=unconfined --security-opt apparmor=unconfined, or run securer outside it",
    };
  }
  return { reason: base };
}

/** Runs the probe's sandbox, handing it the seccomp filter on descriptor 3. */
async function runProbe(argv: string[], filter: Uint8Array | null, dir: string): Promise<void> {
  if (filter === null) {
    await runProgram(argv, { env: {}, timeoutMs: 10_000 });
    return;
  }
  const path = join(dir, "seccomp.bpf");
  fs.writeFileSync(path, filter, { mode: 0o400 });
  await runProgramWithFds(argv, [path], 10_000);
}

/** A random unprivileged uid (and gid) for running sandboxes when the host is root. */
function unprivilegedId(): number {
  const r = new Uint32Array(1);
  crypto.getRandomValues(r);
  return 1_500_000_000 + (r[0] % 100_000_000);
}

/**
 * The reaper's argv prefix when the host is PID 1 on Linux and `unshare` (util-linux) is
 * installed; otherwise `null`. See {@link HostLayout.reaper}.
 */
function pidOneReaper(): string[] | null {
  if (process.pid !== 1) return null;
  const unshare = findExecutable(["/usr/bin/unshare", "/bin/unshare"]);
  return unshare === null ? null : [unshare, "--pid", "--fork", "--kill-child", "--"];
}

/** Makes a bubblewrap backend. Its probe result and host layout are computed once. */
export function makeBubblewrap(options: BubblewrapOptions = {}): BubblewrapBackend {
  let layout: HostLayout | null = null;
  let probed: Promise<ProbeResult> | null = null;

  // A permission the runtime denies (Deno's --allow-sys, say) is reported as such, never as
  // a missing program.
  async function probeOnce(): Promise<ProbeResult> {
    try {
      return await probeHost();
    } catch (e) {
      if (!isPermissionError(e)) throw e;
      return { ok: false, ...permissionFailure(e, "the bubblewrap probe") };
    }
  }

  async function probeHost(): Promise<ProbeResult> {
    if (process.platform !== "linux") {
      return { ok: false, reason: `bubblewrap runs only on Linux, not ${process.platform}` };
    }
    const bwrap = whichOnPath("bwrap") ?? findExecutable(["/usr/bin/bwrap"]);
    if (bwrap === null) {
      return {
        ok: false,
        reason: "bwrap (bubblewrap) is not installed",
        fix: "sudo apt-get install bubblewrap (Fedora: sudo dnf install bubblewrap)",
      };
    }
    let version: number[] = [];
    try {
      const { stdout } = await runProgram([bwrap, "--version"], { env: {} });
      version = (/(\d+)\.(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number);
    } catch (e) {
      if (isPermissionError(e)) throw e;
      return { ok: false, reason: `\`${bwrap} --version\` failed: ${(e as Error).message}` };
    }
    if (!versionAtLeast(version, MIN_VERSION)) {
      return {
        ok: false,
        reason: `bubblewrap ${
          version.join(".") || "(unknown version)"
        } is too old: --disable-userns needs 0.8.0`,
        fix: "install bubblewrap 0.8.0 or later (Debian 12, Ubuntu 24.04 and Fedora 38 ship it)",
      };
    }
    let dropTo: HostLayout["dropTo"] = null;
    if (typeof process.getuid === "function" && process.getuid() === 0) {
      const setpriv = findExecutable(["/usr/bin/setpriv", "/bin/setpriv"]);
      if (setpriv === null) {
        return {
          ok: false,
          reason:
            "the host runs as root and setpriv (util-linux) is missing, so the sandbox cannot drop to an unprivileged uid",
          fix: "sudo apt-get install util-linux",
        };
      }
      const id = unprivilegedId();
      dropTo = { setpriv, uid: id, gid: id };
    }
    let candidate: HostLayout;
    try {
      candidate = readHostLayout(bwrap, dropTo);
    } catch (e) {
      if (isPermissionError(e)) throw e;
      return { ok: false, reason: e instanceof LayoutError ? e.message : String(e) };
    }
    // Listed by `ls`, not read by the runtime: Deno refuses /proc to all but --allow-all.
    const ls = findExecutable(["/usr/bin/ls", "/bin/ls"]);
    if (ls === null) return { ok: false, reason: "Cannot list /proc: no ls in /usr/bin or /bin" };
    const { stdout: proc } = await runProgram([ls, "-1", "/proc"], { env: {} });
    candidate = { ...candidate, procMasks: procMasks(new Set(proc.split("\n"))) };
    // A real run of the sandbox, with every bind and the limits, running `env --version`.
    const dir = await makePrivateDir("securer-probe-");
    try {
      if (dropTo) fs.chownSync(dir, dropTo.uid, dropTo.gid);
      const probeRun = (layout: HostLayout) =>
        runProbe(
          bwrapArgv(layout, { argv: [layout.env, "--version"], env: {} }, {
            rHome: join(dir, "none"),
            readPaths: [],
            sessionDir: dir,
            tmpDir: "/tmp",
            limits: { nproc: 64, fsize: 1024 },
          }, options),
          layout.seccomp === null ? null : seccompFilter(layout.seccomp),
          dir,
        );
      const reaper = pidOneReaper();
      // Kept only if it runs here: unshare(CLONE_NEWPID) needs privileges a container may
      // lack, and then the sandbox runs without it (`doctor` says so).
      const reaped = reaper === null ? null : { ...candidate, reaper };
      if (reaped !== null && await probeRun(reaped).then(() => true, () => false)) {
        candidate = reaped;
      } else await probeRun(candidate);
    } catch (e) {
      if (isPermissionError(e)) throw e;
      return { ok: false, ...diagnoseNamespaces(String((e as { stderr?: string }).stderr ?? e)) };
    } finally {
      await removeDir(dir);
    }
    layout = candidate;
    return { ok: true, capabilities: CAPABILITIES };
  }

  return {
    name: "bubblewrap",
    probe() {
      probed ??= probeOnce();
      return probed;
    },
    wrap(command: LaunchCommand, policy: SandboxPolicy): WrappedCommand {
      if (layout === null) {
        throw new Error("the bubblewrap backend was used before its probe succeeded");
      }
      const filter = layout.seccomp === null ? null : join(policy.sessionDir, "seccomp.bpf");
      // As root, each sandbox gets a uid of its own: what the kernel counts per uid (some
      // quotas, file ownership) is never shared between sessions.
      const id = layout.dropTo ? unprivilegedId() : 0;
      const own = layout.dropTo
        ? { ...layout, dropTo: { ...layout.dropTo, uid: id, gid: id } }
        : layout;
      return {
        argv: bwrapArgv(own, command, policy, options),
        env: {},
        ...(filter === null ? {} : {
          files: [{ path: filter, content: seccompFilter(layout.seccomp!), mode: 0o400 }],
          fds: [filter],
        }),
        ...(own.dropTo ? { owner: { uid: own.dropTo.uid, gid: own.dropTo.gid } } : {}),
      };
    },
    layout: () => layout,
  };
}
