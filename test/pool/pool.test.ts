/**
 * SecureSessionPool: sessions lent one borrower at a time and truly concurrently, FIFO
 * waiting up to `acquireTimeout`, the reference's messages, health (a session whose R
 * process was lost is never lent again, and is closed and replaced in the background), and
 * close() (in-flight executions cancelled, nothing left behind). Unsandboxed and sandboxed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ChildCrashedError,
  ExecutionTimeoutError,
  PoolClosedError,
  PoolExhaustedError,
  ProtocolError,
  SecureSessionPool,
} from "../../mod.ts";
import { ADD_TOOL, eventually, noR, processAlive, SLOW } from "../_helpers.ts";
import { BACKENDS, SANDBOX } from "../_backends.ts";
import { leftovers, snapshot } from "./_leaks.ts";

describe("SecureSessionPool options", () => {
  it("refuses a size out of 1..100 with the reference's messages", async () => {
    await assert.rejects(SecureSessionPool.create({ size: 0 }), {
      name: "RangeError",
      message: "`size` must be at least 1, not 0.",
    });
    await assert.rejects(SecureSessionPool.create({ size: 101 }), {
      name: "RangeError",
      message: "`size` must not exceed 100, got 101.",
    });
    await assert.rejects(SecureSessionPool.create({ size: 1.5 }), RangeError);
  });
  it("refuses bad pool options before starting anything", async () => {
    // deno-lint-ignore no-explicit-any
    const bad = (o: any) => SecureSessionPool.create(o);
    await assert.rejects(bad({ resetBetweenUses: "all" }), /`resetBetweenUses` must be false/);
    await assert.rejects(bad({ acquireTimeout: -1 }), RangeError);
    await assert.rejects(bad({ maxExecutionsPerSession: 0 }), RangeError);
    await assert.rejects(bad({ maxExecutions: 3 }), /use `maxExecutionsPerSession`/);
    await assert.rejects(bad({ toolTimeout: "x" }), TypeError);
  });
});

const cases = [BACKENDS[0], SANDBOX];
for (const backend of cases) {
  const skip = backend.skip;
  const options = backend.options;
  describe(`SecureSessionPool [${backend.name}]`, { skip }, () => {
    before(() => {
      if (backend.failure) throw new Error(backend.failure);
    });
    describe("a pool of 2", () => {
      let pool: SecureSessionPool;
      before(async () => {
        pool = await SecureSessionPool.create({
          ...options,
          size: 2,
          tools: [ADD_TOOL],
          interruptGrace: 200,
        });
      });
      after(async () => {
        await pool?.close();
      });

      it("starts its sessions and reports them in the reference's format", SLOW, () => {
        assert.deepEqual(pool.status(), { total: 2, busy: 0, idle: 2, dead: 0, starting: 0 });
        assert.equal(pool.size(), 2);
        assert.equal(pool.available(), 2);
        assert.equal(String(pool), "<SecureSessionPool> size=2 idle=2 busy=0");
        assert.deepEqual(pool.tools().map((t) => t.name), ["add"]);
      });

      it("runs two executions at once, in two different sessions", SLOW, async () => {
        const code = "Sys.sleep(0.3); if (!exists('me')) me <- runif(1); c(me, add(1, 2))";
        const [a, b] = await Promise.all([pool.execute(code), pool.execute(code)]);
        const [ma, va] = a.value as number[];
        const [mb, vb] = b.value as number[];
        assert.notEqual(ma, mb);
        assert.deepEqual([va, vb], [3, 3]);
      });

      it("fails at once with 'All sessions are busy.' when none is free", SLOW, async () => {
        const busy = [pool.execute("Sys.sleep(0.5)"), pool.execute("Sys.sleep(0.5)")];
        assert.equal(pool.status().busy, 2);
        assert.equal(String(pool), "<SecureSessionPool> size=2 idle=0 busy=2");
        await assert.rejects(pool.execute("1"), (e: unknown) => {
          assert.ok(e instanceof PoolExhaustedError);
          assert.equal(e.name, "PoolExhaustedError");
          assert.equal(e.message, "All sessions are busy.");
          return true;
        });
        await Promise.all(busy);
      });

      it("serves waiters in FIFO order within acquireTimeout", SLOW, async () => {
        const order: number[] = [];
        const runs = [0, 1, 2, 3, 4, 5].map((i) =>
          pool.execute(`Sys.sleep(0.1); ${i}`, { acquireTimeout: 20_000 }).then((r) => {
            order.push(r.value as number);
          })
        );
        await Promise.all(runs);
        assert.deepEqual(order.slice(2).sort(), [2, 3, 4, 5]);
        // The four waiters got the sessions in the order they asked (two at a time).
        assert.ok(order.indexOf(2) < order.indexOf(4) && order.indexOf(3) < order.indexOf(5));
        const settled = await Promise.allSettled([
          pool.execute("Sys.sleep(1)"),
          pool.execute("Sys.sleep(1)"),
          pool.execute("1", { acquireTimeout: 50 }),
        ]);
        assert.deepEqual(settled.map((s) => s.status), ["fulfilled", "fulfilled", "rejected"]);
        assert.ok((settled[2] as PromiseRejectedResult).reason instanceof PoolExhaustedError);
      });

      it("never lends a session whose R process was killed while idle", SLOW, async () => {
        const lease = await pool.acquire();
        const victim = lease.session.info().pid!;
        await lease.release();
        process.kill(victim, "SIGKILL");
        assert.ok(await eventually(() => !processAlive(victim)));
        // Once the pool has seen the death (a kill racing a request is that request's failure).
        assert.ok(await eventually(() => pool.status().idle < 2), JSON.stringify(pool.status()));
        // Every caller gets a value: the dead session is replaced, not lent.
        for (let i = 0; i < 6; i++) {
          const r = await pool.execute("1 + 1", { acquireTimeout: 30_000 });
          assert.equal(r.value, 2);
        }
        assert.ok(
          await eventually(() => pool.status().idle === 2, 30_000),
          JSON.stringify(pool.status()),
        );
      });

      it(
        "replaces a session after a hard timeout, a crash or a protocol breach",
        SLOW,
        async () => {
          const wait = { acquireTimeout: 30_000 };
          await assert.rejects(
            pool.execute("repeat tryCatch(Sys.sleep(10), interrupt = function(e) NULL)", {
              ...wait,
              timeout: 200,
            }),
            (e: unknown) => e instanceof ExecutionTimeoutError && !e.stateKept,
          );
          await assert.rejects(
            pool.execute("tools::pskill(Sys.getpid(), 9L); Sys.sleep(5)", wait),
            ChildCrashedError,
          );
          await assert.rejects(
            pool.execute(
              'con <- fifo(file.path(commandArgs(TRUE)[[1L]], "res"), "w", blocking = TRUE); ' +
                'writeLines("garbage", con); close(con); Sys.sleep(2)',
              wait,
            ),
            ProtocolError,
          );
          // A variable set now is seen by no later caller on a replaced session.
          assert.ok(
            await eventually(() => pool.status().idle === 2, 30_000),
            JSON.stringify(pool.status()),
          );
          const r = await Promise.all([0, 1].map(() => pool.execute("1 + 1", wait)));
          assert.deepEqual(r.map((x) => x.value), [2, 2]);
        },
      );
    });

    it("close() cancels in-flight executions and leaves nothing behind", SLOW, async () => {
      const before = snapshot();
      const pool = await SecureSessionPool.create({ ...options, size: 2 });
      const pending = Promise.allSettled([
        pool.execute("Sys.sleep(30)", { timeout: null }),
        pool.execute("Sys.sleep(30)", { timeout: null }),
        pool.execute("1", { acquireTimeout: 60_000 }),
        pool.acquire({ acquireTimeout: 60_000 }),
      ]);
      await new Promise((r) => setTimeout(r, 300));
      await pool.close();
      for (const s of await pending) {
        assert.equal(s.status, "rejected");
        assert.ok(s.reason instanceof PoolClosedError, String(s.reason));
      }
      await pool.close();
      assert.equal(String(pool), "<SecureSessionPool> [closed]");
      assert.deepEqual(pool.status(), { total: 0, busy: 0, idle: 0, dead: 0, starting: 0 });
      assert.equal(pool.size(), 0);
      await assert.rejects(pool.execute("1"), {
        name: "PoolClosedError",
        message: "Pool is closed.",
      });
      assert.deepEqual(await leftovers(before), { processes: [], dirs: [], cgroups: [] });
    });
  });
}

describe("SecureSessionPool without R", () => {
  it("is skipped only when R is missing", { skip: !noR ? "R is installed" : false }, () => {
    assert.ok(noR);
  });
});
