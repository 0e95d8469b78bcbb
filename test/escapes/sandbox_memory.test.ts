/**
 * Attack: resources the per-process limits do not see, from inside R under the default
 * limits (memory 512 MiB, cpu, nproc): 768 MiB of SysV shared memory, 768 MiB of memfds, a
 * tmpfs file plus memfds plus shared memory together, 720 000 symlinks in /tmp (kernel
 * slab), background processes burning CPU under `cpu: 1` (each stopped by RLIMIT_CPU only
 * at its own second), and a fork bomb with the host running as root.
 *
 * Defence: a cgroup per session (v2, or v1 as on CI), made under the host's own cgroup
 * before R starts and joined by the whole sandbox after the handshake: memory counts shared
 * memory, memfds, tmpfs pages and kernel memory, so an attack is killed (or refused) at the
 * limit; pids counts every task; the session watches the cgroup's CPU time and ends the
 * sandbox (SIGXCPU to R, as RLIMIT_CPU would) once it passes `cpu` seconds. Where no cgroup
 * is usable, the limits hold per process only: the positive control shows the same attacks
 * getting past the memory limit then, run by a host as `nobody`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { ChildCrashedError, DEFAULT_LIMITS, RExecutionError } from "../../mod.ts";
import { cgroupDir, parseCgroupMounts, parseProcCgroup } from "../../src/sandbox/cgroup.ts";
import { probeCgroups } from "../../src/platform/cgroup_probe.ts";
import { findExecutable } from "../../src/platform/process.ts";
import { SANDBOX } from "../_backends.ts";
import { conformance } from "../_conformance.ts";
import { MiB } from "../_helpers.ts";
import { attackSession, noCompiler, runAttack } from "./_attack.ts";
import {
  BURNERS,
  CONTROL_CPU,
  CPU_ATTACK,
  heldBy,
  MEMORY_ATTACK,
  MEMORY_ATTACKS,
  TARGET_LINKS,
  TARGET_MIB,
} from "./_memory_attacks.ts";

const LIMIT = DEFAULT_LIMITS.memory!;
const support = probeCgroups();
const noCgroup = (resource: "memory" | "pids" | "cpu") =>
  support.bases[resource] !== undefined
    ? false
    : `no ${resource} cgroup is usable here (mode ${support.mode}: ${support.reasons.join("; ")})`;

/** The directory of `pid`'s cgroup that holds `controller` (v1), or its v2 cgroup. */
function cgroupOf(pid: number, controller: string): string {
  const entries = parseProcCgroup(fs.readFileSync(`/proc/${pid}/cgroup`, "utf8"));
  const mounts = parseCgroupMounts(fs.readFileSync("/proc/self/mountinfo", "utf8"));
  const v1 = support.mode === "v1";
  const entry = entries.find((e) => v1 ? e.controllers.includes(controller) : e.id === 0);
  const mount = mounts.find((m) =>
    v1 ? m.version === 1 && m.controllers.includes(controller) : m.version === 2
  );
  const dir = entry && mount ? cgroupDir(mount, entry.path) : null;
  assert.ok(
    dir !== null && /\/securer-\d+-\d+-[0-9a-f]+$/.test(dir),
    `not a session cgroup: ${dir}`,
  );
  return dir;
}

/** Reads a figure of a cgroup every 25 ms, keeping the highest, until stopped or removed. */
function watchFigure(path: string, parse: (text: string) => number): { stop(): number } {
  let highest = 0;
  const look = () => {
    try {
      highest = Math.max(highest, parse(fs.readFileSync(path, "utf8")));
    } catch {
      clearInterval(timer); // The cgroup is gone with its sandbox.
    }
  };
  const timer = setInterval(look, 25);
  look();
  return {
    stop() {
      look();
      clearInterval(timer);
      return highest;
    },
  };
}

const keyed = (key: string) => (text: string) =>
  Number((new RegExp(`^${key} (\\d+)$`, "m").exec(text) ?? [])[1] ?? 0);

/** The peak-memory file of a session's memory cgroup. */
const peakFile = (dir: string) =>
  `${dir}/${support.mode === "v1" ? "memory.max_usage_in_bytes" : "memory.peak"}`;

const sandboxOnly = (b: { sandboxed: boolean }) =>
  noCompiler || (b.sandboxed ? false : "attacks on a sandbox (R outside one holds host memory)");

