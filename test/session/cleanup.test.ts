/**
 * Nothing is left behind — R processes, their children, FIFOs, session directories —
 * after close, after a crash, after a hard timeout and after executeR.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { executeR, SecureSession } from "../../mod.ts";
import { eventually, noR, processAlive, sessionDirOf, SLOW } from "../_helpers.ts";

describe("cleanup", { skip: noR }, () => {
  it(
    "close() kills R and its subprocesses and removes the FIFOs and the directory",
    SLOW,
    async () => {
      const s = await SecureSession.create();
      const dir = await sessionDirOf(s);
      // runtime.rds: the compiled runtime, when this machine's cache has one.
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f !== "runtime.rds").sort(), [
        "boot.R",
        "out",
        "req",
        "res",
        "runtime.R",
        "tmp",
      ]);
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
      for (const f of ["req", "res", "out"]) {
        const st = fs.statSync(`${dir}/${f}`);
        assert.ok(st.isFIFO() && (st.mode & 0o777) === 0o600, f);
      }
      const pid = s.info().pid!;
      const child = Number(
        (await s.execute('system("sleep 300 > /dev/null 2>&1 & echo $!", intern = TRUE)')).value,
      );
      assert.ok(processAlive(child));
      await s.close();
      assert.ok(!fs.existsSync(dir), "directory removed");
      assert.ok(await eventually(() => !processAlive(pid)), "R is gone");
      assert.ok(await eventually(() => !processAlive(child)), "R's subprocess is gone");
    },
  );
  it(
    "deletes init.json (and with it the session secret) as soon as R has read it",
    SLOW,
    async () => {
      await using s = await SecureSession.create();
      const dir = await sessionDirOf(s);
      assert.ok(!fs.existsSync(`${dir}/init.json`));
      const env = (await s.execute("Sys.getenv()")).value as Record<string, string>;
      assert.ok(
        // SECURER_OUTPUT_DIR is where code leaves files to return, not a channel detail.
        !Object.keys(env).some((k) => k.startsWith("SECURER") && k !== "SECURER_OUTPUT_DIR"),
        "no channel details in the environment",
      );
    },
  );
  it("removes the old directory after a crash and after a hard timeout", SLOW, async () => {
    await using s = await SecureSession.create({ interruptGrace: 200 });
    const first = await sessionDirOf(s);
    const pid = s.info().pid!;
    process.kill(pid, "SIGKILL");
    await assert.rejects(s.execute("1"), { name: "ChildCrashedError" });
    assert.ok(await eventually(() => !fs.existsSync(first)), "crashed child's directory removed");
    const second = await sessionDirOf(s);
    assert.notEqual(second, first);
    await assert.rejects(
      s.execute("repeat tryCatch(Sys.sleep(10), interrupt = function(e) NULL)", { timeout: 200 }),
      { name: "ExecutionTimeoutError", stateKept: false },
    );
    assert.ok(
      await eventually(() => !fs.existsSync(second)),
      "timed-out child's directory removed",
    );
    assert.ok(fs.existsSync(await sessionDirOf(s)));
  });
  it(
    "leaks no descriptors or reader threads over many sessions",
    { timeout: 180_000 },
    async () => {
      // Deno reads FIFOs on a small thread pool (32 threads): a reader left blocked per
      // session used to hang the 17th session. Each session holds 2 readers.
      const fifoFds = () =>
        fs.readdirSync("/proc/self/fd").filter((fd) => {
          try {
            return fs.readlinkSync(`/proc/self/fd/${fd}`).includes("/securer-");
          } catch {
            return false;
          }
        }).length;
      const before = fifoFds();
      for (let i = 0; i < 20; i++) {
        const s = await SecureSession.create();
        await s.execute("1");
        await s.close();
      }
      assert.ok(
        await eventually(() => fifoFds() === before),
        `FIFO descriptors left open: ${fifoFds() - before}`,
      );
    },
  );
  it("executeR leaves nothing behind, on success and on error", SLOW, async () => {
    // A temp directory of its own: other hosts (and this process's other sessions) create
    // session directories in the shared one meanwhile.
    const own = fs.mkdtempSync(join(tmpdir(), "securer-cleanup-test-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = own;
    try {
      const dir = (await executeR('dirname(Sys.getenv("TMPDIR"))', { sandbox: false })).value;
      assert.ok(String(dir).startsWith(fs.realpathSync(own)), `the session lived in ${dir}`);
      await assert.rejects(executeR("stop('no')", { sandbox: false }), {
        name: "RExecutionError",
      });
      assert.deepEqual(fs.readdirSync(own), []);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      fs.rmSync(own, { recursive: true, force: true });
    }
  });
});
