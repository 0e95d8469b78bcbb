import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bwrapArgv, type HostLayout } from "../../backends/bwrap_args.ts";
import { procMasks } from "../../backends/host_layout.ts";

const layout: HostLayout = {
  bwrap: "/usr/bin/bwrap",
  rootLinks: [["/bin", "usr/bin"], ["/lib", "usr/lib"], ["/lib64", "usr/lib64"]],
  readOnly: ["/etc/alternatives", "/etc/ld.so.cache", "/usr/lib/x86_64-linux-gnu", "/usr/lib64"],
  programs: [["/usr/bin/dash", "/usr/bin/dash"], ["/usr/bin/env", "/usr/bin/env"], [
    "/usr/bin/prlimit",
    "/usr/bin/prlimit",
  ]],
  programLinks: [["dash", "/usr/bin/sh"]],
  env: "/usr/bin/env",
  prlimit: "/usr/bin/prlimit",
  seccomp: "x64",
  dropTo: null,
};
const command = {
  argv: [
    "/usr/lib/R/bin/exec/R",
    "--no-echo",
    "--file=/tmp/securer-X/boot.R",
    "--args",
    "/tmp/securer-X",
  ],
  env: {
    R_HOME: "/usr/lib/R",
    HOME: "/tmp/securer-X/tmp",
    TMPDIR: "/tmp/securer-X/tmp",
    LC_ALL: "C.UTF-8",
  },
};
const policy = {
  rHome: "/usr/lib/R",
  readPaths: ["/usr/share/R/share", "/usr/lib/R/site-library", "/etc/R"],
  sessionDir: "/tmp/securer-X",
  tmpDir: "/tmp/securer-X/tmp",
  limits: { cpu: 60, fsize: 1024, nproc: 50 },
};

describe("bwrapArgv", () => {
  it("matches the snapshot: namespaces, empty environment, read-only binds, private /tmp, limits inside", () => {
    assert.deepEqual(bwrapArgv(layout, command, policy), [
      "/usr/bin/bwrap",
      // Namespaces and process isolation.
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
      // Nothing from bwrap's own environment; R's allowlist only, HOME/TMPDIR in /tmp.
      "--clearenv",
      "--seccomp",
      "3",
      "--setenv",
      "HOME",
      "/tmp",
      "--setenv",
      "LC_ALL",
      "C.UTF-8",
      "--setenv",
      "PATH",
      "/usr/bin:/bin",
      "--setenv",
      "R_HOME",
      "/usr/lib/R",
      "--setenv",
      "TMPDIR",
      "/tmp",
      // Merged /usr links, then read-only binds (nested paths folded into their parent).
      "--symlink",
      "usr/bin",
      "/bin",
      "--symlink",
      "usr/lib",
      "/lib",
      "--symlink",
      "usr/lib64",
      "/lib64",
      "--ro-bind-try",
      "/etc/R",
      "/etc/R",
      "--ro-bind-try",
      "/etc/alternatives",
      "/etc/alternatives",
      "--ro-bind-try",
      "/etc/ld.so.cache",
      "/etc/ld.so.cache",
      "--ro-bind-try",
      "/usr/lib/R",
      "/usr/lib/R",
      "--ro-bind-try",
      "/usr/lib/x86_64-linux-gnu",
      "/usr/lib/x86_64-linux-gnu",
      "--ro-bind-try",
      "/usr/lib64",
      "/usr/lib64",
      "--ro-bind-try",
      "/usr/share/R/share",
      "/usr/share/R/share",
      // The only programs besides R's own.
      "--ro-bind",
      "/usr/bin/dash",
      "/usr/bin/dash",
      "--ro-bind",
      "/usr/bin/env",
      "/usr/bin/env",
      "--ro-bind",
      "/usr/bin/prlimit",
      "/usr/bin/prlimit",
      "--symlink",
      "dash",
      "/usr/bin/sh",
      // Private /proc, /dev and a bounded /tmp; the session directory read-only; then the
      // root and /dev read-only too.
      "--proc",
      "/proc",
      "--dev",
      "/dev",
      "--size",
      "134217728",
      "--tmpfs",
      "/tmp",
      "--ro-bind",
      "/tmp/securer-X",
      "/tmp/securer-X",
      "--remount-ro",
      "/dev",
      "--remount-ro",
      "/",
      "--chdir",
      "/tmp",
      "--",
      // Limits applied to R inside the sandbox, SIGXFSZ ignored.
      "/usr/bin/env",
      "--ignore-signal=XFSZ",
      "/usr/bin/prlimit",
      "--cpu=60:61",
      "--fsize=1024:1024",
      "--nproc=50:50",
      "--",
      ...command.argv,
    ]);
  });
  it("drops to an unprivileged uid through setpriv when the host is root", () => {
    const argv = bwrapArgv(
      { ...layout, dropTo: { setpriv: "/usr/bin/setpriv", uid: 1500000001, gid: 1500000001 } },
      command,
      policy,
    );
    assert.deepEqual(argv.slice(0, 9), [
      "/usr/bin/setpriv",
      "--reuid=1500000001",
      "--regid=1500000001",
      "--clear-groups",
      "--inh-caps=-all",
      "--bounding-set=-all",
      "--no-new-privs",
      "--",
      "/usr/bin/bwrap",
    ]);
  });
  it("leaves out prlimit without limits, and seccomp where no filter can be built", () => {
    const argv = bwrapArgv({ ...layout, seccomp: null }, command, { ...policy, limits: {} });
    assert.ok(!argv.includes("--seccomp"));
    assert.ok(
      !argv.includes("/usr/bin/prlimit") ||
        argv.indexOf("/usr/bin/prlimit") < argv.indexOf("--proc"),
    );
    assert.deepEqual(argv.slice(argv.lastIndexOf("--") + 1), command.argv);
  });
  it("honours the tmp size and extra read paths options", () => {
    const argv = bwrapArgv(layout, command, policy, {
      tmpSize: 1 << 20,
      extraReadPaths: ["/opt/Rlib"],
    });
    assert.equal(argv[argv.indexOf("--size") + 1], "1048576");
    assert.ok(argv.join(" ").includes("--ro-bind-try /opt/Rlib /opt/Rlib"));
  });
});

describe("masking /proc", () => {
  it("covers host-describing files and directories right after mounting /proc", () => {
    const argv = bwrapArgv(
      { ...layout, procMasks: { files: ["/proc/cmdline"], dirs: ["/proc/acpi"] } },
      command,
      policy,
    );
    const at = argv.indexOf("--proc");
    assert.deepEqual(argv.slice(at, at + 10), [
      "--proc",
      "/proc",
      "--ro-bind",
      "/dev/null",
      "/proc/cmdline",
      "--tmpfs",
      "/proc/acpi",
      "--remount-ro",
      "/proc/acpi",
      "--dev",
    ]);
  });
  it("lists only what exists on this kernel", () => {
    const m = procMasks(new Set(["cmdline", "acpi", "self", "1"]));
    assert.deepEqual(m, { files: ["/proc/cmdline"], dirs: ["/proc/acpi"] });
  });
});
