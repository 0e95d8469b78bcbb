/**
 * The mutants: the bubblewrap sandbox with one defence removed each, as test-only backends.
 * Production code has no knob for this: each mutant is a backend (the contract allows
 * custom ones) whose `wrap()` calls the real bubblewrap backend's pure `wrap()` and edits
 * the argv it returns.
 *
 * `SECURER_MUTANT=<name>` makes `test/_backends.ts` run the conformance suites against that
 * mutant instead of the real backends; `scripts/mutants.ts` (`deno task mutants`) runs each
 * mutant's `catchers` and asserts that at least one test fails under every mutant.
 *
 * A mutant's probe is the real backend's, and it claims the real backend's capabilities:
 * the escape suites must notice the missing defence themselves.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { type BubblewrapBackend, makeBubblewrap } from "../../backends/bubblewrap.ts";
import type { HostLayout } from "../../backends/bwrap_args.ts";
import { unsandboxed } from "../../backends/unsandboxed.ts";
import type { Backend, SandboxPolicy, WrappedCommand } from "../../src/sandbox/backend.ts";
import {
  formatSandboxArgv,
  isGroup,
  parseSandboxArgv,
  type SandboxArgv,
  withoutOptions,
} from "./sandbox_argv.ts";

/** One defence removed. */
export interface Mutant {
  /** Its name, for `SECURER_MUTANT`. */
  readonly name: string;
  /** The defence it removes, as the README's "Attacks tested" names it. */
  readonly defence: string;
  /** The escape test files (under `test/escapes/`) that must catch it. */
  readonly catchers: readonly string[];
  /**
   * Escape files never to run against it (with `--all`): without this defence their attack
   * would really touch the host (files written as root in /etc, processes left running).
   * Attacks that would do real harm check their defence first instead (the fork bomb reads
   * its process limit and uid before it forks).
   */
  readonly unsafe?: readonly string[];
  /** Why it cannot be built here (e.g. it needs a root host), or `false`. */
  readonly unavailable?: () => string | false;
  /** A defence not built yet: the issue that adds it. The harness lists it as pending. */
  readonly pending?: string;
  /** Edits the real backend's wrapped command. */
  readonly edit?: (wrapped: WrappedCommand, at: MutationSite) => WrappedCommand;
  /** Replaces the whole backend (for "no sandbox" and "the probe fails"). */
  readonly backend?: (real: Backend) => Backend;
}

/** What a mutant's edit may look at: the host layout and the policy of this launch. */
export interface MutationSite {
  /** The layout the real backend's probe found. */
  readonly layout: HostLayout;
  /** The policy `wrap()` was called with. */
  readonly policy: SandboxPolicy;
}

/** Applies `f` to the bwrap parts of the argv. */
function editArgv(
  f: (a: SandboxArgv, at: MutationSite) => SandboxArgv,
): (w: WrappedCommand, at: MutationSite) => WrappedCommand {
  return (w, at) => ({
    ...w,
    argv: formatSandboxArgv(f(parseSandboxArgv(w.argv, at.layout.bwrap), at)),
  });
}

/** Drops the option groups that `drop` matches. */
const dropping = (drop: (g: readonly string[]) => boolean) =>
  editArgv((a) => ({ ...a, options: withoutOptions(a.options, drop) }));

const flag = (...names: string[]) => (g: readonly string[]) => names.includes(g[0]);

/** The command without its owner: the sandbox runs as the host's own uid (root). */
function withoutOwner(w: WrappedCommand): WrappedCommand {
  const { owner: _owner, ...rest } = w;
  return rest;
}

const notRoot = () =>
  process.getuid?.() === 0 ? false : "the host is not root, so the sandbox never drops from root";

