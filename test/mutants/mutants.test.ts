/**
 * The mutants themselves, as pure argv edits: each removes its defence from the real
 * bubblewrap argv and nothing else, so a mutant the escape suites "catch" is the one named.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bwrapArgv, type HostLayout } from "../../backends/bwrap_args.ts";
import type { SandboxPolicy, WrappedCommand } from "../../src/sandbox/backend.ts";
import { mutantBackend, mutantNamed, MUTANTS } from "./mutants.ts";
import { formatSandboxArgv, parseSandboxArgv } from "./sandbox_argv.ts";

const layout: HostLayout = {
  bwrap: "/usr/bin/bwrap",
  rootLinks: [["/bin", "usr/bin"], ["/lib", "usr/lib"]],
  readOnly: ["/etc/ld.so.cache", "/usr/lib/x86_64-linux-gnu"],
  programs: [["/usr/bin/dash", "/usr/bin/dash"], ["/usr/bin/env", "/usr/bin/env"], [
    "/usr/bin/prlimit",
    "/usr/bin/prlimit",
  ]],
  programLinks: [["dash", "/usr/bin/sh"]],
  env: "/usr/bin/env",
  prlimit: "/usr/bin/prlimit",
  seccomp: "x64",
  procMasks: { files: ["/proc/kallsyms"], dirs: ["/proc/irq"] },
  dropTo: { setpriv: "/usr/bin/setpriv", uid: 1_500_000_123, gid: 1_500_000_123 },
};
const policy: SandboxPolicy = {
  rHome: "/usr/lib/R",
  readPaths: ["/usr/share/R/share"],
  sessionDir: "/tmp/securer-X",
  tmpDir: "/tmp/securer-X/tmp",
  limits: { memory: 512 * 1024 * 1024, fsize: 1024, nproc: 50 },
};
const R = ["/usr/lib/R/bin/exec/R", "--vanilla"];
const real: WrappedCommand = {
  argv: bwrapArgv(layout, { argv: R, env: { R_HOME: "/usr/lib/R" } }, policy),
  env: {},
  files: [{ path: "/tmp/securer-X/seccomp.bpf", content: new Uint8Array(8), mode: 0o400 }],
  fds: ["/tmp/securer-X/seccomp.bpf"],
  owner: { uid: 1_500_000_123, gid: 1_500_000_123 },
};

function mutate(name: string): WrappedCommand {
  const edit = mutantNamed(name).edit;
  if (edit === undefined) throw new Error(`${name} replaces the backend`);
  return edit(real, { layout, policy });
}

/** The tokens in `a` and not in `b`, and those in `b` and not in `a` (as multisets). */
function diff(a: readonly string[], b: readonly string[]): [string[], string[]] {
  const minus = (x: readonly string[], y: readonly string[]) => {
    const rest = [...y];
    return x.filter((t) => {
      const i = rest.indexOf(t);
      if (i < 0) return true;
      rest.splice(i, 1);
      return false;
    });
  };
  return [minus(a, b), minus(b, a)];
}

describe("the bubblewrap argv parser", () => {
  it("splits the real argv into prefix, options and command and joins it back", () => {
    const parts = parseSandboxArgv(real.argv, layout.bwrap);
    assert.equal(parts.prefix[0], "/usr/bin/setpriv");
    assert.deepEqual(parts.command.slice(-2), R);
    assert.deepEqual(formatSandboxArgv(parts), real.argv);
  });
  it("refuses a flag it does not know, so a new flag cannot be cut in half", () => {
    assert.throws(
      () => parseSandboxArgv(["/usr/bin/bwrap", "--new-flag", "x", "--", "R"], layout.bwrap),
      /unknown flag "--new-flag"/,
    );
  });
});

