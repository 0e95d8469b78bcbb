/**
 * The cgroup seam on this machine: the probe (its mode, the bases under the host's own
 * cgroup, the reasons, the sweep of a dead host's cgroups, what Deno's permissions allow),
 * and a real session cgroup: limits written, a process tree moved in, counted, killed and
 * removed; and `doctor()`'s report of it. Needs a usable cgroup (root on a v1 host such as
 * CI, or a delegated v2 subtree); elsewhere the tests show as skipped with the probe's
 * reasons.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { parseProcCgroup, V1_CONTROLLER } from "../../src/sandbox/cgroup.ts";
import { createSessionCgroup, type SessionCgroup } from "../../src/platform/cgroup_fs.ts";
import { probeCgroups, probeCgroupsNow } from "../../src/platform/cgroup_probe.ts";
import { ownerTag, pidNamespace } from "../../src/platform/host_owner.ts";
import { doctor, formatDoctorReport } from "../../mod.ts";
import { eventually, noR, onlyOnLinux, processAlive } from "../_helpers.ts";

const support = probeCgroups();
const usable = onlyOnLinux("cgroups") ||
  (support.mode === "none" ? `no cgroup is usable here: ${support.reasons.join("; ")}` : false);

/** Starts `sh -c script` and waits until it has `children` children. */
async function shellTree(script: string, children: number): Promise<ChildProcess> {
  const sh = spawn("/bin/sh", ["-c", script], { stdio: "ignore" });
  const kids = () =>
    fs.readdirSync("/proc").filter((e) => {
      if (!/^\d+$/.test(e)) return false;
      try {
        const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === sh.pid;
      } catch {
        return false;
      }
    }).length;
  assert.ok(await eventually(() => kids() >= children), "the shell did not start its children");
  return sh;
}

async function withCgroup(
  limits: Parameters<typeof createSessionCgroup>[2],
  body: (cg: SessionCgroup) => Promise<void>,
): Promise<void> {
  const resources = (["memory", "pids", "cpu"] as const).filter((r) => support.bases[r]);
  const cg = createSessionCgroup(support, resources, limits);
  try {
    await body(cg);
  } finally {
    await cg.remove();
  }
  for (const dir of Object.values(cg.dirs)) assert.equal(fs.existsSync(dir), false, dir);
}

describe("probeCgroups()", { skip: onlyOnLinux("cgroups") }, () => {
  it("pins one answer per process and keeps a reason for everything it does not use", () => {
    assert.equal(probeCgroups(), probeCgroups());
    const again = probeCgroupsNow();
    assert.equal(again.mode, support.mode);
    assert.deepEqual(again.bases, support.bases);
    if (support.mode === "none") assert.ok(support.reasons.length > 0);
    if (support.mode === "v1") assert.match(support.reasons.join("\n"), /^cgroup v2: /m);
  });

  it("puts session cgroups under the host's own cgroup in each hierarchy", { skip: usable }, () => {
    const own = parseProcCgroup(fs.readFileSync("/proc/self/cgroup", "utf8"));
    for (const [resource, base] of Object.entries(support.bases)) {
      const entry = support.mode === "v2"
        ? own.find((e) => e.id === 0)
        : own.find((e) => e.controllers.includes(V1_CONTROLLER[resource as "memory"]));
      assert.ok(entry, resource);
      const path = entry.path === "/" ? "" : entry.path;
      assert.ok(base.endsWith(path), `${resource}: ${base} is not under ${entry.path}`);
      assert.ok(fs.statSync(base).isDirectory());
    }
  });

  it("removes the cgroups of a host that is gone, and so does each new session cgroup", {
    skip: usable,
    timeout: 30_000,
  }, async () => {
    const dead = spawn("/bin/true");
    await new Promise((r) => dead.once("exit", r));
    const base = Object.values(support.bases)[0];
    const stale = join(base, `securer-${dead.pid}-${pidNamespace()}-0a0b0c`);
    fs.mkdirSync(stale);
    const mine = join(base, `securer-${ownerTag()}-0d0e0f`);
    fs.mkdirSync(mine);
    try {
      probeCgroupsNow();
      assert.equal(fs.existsSync(stale), false, "the dead host's cgroup is still there");
      assert.equal(fs.existsSync(mine), true, "a live host's cgroup was removed");
      // So does each new session cgroup, for a host that has probed already.
      fs.mkdirSync(stale);
      createSessionCgroup(support, [], {}).removeSync();
      assert.equal(fs.existsSync(stale), false, "a new session cgroup left the stale one");
    } finally {
      for (const dir of [stale, mine]) if (fs.existsSync(dir)) fs.rmdirSync(dir);
    }
  });
});