conformance("escape: memory outside the per-process limit", {
  needs: ["memory"],
  skip: sandboxOnly,
}, (ctx) => {
  for (const attack of MEMORY_ATTACKS) {
    it(`${attack.title} is stopped at the sandbox's memory limit`, {
      skip: noCgroup("memory"),
      timeout: 180_000,
    }, async (t) => {
      await using s = await attackSession(ctx.options(), { memory_attack: MEMORY_ATTACK });
      const peak = watchFigure(peakFile(cgroupOf(s.info().pid!, "memory")), Number);
      const outcome = await runAttack(s, "memory_attack", [attack.kind, String(attack.target)])
        .then((out) => ({ out }), (error: Error) => ({ error }));
      const peakBytes = peak.stop();
      const held = "out" in outcome ? heldBy(outcome.out) : null;
      t.diagnostic(
        `cgroup ${support.mode}: peak ${(peakBytes / MiB).toFixed(1)} MiB; attack held ${held} ${
          attack.kind === "symlinks" ? "links" : "MiB"
        }; ${"error" in outcome ? `${outcome.error.name}: ${outcome.error.message}` : "R lived"}`,
      );
      if ("out" in outcome) {
        // The attack itself was killed or refused at the limit, and R lived.
        assert.doesNotMatch(outcome.out, /ESCAPED/);
        assert.ok(held! < attack.target, outcome.out.slice(-500));
      } else if (outcome.error instanceof ChildCrashedError) {
        // The cgroup's counters name the cause: its OOM killer, not some other SIGKILL.
        assert.match(outcome.error.message, /the sandbox's memory limit \(\d+ bytes\) was reached/);
      } else {
        assert.ok(outcome.error instanceof RExecutionError, String(outcome.error));
        assert.match(outcome.error.message, /cannot allocate|memory/);
      }
      assert.ok(peakBytes > 0 && peakBytes <= LIMIT, `peak ${peakBytes} bytes`);
      assert.equal((await s.execute("1 + 1")).value, 2);
    });
  }
});

conformance("escape: CPU burned by background processes", {
  needs: ["cpu"],
  skip: sandboxOnly,
}, (ctx) => {
  it(`${BURNERS} burners under cpu: 1 are stopped at about 1 s for the whole sandbox`, {
    skip: noCgroup("cpu"),
    timeout: 120_000,
  }, async (t) => {
    await using s = await attackSession(ctx.options({ limits: { ...DEFAULT_LIMITS, cpu: 1 } }));
    const dir = cgroupOf(s.info().pid!, "cpuacct");
    const used = support.mode === "v1"
      ? watchFigure(`${dir}/cpuacct.usage`, (x) => Number(x) / 1e9)
      : watchFigure(`${dir}/cpu.stat`, (x) => keyed("usage_usec")(x) / 1e6);
    const error = await s.execute(CPU_ATTACK, { timeout: 60_000 }).then(() => null, (e) => e);
    const seconds = used.stop();
    t.diagnostic(`cgroup ${support.mode}: the sandbox used ${seconds.toFixed(2)} s of CPU`);
    assert.ok(error instanceof ChildCrashedError, `expected a crash, got ${error}`);
    assert.match(error.message, /CPU time limit \(1 s\)/);
    // Per process, each burner would have had its own second: BURNERS seconds in all.
    assert.ok(seconds < BURNERS * 0.75, `the sandbox used ${seconds} s of CPU`);
    assert.equal((await s.execute("1 + 1")).value, 2);
  });
});

conformance("escape: a fork bomb against the pids cgroup", {
  needs: ["nproc"],
  skip: sandboxOnly,
}, (ctx) => {
  it("is held by the pids cgroup with the host as root", {
    skip: noCgroup("pids") || (process.getuid?.() === 0 ? false : "the host is not root"),
    timeout: 120_000,
  }, async (t) => {
    await using s = await attackSession(ctx.options({ limits: { ...DEFAULT_LIMITS, nproc: 20 } }));
    const dir = cgroupOf(s.info().pid!, "pids");
    const tasks = watchFigure(`${dir}/pids.current`, Number);
    await s.execute('system("b(){ b|b& }; b", timeout = 4); 1', { timeout: 60_000 });
    const refused = keyed("max")(fs.readFileSync(`${dir}/pids.events`, "utf8"));
    const peak = tasks.stop();
    t.diagnostic(`cgroup ${support.mode}: at most ${peak} tasks; ${refused} forks refused`);
    assert.ok(peak <= 20, `tasks: ${peak}`);
    assert.ok(refused > 0, "the pids cgroup refused no fork");
    assert.equal((await s.execute("1 + 1")).value, 2);
  });
});

// --- the positive control: a host without a usable cgroup --------------------------------

const fixture = fileURLToPath(new URL("./fixtures/sandbox_memory_host.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/tsx/dist/esm/index.mjs", import.meta.url));
const setpriv = findExecutable(["/usr/bin/setpriv", "/bin/setpriv"]);
const asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
const controlSkip = SANDBOX.skip || noCompiler ||
  (process.getuid?.() !== 0
    ? "it runs a host as nobody, which needs root"
    : setpriv === null
    ? "setpriv is missing"
    : spawnSync(setpriv, [...asNobody, "test", "-r", fixture, "-a", "-r", tsx]).status !== 0
    ? "the checkout is not readable by an unprivileged user"
    : false);

describe("positive control: without a cgroup the same attacks pass the limits", {
  skip: controlSkip,
}, () => {
  it(`a host running as nobody (mode none) lets them past 512 MiB and ${CONTROL_CPU} s`, {
    timeout: 300_000,
  }, (t) => {
    const r = spawnSync(setpriv!, [...asNobody, "node", "--import", tsx, fixture], {
      encoding: "utf8",
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/tmp" },
      timeout: 280_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    t.diagnostic(JSON.stringify(report));
    assert.equal(report.mode, "none");
    assert.deepEqual(report.limitScope.sandbox, []);
    for (const attack of MEMORY_ATTACKS) {
      const held = report.held[attack.kind];
      assert.equal(held, attack.kind === "symlinks" ? TARGET_LINKS : TARGET_MIB, attack.kind);
    }
    // Each burner had its own CONTROL_CPU seconds.
    assert.ok(
      report.childCpuSeconds > BURNERS * CONTROL_CPU * 0.75,
      `child CPU: ${report.childCpuSeconds}`,
    );
  });
});
