import assert from "node:assert/strict";
import { it } from "node:test";
import { ChildCrashedError, SecureSession } from "../../mod.ts";
import { eventually, processAlive, sleep, SLOW } from "../_helpers.ts";
import { conformance } from "../_conformance.ts";

conformance("recovery after the R process dies", {}, (ctx) => {
  it(
    "reports a kill during an execution as ChildCrashedError and works again afterwards",
    SLOW,
    async () => {
      await using s = await SecureSession.create(ctx.options());
      const pid = s.info().pid!;
      const running = s.execute('cat("working\\n"); Sys.sleep(30)');
      await sleep(300);
      process.kill(pid, "SIGKILL");
      await assert.rejects(running, (e: unknown) => {
        assert.ok(e instanceof ChildCrashedError);
        assert.equal(e.signal, "SIGKILL");
        assert.match(
          e.message,
          /^R process died during execution \(killed by SIGKILL\): it was killed/,
        );
        assert.deepEqual(e.output, ["working"]);
        return true;
      });
      assert.equal((await s.execute("1 + 1")).value, 2);
      assert.notEqual(s.info().pid, pid);
    },
  );
  it(
    "reports a death while idle at the next execute, then runs the one after",
    SLOW,
    async () => {
      await using s = await SecureSession.create(ctx.options());
      await s.execute("x <- 1");
      const pid = s.info().pid!;
      process.kill(pid, "SIGKILL");
      assert.ok(await eventually(() => !processAlive(pid)));
      await assert.rejects(
        s.execute("x"),
        (e: unknown) =>
          e instanceof ChildCrashedError &&
          // The exit may be seen just before or just after the next execute starts.
          /^R process died (while idle|during execution) \(killed by SIGKILL\)/.test(e.message),
      );
      assert.ok(await eventually(() => s.isAlive()), "the session restarted by itself");
      await assert.rejects(s.execute("x"), /object 'x' not found/);
      assert.equal((await s.execute("2")).value, 2);
    },
  );
  it("explains an exit from quit()", SLOW, async () => {
    await using s = await SecureSession.create(ctx.options());
    await assert.rejects(s.execute("quit(save = 'no')"), (e: unknown) => {
      assert.ok(e instanceof ChildCrashedError);
      assert.equal(e.exitCode, 0);
      assert.match(e.likelyCause ?? "", /quit\(\)/);
      return true;
    });
    assert.equal((await s.execute("3")).value, 3);
  });
  it(
    "names the CPU limit when R dies of SIGXCPU",
    { ...SLOW, skip: ctx.lacks("cpu") },
    async () => {
      await using s = await SecureSession.create(ctx.options({ limits: { cpu: 1 } }));
      await assert.rejects(s.execute("repeat {}", { timeout: 20_000 }), (e: unknown) => {
        assert.ok(e instanceof ChildCrashedError);
        assert.equal(e.signal, "SIGXCPU");
        assert.match(e.message, /the CPU time limit \(1 s\) was reached/);
        return true;
      });
      assert.equal((await s.execute("4")).value, 4);
    },
  );
  it("closes cleanly while an execution is running", SLOW, async () => {
    const s = await SecureSession.create(ctx.options());
    const pid = s.info().pid!;
    const running = s.execute("Sys.sleep(30)").then(() => null, (e: unknown) => e);
    await sleep(200);
    await s.close();
    const error = await running;
    assert.ok(error instanceof Error && error.name === "SessionClosedError", String(error));
    assert.ok(await eventually(() => !processAlive(pid)));
  });
});