/** Every mutant, in the order the harness runs them. */
export const MUTANTS: readonly Mutant[] = [
  {
    name: "no-new-session",
    defence: "a new session (`--new-session`): no controlling terminal",
    catchers: ["tiocsti.test.ts"],
    edit: dropping(flag("--new-session")),
  },
  {
    name: "no-seccomp",
    defence: "the seccomp filter",
    catchers: ["processes.test.ts", "socket_families.test.ts"],
    edit: (w, at) => {
      const { fds: _fds, files: _files, ...rest } = w;
      return dropping(flag("--seccomp"))(rest, at);
    },
  },
  {
    name: "no-disable-userns",
    defence: "no nested user namespaces (`--disable-userns`, with `--cap-drop ALL`)",
    catchers: ["namespaces.test.ts"],
    edit: dropping(flag("--disable-userns", "--cap-drop")),
  },
  {
    name: "root-inside",
    defence: "an unprivileged uid when the host is root (`setpriv`)",
    catchers: ["processes.test.ts", "fork_bomb.test.ts"],
    unavailable: notRoot,
    edit: (w, at) => editArgv((a) => ({ ...a, prefix: [] }))(withoutOwner(w), at),
  },
  {
    name: "root-with-caps",
    defence: "the capability drop (`--cap-drop ALL`) when bwrap runs as root",
    catchers: ["processes.test.ts", "namespaces.test.ts"],
    unavailable: notRoot,
    edit: (w, at) =>
      editArgv((a) => ({
        ...a,
        prefix: [],
        options: withoutOptions(a.options, flag("--cap-drop")),
      }))(withoutOwner(w), at),
  },
  {
    name: "no-limits",
    defence: "the resource limits (`prlimit` inside the sandbox)",
    catchers: ["memory_bomb.test.ts", "disk_fill.test.ts", "fork_bomb.test.ts"],
    edit: editArgv((a, { layout }) => {
      const start = a.command.indexOf(layout.prlimit);
      if (start < 0) return a;
      const end = a.command.indexOf("--", start);
      return { ...a, command: a.command.slice(end + 1) };
    }),
  },
  {
    name: "rw-root",
    defence: "the read-only root (`--remount-ro /`)",
    catchers: ["write_outside_tmp.test.ts"],
    edit: dropping((g) => isGroup(g, "--remount-ro", "/")),
  },
  {
    name: "rw-dev",
    defence: "the read-only /dev (`--remount-ro /dev`)",
    catchers: ["write_outside_tmp.test.ts"],
    edit: dropping((g) => isGroup(g, "--remount-ro", "/dev")),
  },
  {
    name: "rw-binds",
    defence: "read-only binds (`--ro-bind` of R, the libraries and the session directory)",
    catchers: ["write_outside_tmp.test.ts"],
    edit: editArgv((a) => ({
      ...a,
      options: a.options.map((g) =>
        g[0] === "--ro-bind-try"
          ? ["--bind-try", ...g.slice(1)]
          : g[0] === "--ro-bind" && g[1] !== "/dev/null"
          ? ["--bind", ...g.slice(1)]
          : g
      ),
    })),
  },
  {
    name: "host-tmp",
    defence: "the private, size-bounded /tmp (a tmpfs)",
    catchers: ["host_files.test.ts", "disk_fill.test.ts"],
    edit: editArgv((a) => {
      const options: (readonly string[])[] = [];
      for (const g of a.options) {
        if (!isGroup(g, "--tmpfs", "/tmp")) options.push(g);
        else {
          if (options.at(-1)?.[0] === "--size") options.pop();
          options.push(["--bind", "/tmp", "/tmp"]);
        }
      }
      return { ...a, options };
    }),
  },
  {
    name: "host-root",
    defence: "the minimal filesystem (only what R needs is bound)",
    catchers: ["host_files.test.ts", "binaries.test.ts"],
    edit: editArgv((a, { policy }) => {
      const isLayout = (g: readonly string[]) =>
        g[0] === "--symlink" || g[0] === "--ro-bind-try" ||
        (g[0] === "--ro-bind" && g[1] !== "/dev/null" && g[1] !== policy.sessionDir);
      const first = a.options.findIndex(isLayout);
      const options = a.options.filter((g) => !isLayout(g));
      options.splice(first, 0, ["--ro-bind", "/", "/"]);
      return { ...a, options };
    }),
  },
  {
    name: "all-programs",
    defence: "the program allowlist (only `sh`, `which`, `rm`, `env`, `prlimit`)",
    catchers: ["binaries.test.ts"],
    edit: editArgv((a, { layout }) => {
      const programs = new Set(layout.programs.map(([host]) => host));
      const first = a.options.findIndex((g) => g[0] === "--ro-bind" && programs.has(g[1]));
      const options = a.options.filter((g) =>
        !(g[0] === "--ro-bind" && programs.has(g[1])) &&
        !(g[0] === "--symlink" && g[2].startsWith("/usr/bin/"))
      );
      options.splice(first, 0, ["--ro-bind", "/usr/bin", "/usr/bin"]);
      return { ...a, options };
    }),
  },
  {
    name: "no-proc-masks",
    defence: "the masks over the host-describing parts of /proc",
    catchers: ["host_facts.test.ts"],
    edit: editArgv((a) => {
      const masked = new Set(
        a.options.filter((g) => isGroup(g, "--ro-bind", "/dev/null", g[2] ?? "")).map((g) => g[2]),
      );
      const dirs = new Set(
        a.options.filter((g) => g[0] === "--tmpfs" && g[1].startsWith("/proc/")).map((g) => g[1]),
      );
      return {
        ...a,
        options: a.options.filter((g) =>
          !(g[0] === "--ro-bind" && masked.has(g[2])) &&
          !((g[0] === "--tmpfs" || g[0] === "--remount-ro") && dirs.has(g[1]))
        ),
      };
    }),
  },
  {
    name: "no-netns",
    defence: "the network namespace",
    catchers: ["network.test.ts"],
    edit: dropping(flag("--unshare-net")),
  },
  {
    name: "no-pidns",
    defence: "the pid namespace",
    catchers: ["processes.test.ts", "environment.test.ts"],
    unsafe: ["process_ownership.test.ts"],
    edit: dropping(flag("--unshare-pid")),
  },
  {
    name: "no-ipcns",
    defence: "the IPC namespace",
    catchers: ["ipc.test.ts"],
    edit: dropping(flag("--unshare-ipc")),
  },
  {
    name: "no-utsns",
    defence: "the UTS namespace (the host's name)",
    catchers: ["host_files.test.ts"],
    edit: dropping(flag("--unshare-uts", "--hostname")),
  },
  {
    name: "host-env",
    defence: "the clean environment (bwrap started with none, `--clearenv`)",
    catchers: ["environment.test.ts"],
    edit: (w, at) =>
      dropping(flag("--clearenv"))({
        ...w,
        env: Object.fromEntries(
          Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
        ),
      }, at),
  },
  {
    name: "cgroup-limits",
    defence: "cgroup limits (memory, pids and CPU for the whole sandbox)",
    catchers: ["sandbox_memory.test.ts"],
    // The session cgroup is the core's, not the argv's: the backend says its processes are
    // not the host's (as a backend running R in a VM would), and the core makes none.
    backend: (real) => ({
      name: "bubblewrap-mutant-cgroup-limits",
      probe: async () => {
        const probe = await real.probe();
        return probe.ok
          ? { ok: true, capabilities: { ...probe.capabilities, hostProcesses: false } }
          : probe;
      },
      wrap: (command, policy) => real.wrap(command, policy),
    }),
  },
  {
    name: "no-sandbox",
    defence: "the sandbox itself (R run as a plain child)",
    catchers: ["host_files.test.ts", "network.test.ts", "processes.test.ts", "ipc.test.ts"],
    unsafe: ["write_outside_tmp.test.ts", "process_ownership.test.ts"],
    backend: (real) => ({
      name: "bubblewrap-mutant-no-sandbox",
      // Never `ownPidNamespace` here: R, unsandboxed, would kill every process it may.
      probe: async () => {
        const probe = await real.probe();
        return probe.ok
          ? { ok: true, capabilities: { ...probe.capabilities, ownPidNamespace: false } }
          : probe;
      },
      wrap: (command, policy) => unsandboxed.wrap(command, policy),
    }),
  },
  {
    name: "probe-fails",
    defence: "fail closed: a sandbox that cannot start fails the suite (CI=true)",
    catchers: ["binaries.test.ts"],
    backend: () => ({
      name: "bubblewrap-mutant-probe-fails",
      // A typo in a bwrap flag, as the real probe's test run would meet it.
      probe: () => {
        const r = spawnSync("bwrap", ["--new-sesion", "--", "true"], { encoding: "utf8" });
        return Promise.resolve({
          ok: false as const,
          reason: `the sandbox test run failed: ${r.stderr?.trim() || r.error}`,
        });
      },
      wrap: () => {
        throw new Error("the probe failed");
      },
    }),
  },
];