describe("each mutant removes its defence and nothing else", () => {
  const cases: Record<string, [removed: string[], added: string[]]> = {
    "no-new-session": [["--new-session"], []],
    "no-seccomp": [["--seccomp", "3"], []],
    "no-disable-userns": [["--disable-userns", "--cap-drop", "ALL"], []],
    "rw-root": [["--remount-ro", "/"], []],
    "rw-dev": [["--remount-ro", "/dev"], []],
    "no-netns": [["--unshare-net"], []],
    "no-pidns": [["--unshare-pid"], []],
    "no-ipcns": [["--unshare-ipc"], []],
    "no-utsns": [["--unshare-uts", "--hostname", "sandbox"], []],
    "host-env": [["--clearenv"], []],
    "host-tmp": [["--size", "134217728", "--tmpfs"], ["--bind", "/tmp"]],
    "no-limits": [[
      "/usr/bin/env",
      "--ignore-signal=XFSZ",
      "/usr/bin/prlimit",
      "--as=536870912:536870912",
      "--fsize=1024:1024",
      "--nproc=50:50",
      "--",
    ], []],
  };
  for (const [name, [removed, added]] of Object.entries(cases)) {
    it(name, () => {
      const [gone, extra] = diff(real.argv, mutate(name).argv);
      assert.deepEqual(gone.sort(), [...removed].sort());
      assert.deepEqual(extra.sort(), [...added].sort());
    });
  }
  it("no-seccomp also stops handing the filter over", () => {
    const m = mutate("no-seccomp");
    assert.equal(m.fds, undefined);
    assert.equal(m.files, undefined);
  });
  it("host-env starts bwrap with the host's environment", () => {
    assert.equal(mutate("host-env").env.PATH, process.env.PATH);
  });
  it("root-inside runs bwrap itself, without setpriv", () => {
    assert.equal(mutate("root-inside").argv[0], "/usr/bin/bwrap");
    assert.ok(mutate("root-with-caps").argv.every((t) => t !== "--cap-drop"));
  });
  it("rw-binds makes every bind writable but the /proc masks", () => {
    const argv = mutate("rw-binds").argv;
    assert.ok(!argv.includes("--ro-bind-try"));
    assert.deepEqual(argv.filter((t) => t === "--ro-bind").length, 1);
    assert.ok(argv.includes("/tmp/securer-X"));
  });
  it("host-root binds the host's / instead of the layout, keeping the session directory", () => {
    const argv = mutate("host-root").argv;
    assert.ok(!argv.includes("--symlink") && !argv.includes("--ro-bind-try"));
    assert.ok(!argv.includes("/usr/bin/dash"));
    const at = argv.indexOf("/");
    assert.deepEqual(argv.slice(at - 1, at + 2), ["--ro-bind", "/", "/"]);
    assert.ok(argv.includes("/tmp/securer-X") && argv.includes("/proc/kallsyms"));
  });
  it("all-programs binds the whole of /usr/bin instead of the allowlist", () => {
    const argv = mutate("all-programs").argv;
    assert.ok(!argv.includes("/usr/bin/dash") && !argv.includes("/usr/bin/sh"));
    assert.ok(argv.join(" ").includes("--ro-bind /usr/bin /usr/bin"));
  });
  it("no-proc-masks uncovers /proc and nothing else", () => {
    const [gone, extra] = diff(real.argv, mutate("no-proc-masks").argv);
    assert.deepEqual(extra, []);
    assert.ok(gone.includes("/proc/kallsyms") && gone.includes("/proc/irq"));
    assert.ok(gone.every((t) => /^(--ro-bind|--tmpfs|--remount-ro|\/dev\/null|\/proc\/)/.test(t)));
  });
  it("every mutant names a defence and the files that catch it, or why it is pending", () => {
    for (const m of MUTANTS) {
      assert.ok(m.defence.length > 0, m.name);
      assert.ok(m.pending !== undefined || m.catchers.length > 0, m.name);
      assert.ok(m.pending !== undefined || m.edit !== undefined || m.backend !== undefined);
    }
  });
});

describe("mutants that remove the pid namespace", () => {
  const skip = process.platform === "linux" ? false : "bubblewrap runs only on Linux";
  for (const name of ["no-pidns", "no-sandbox"]) {
    it(`${name} never tells R it has a pid namespace of its own (R would kill what it sees)`, {
      skip,
      timeout: 30_000,
    }, async () => {
      const probe = await mutantBackend(mutantNamed(name)).probe();
      if (!probe.ok) assert.fail(`bubblewrap cannot run here: ${probe.reason}`);
      assert.equal(probe.capabilities.ownPidNamespace, false);
    });
  }
  it(
    "a mutant that keeps it still says so, as the real backend does",
    { skip, timeout: 30_000 },
    async () => {
      const probe = await mutantBackend(mutantNamed("no-netns")).probe();
      if (!probe.ok) assert.fail(`bubblewrap cannot run here: ${probe.reason}`);
      assert.equal(probe.capabilities.ownPidNamespace, true);
    },
  );
});
