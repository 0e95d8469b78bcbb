/**
 * Attack: see or signal host processes — list /proc, kill a host process with R's
 * `tools::pskill()` and with a raw `kill()`, and `ptrace()` a process; and run with root's
 * uid or any capability.
 *
 * Defence: a new pid namespace (host processes do not exist inside: ESRCH), the seccomp
 * filter (`ptrace` fails with EPERM, even on the sandbox's own child), the sandbox running
 * under an unprivileged uid of its own when the host is root (`setpriv`), and no
 * capabilities (`--cap-drop ALL`, which matters when bwrap itself runs as root).
 *
 * Positive control: the target is a host process running as the sandbox's own uid, which
 * the same `kill` program, run on the host as that uid, does kill; and that program's
 * `ptrace` of its own child succeeds there.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import { after, before, it } from "node:test";
import { conformance } from "../_conformance.ts";
import { eventually, onlyOnLinux, processAlive, sleep, SLOW } from "../_helpers.ts";
import {
  asOwner,
  attackSession,
  noCompiler,
  onHost,
  type Owner,
  runAttack,
  sessionOwner,
} from "./_attack.ts";

const KILL = `int main(int argc, char **argv) {
  if (kill(atoi(argv[1]), SIGTERM) < 0) return blocked("kill");
  return escaped("signalled the process");
}`;
// PTRACE_SEIZE (no SIGSTOP), then detach: an escape leaves its target running.
// (The sandbox's pid 1 is bwrap: the test needs a bubblewrap-like backend, or it fails.)
const PTRACE = `static void seize(const char *what, pid_t pid) {
  if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0) { printf("PTRACE %s: %s\\n", what, strerrorname_np(errno)); return; }
  printf("PTRACE %s: attached\\n", what);
  ptrace(PTRACE_DETACH, pid, 0, 0);
}
int main(int argc, char **argv) {
  pid_t child = fork();
  if (child == 0) { pause(); _exit(0); }
  seize("own child", child);
  kill(child, SIGKILL); waitpid(child, 0, 0);
  // Only the sandbox's own init: never touch the host's (as with no sandbox at all).
  char comm[32] = "";
  FILE *f = fopen("/proc/1/comm", "r");
  if (f) { fgets(comm, sizeof comm, f); fclose(f); }
  if (strcmp(comm, "bwrap\\n") == 0) seize("pid 1", 1);
  else printf("PTRACE pid 1: not the sandbox's init\\n");
  if (argc > 1) seize("host process", atoi(argv[1]));
  return 0;
}`;
const STATUS = 'grep("^(Uid|CapEff|CapPrm|CapBnd):", readLines("/proc/self/status"), value = TRUE)';

/** A long-lived host process running as `owner` (the sandbox's uid): the target. */
function target(owner: Owner): ChildProcess {
  const argv = asOwner(owner, ["/bin/sleep", "300"]);
  return spawn(argv[0], argv.slice(1), { stdio: "ignore" });
}

conformance("escape: host processes", {
  needs: ["processes"],
  skip: noCompiler || onlyOnLinux("reads /proc"),
}, (ctx) => {
  const s = ctx.shared(() => attackSession(ctx.options(), { kill: KILL, ptrace: PTRACE }));
  let owner: Owner = null; // The session's own uid: the targets run as it.
  let victim: ChildProcess;
  before(async () => {
    owner = await sessionOwner(s());
    victim = target(owner);
    assert.ok(await eventually(() => processAlive(victim.pid!), 2_000), "the target runs");
  });
  after(() => {
    victim?.kill("SIGKILL");
  });

  it("sees only the sandbox's own processes", SLOW, async () => {
    assert.ok(fs.existsSync(`/proc/${victim.pid}`), "control: the host sees the target");
    const pids = (await s().execute('as.integer(list.files("/proc", pattern = "^[0-9]+$"))'))
      .value as number[];
    assert.ok(!pids.includes(victim.pid!), `sees the host's process ${victim.pid}`);
    assert.ok(pids.length <= 5, `sees ${pids.length} processes: ${pids}`);
    const comms = (await s().execute(
      'unlist(lapply(list.files("/proc", pattern = "^[0-9]+$", full.names = TRUE), function(d) paste(readLines(file.path(d, "comm"), warn = FALSE), collapse = "")))',
    )).value;
    assert.ok(![comms].flat().some((c) => /deno|node|bun|sleep/.test(String(c))), `${comms}`);
  });
  it("cannot kill() a host process of its own uid", SLOW, async () => {
    const other = target(owner);
    try {
      assert.ok(await eventually(() => processAlive(other.pid!), 2_000));
      assert.match(onHost(owner, "kill", KILL, [String(other.pid)]), /^ESCAPED/, "control");
      assert.ok(await eventually(() => !processAlive(other.pid!), 2_000), "control: it died");
    } finally {
      other.kill("SIGKILL");
    }
    assert.match(await runAttack(s(), "kill", [String(victim.pid)]), /^BLOCKED kill: ESRCH$/);
    await sleep(100);
    assert.ok(processAlive(victim.pid!), "the target lives");
  });
  it("cannot signal a host process with tools::pskill", SLOW, async () => {
    const r = await s().execute(`tools::pskill(${victim.pid}, tools::SIGTERM)`);
    assert.equal(r.value, false);
    await sleep(100);
    assert.ok(processAlive(victim.pid!), "the target lives");
  });
  it("cannot ptrace() anything, not even its own child", SLOW, async () => {
    assert.match(
      onHost(owner, "ptrace", PTRACE),
      /PTRACE own child: attached/,
      "control: without the filter a process may trace its own child",
    );
    const out = await runAttack(s(), "ptrace", [String(victim.pid)]);
    assert.deepEqual(out.split("\n"), [
      "PTRACE own child: EPERM",
      "PTRACE pid 1: EPERM",
      "PTRACE host process: EPERM",
    ]);
  });
  it("runs each session under a uid of its own when the host is root", {
    ...SLOW,
    skip: process.getuid?.() === 0 ? false : "the host is not root: sessions share its uid",
  }, async () => {
    const other = await attackSession(ctx.options());
    try {
      const [a, b] = [owner, await sessionOwner(other)];
      assert.ok(a !== null && b !== null, "both run under a uid other than the host's");
      assert.notEqual(a.uid, b.uid, "two sessions, two uids");
    } finally {
      await other.close();
    }
  });
  it("runs as an unprivileged uid with no capabilities at all", SLOW, async () => {
    const lines = (await s().execute(STATUS)).value as string[];
    const field = (name: string) =>
      lines.find((l) => l.startsWith(`${name}:`))?.split(/\s+/).slice(1) ?? [];
    assert.ok(!field("Uid").includes("0"), `Uid: ${field("Uid")}`);
    if (owner !== null) assert.equal(field("Uid")[0], String(owner.uid), "its own uid");
    for (const caps of ["CapEff", "CapPrm", "CapBnd"]) {
      assert.deepEqual(field(caps), ["0000000000000000"], caps);
    }
  });
});