/** The mutant named `name`. @throws {Error} for an unknown name. */
export function mutantNamed(name: string): Mutant {
  const m = MUTANTS.find((x) => x.name === name);
  if (m === undefined) {
    throw new Error(
      `Unknown mutant "${name}" (SECURER_MUTANT); mutants: ${
        MUTANTS.map((x) => x.name).join(", ")
      }`,
    );
  }
  return m;
}

/**
 * The backend for `mutant`: a fresh bubblewrap backend (its own probe) whose wrapped
 * command the mutant edits.
 *
 * @throws {Error} for a pending mutant.
 */
export function mutantBackend(mutant: Mutant): Backend {
  const real = makeBubblewrap();
  if (mutant.backend) return mutant.backend(real);
  const edit = mutant.edit;
  if (edit === undefined) {
    throw new Error(`The mutant "${mutant.name}" is pending: ${mutant.pending}`);
  }
  let claimsPidNs = false;
  return {
    name: `bubblewrap-mutant-${mutant.name}`,
    probe: async () => {
      const probe = await real.probe();
      if (!probe.ok) return probe;
      // R kills every other process it sees when told it has a pid namespace of its own
      // (`ownPidNamespace`): never say so for a mutant without one, or R, unsandboxed,
      // would kill the host's processes.
      const keepsPidNs = dryRun(real, edit).includes("--unshare-pid");
      const ownPidNamespace = probe.capabilities.ownPidNamespace === true && keepsPidNs;
      claimsPidNs = ownPidNamespace;
      return { ok: true, capabilities: { ...probe.capabilities, ownPidNamespace } };
    },
    wrap(command, policy) {
      const layout = real.layout();
      if (layout === null) throw new Error("the mutant was used before its probe succeeded");
      const wrapped = edit(real.wrap(command, policy), { layout, policy });
      if (!wrapped.argv.includes("--unshare-pid") && claimsPidNs) {
        throw new Error("a mutant without a pid namespace must not claim ownPidNamespace");
      }
      return wrapped;
    },
  };
}

/** The mutant's argv for a dummy command (after the real probe succeeded). */
function dryRun(real: BubblewrapBackend, edit: NonNullable<Mutant["edit"]>): readonly string[] {
  const layout = real.layout();
  if (layout === null) throw new Error("the mutant was used before its probe succeeded");
  const policy: SandboxPolicy = {
    rHome: "/nonexistent",
    readPaths: [],
    sessionDir: "/nonexistent",
    tmpDir: "/nonexistent/tmp",
    limits: {},
  };
  return edit(real.wrap({ argv: ["/bin/true"], env: {} }, policy), { layout, policy }).argv;
}
