import assert from "node:assert/strict";
import { it } from "node:test";
import { ExecutionTimeoutError, securerTool } from "../../mod.ts";
import { eventually, processAlive, sleep, SLOW } from "../_helpers.ts";
import { conformance } from "../_conformance.ts";

conformance("timeouts", {}, (ctx) => {
  let toolAborted = false;
  const session = ctx.shareSession({
    tools: [
      securerTool({
        name: "wait_forever",
        timeout: 60_000,
        fn: (_a, { signal }) =>
          new Promise((resolve) =>
            signal.addEventListener("abort", () => (toolAborted = true, resolve(1)))
          ),
      }),
    ],
  });

  it("interrupts a busy loop with SIGINT and keeps the state", SLOW, async () => {
    await session().execute("kept <- 'yes'");
    const pid = session().info().pid;
    await assert.rejects(
      session().execute("i <- 0; repeat { i <- i + 1 }", { timeout: 500 }),
      (e: unknown) => {
        assert.ok(e instanceof ExecutionTimeoutError);
        assert.equal(e.stateKept, true);
        assert.equal(e.timeoutMs, 500);
        assert.match(
          e.message,
          /^Execution timed out after 0\.5 seconds \(R was interrupted; the session state was kept\)$/,
        );
        return true;
      },
    );
    assert.equal(session().info().pid, pid);
    const r = await session().execute("c(kept, i > 0)");
    assert.deepEqual(r.value, ["yes", "TRUE"]);
  });
  it("says 'second' for exactly one second and interrupts Sys.sleep", SLOW, async () => {
    await assert.rejects(
      session().execute("Sys.sleep(30)", { timeout: 1000 }),
      /^ExecutionTimeoutError: Execution timed out after 1 second \(/,
    );
    assert.equal((await session().execute("kept")).value, "yes");
  });
  it("interrupts a call waiting on a slow tool, aborting the tool", SLOW, async () => {
    await assert.rejects(session().execute("wait_forever()", { timeout: 300 }), {
      stateKept: true,
    });
    assert.equal(toolAborted, true);
    assert.equal((await session().execute("kept")).value, "yes");
  });
  it(
    "kills and restarts R when the code ignores the interrupt, losing the state",
    SLOW,
    async () => {
      const pid = session().info().pid!;
      await assert.rejects(
        session().execute("repeat tryCatch(Sys.sleep(10), interrupt = function(e) NULL)", {
          timeout: 300,
        }),
        (e: unknown) => {
          assert.ok(e instanceof ExecutionTimeoutError);
          assert.equal(e.stateKept, false);
          assert.match(e.message, /R did not stop and was restarted; the session state was lost/);
          return true;
        },
      );
      assert.ok(await eventually(() => !processAlive(pid)), "the old R process is gone");
      await assert.rejects(session().execute("kept"), /object 'kept' not found/);
      assert.equal((await session().execute("1 + 1")).value, 2);
      assert.notEqual(session().info().pid, pid);
    },
  );
  it("treats an aborted signal like a timeout", SLOW, async () => {
    await session().execute("kept <- 'again'");
    const controller = new AbortController();
    const p = session().execute("Sys.sleep(30)", { signal: controller.signal, timeout: null });
    await sleep(200);
    controller.abort();
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof ExecutionTimeoutError);
      assert.equal(e.timeoutMs, null);
      assert.equal(e.stateKept, true);
      assert.match(e.message, /^Execution aborted by its signal/);
      return true;
    });
    assert.equal((await session().execute("kept")).value, "again");
  });
  it("does not start code whose signal is already aborted", SLOW, async () => {
    await assert.rejects(
      session().execute("kept <- 'overwritten'", { signal: AbortSignal.abort() }),
      ExecutionTimeoutError,
    );
    assert.equal((await session().execute("kept")).value, "again");
  });
  it("runs without a deadline when timeout is null", SLOW, async () => {
    assert.equal((await session().execute("Sys.sleep(0.2); 5", { timeout: null })).value, 5);
  });
});