describe("a session cgroup", { skip: usable }, () => {
  it("holds its limits, and takes in a process tree that it then kills", {
    timeout: 30_000,
  }, async () => {
    await withCgroup({ memory: 64 * 1024 * 1024, nproc: 30 }, async (cg) => {
      assert.match(cg.name, new RegExp(`^securer-${ownerTag()}-[0-9a-f]{12}$`));
      if (cg.dirs.memory) {
        const file = support.mode === "v1" ? "memory.limit_in_bytes" : "memory.max";
        assert.equal(fs.readFileSync(join(cg.dirs.memory, file), "utf8").trim(), "67108864");
      }
      if (cg.dirs.pids) {
        assert.equal(fs.readFileSync(join(cg.dirs.pids, "pids.max"), "utf8"), "30\n");
      }
      const sh = await shellTree("sleep 60 & sleep 60 & wait", 2);
      assert.equal(cg.adopt(sh.pid!), 3);
      assert.equal(cg.pids().length, 3);
      assert.ok(cg.pids().includes(sh.pid!));
      if (cg.dirs.pids) assert.equal(cg.usage().tasks, 3);
      assert.equal(await cg.kill(), true);
      assert.deepEqual(cg.pids(), []);
      assert.ok(await eventually(() => !processAlive(sh.pid!)));
    });
  });

  it("is emptied and removed synchronously, as a host's exit hook does", {
    timeout: 30_000,
  }, async () => {
    const resources = (["memory", "pids", "cpu"] as const).filter((r) => support.bases[r]);
    const cg = createSessionCgroup(support, resources, { nproc: 30 });
    const sh = await shellTree("sleep 60 & sleep 60 & wait", 2);
    cg.adopt(sh.pid!);
    cg.removeSync();
    for (const dir of Object.values(cg.dirs)) assert.equal(fs.existsSync(dir), false, dir);
    assert.ok(await eventually(() => !processAlive(sh.pid!)));
  });

  it("catches what a moved process forks later", { timeout: 30_000 }, async () => {
    await withCgroup({ nproc: 30 }, async (cg) => {
      const sh = await shellTree("sleep 0.3; sleep 60 & sleep 60 & wait", 1);
      cg.adopt(sh.pid!);
      assert.ok(await eventually(() => cg.pids().length === 3), `pids: ${cg.pids()}`);
      await cg.kill();
    });
  });

  it("counts the CPU time of all its processes", {
    skip: support.bases.cpu ? false : "no cpu accounting",
    timeout: 30_000,
  }, async () => {
    await withCgroup({ cpu: 10 }, async (cg) => {
      const sh = await shellTree("while :; do :; done & while :; do :; done & wait", 2);
      cg.adopt(sh.pid!);
      assert.ok(await eventually(() => (cg.cpuSeconds() ?? 0) > 0.3, 10_000));
      assert.equal(cg.usage().cpuSeconds! >= cg.cpuSeconds()! - 1, true);
      assert.ok(cg.signalAll("SIGKILL") >= 2);
      assert.ok(await eventually(() => cg.pids().length === 0));
    });
  });

  it("kills a process that passes its memory limit, and counts the kill", {
    skip: support.bases.memory ? false : "no memory cgroup",
    timeout: 30_000,
  }, async () => {
    await withCgroup({ memory: 32 * 1024 * 1024 }, async (cg) => {
      // The shell holds a 100 MB string once `head` is done: far past 32 MiB.
      const sh = await shellTree("sleep 0.2; x=$(head -c 100000000 /dev/zero | tr '\\0' a)", 1);
      cg.adopt(sh.pid!);
      const code = await new Promise((r) => sh.once("exit", (c, s) => r(s ?? c)));
      assert.equal(code, "SIGKILL");
      const usage = cg.usage();
      assert.ok(usage.oomKills! >= 1, JSON.stringify(usage));
      assert.ok(usage.memoryPeakBytes! <= 32 * 1024 * 1024, JSON.stringify(usage));
    });
  });
});

// --- Deno's permissions -------------------------------------------------------------------

const deno = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));
const probeModule = pathToFileURL(fileURLToPath(
  new URL("../../src/platform/cgroup_probe.ts", import.meta.url),
)).href;
/** The permissions README's "Deno permissions" section gives a program that runs sessions. */
const README_FLAGS = ["--allow-env", "--allow-read", "--allow-write", "--allow-run", "--allow-sys"];

function denoProbe(flags: readonly string[]): Promise<{ mode: string; reasons: string[] }> {
  const dir = fs.mkdtempSync(join(tmpdir(), "securer-cgroup-deno-"));
  const script = join(dir, "probe.ts");
  fs.writeFileSync(
    script,
    `import { probeCgroupsNow } from ${JSON.stringify(probeModule)};\n` +
      "console.log(JSON.stringify(probeCgroupsNow()));\n",
  );
  return new Promise((resolve, reject) => {
    const child = spawn(deno, ["run", "--no-check", ...flags, script], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.once("close", (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolve(JSON.parse(out.trim().split("\n").at(-1)!));
      else reject(new Error(`deno exited ${code}: ${err}`));
    });
  });
}

describe("the cgroup probe under Deno's permissions", {
  skip: onlyOnLinux("cgroups") ||
    (fs.existsSync(deno) ? false : "node_modules/.bin/deno is missing"),
}, () => {
  it("says none, naming --allow-all, with README's permissions", { timeout: 60_000 }, async () => {
    const r = await denoProbe(README_FLAGS);
    assert.equal(r.mode, "none");
    assert.match(r.reasons.join("\n"), /the cgroup probe needs a permission.*--allow-all/);
  });

  it("finds what this process finds with --allow-all", { timeout: 60_000 }, async () => {
    const r = await denoProbe(["--allow-all"]);
    assert.equal(r.mode, support.mode);
  });
});

describe("doctor()", { skip: noR }, () => {
  it("reports the cgroup mode, which limits are whole-sandbox and which per process", {
    timeout: 60_000,
  }, async () => {
    const report = await doctor();
    assert.equal(report.cgroups.mode, support.mode);
    assert.deepEqual(report.cgroups.reasons, support.reasons);
    const limits = report.backends.find((b) => b.ok)?.capabilities?.limits ?? [];
    assert.deepEqual(
      [...report.cgroups.sandbox, ...report.cgroups.perProcess].sort(),
      [
        ...limits,
      ].sort(),
    );
    if (support.mode === "none") assert.deepEqual(report.cgroups.sandbox, []);
    const text = formatDoctorReport(report);
    assert.match(text, new RegExp(`^cgroups: +${support.mode} `, "m"));
    for (const reason of support.reasons) assert.ok(text.includes(reason), reason);
  });
});
