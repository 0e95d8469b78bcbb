/**
 * The line of borrowers waiting for a session. Under the Effect API's interruption
 * (`Effect.timeout`, a fiber interrupted): an interrupted execution gives its session back,
 * a borrower interrupted while it waits leaves the line without taking a session, and under
 * many interruptions at random moments every session comes back and nothing is left behind.
 * And a long line of borrowers whose code never reaches R (each gives its session back
 * before the hand-off to it returns) is served whole.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Effect, Exit, Fiber } from "effect";
import { makeSessionPool, type SessionPool } from "../../src/effect/mod.ts";
import { RSyntaxError, SecureSessionPool } from "../../mod.ts";
import { eventually, noR } from "../_helpers.ts";
import { leftovers, snapshot } from "./_leaks.ts";

const LONG = { timeout: 120_000 };

/** Runs `f` on a fresh unsandboxed pool, closed afterwards. */
function withPool<A>(size: number, f: (pool: SessionPool) => Effect.Effect<A, unknown>) {
  return Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const pool = yield* makeSessionPool({ size, sandbox: false, acquireTimeout: 30_000 });
    return yield* f(pool);
  })));
}

describe("the line of borrowers waiting for a session", { skip: noR }, () => {
  it("an interrupted execution gives its session back", LONG, async () => {
    const before = snapshot();
    await withPool(1, (pool) =>
      Effect.gen(function* () {
        const timedOut = yield* Effect.exit(
          Effect.timeout(pool.execute("Sys.sleep(5); 1"), "200 millis"),
        );
        assert.ok(Exit.isFailure(timedOut));
        // Back in the pool, not held by a borrower that is gone.
        assert.equal(pool.status().busy, 0);
        const next = yield* pool.execute("2");
        assert.equal(next.value, 2);
        assert.equal(pool.status().total, 1);
        assert.equal(pool.status().busy, 0);
      }));
    assert.deepEqual(await leftovers(before), { processes: [], dirs: [], cgroups: [] });
  });

  it("a borrower interrupted while it waits leaves the line", LONG, async () => {
    await withPool(1, (pool) =>
      Effect.gen(function* () {
        const first = yield* Effect.forkChild(pool.execute('Sys.sleep(0.5); "first"'));
        yield* Effect.sleep("50 millis");
        const gone = yield* Effect.forkChild(
          pool.execute('assign("gone_ran", TRUE, globalenv()); "gone"'),
        );
        const third = yield* Effect.forkChild(pool.execute('"third"'));
        yield* Effect.sleep("50 millis");
        yield* Fiber.interrupt(gone);
        assert.equal((yield* Fiber.join(first)).value, "first");
        assert.equal((yield* Fiber.join(third)).value, "third");
        const ran = yield* pool.execute('exists("gone_ran")');
        assert.equal(ran.value, false);
        assert.deepEqual(
          { busy: pool.status().busy, idle: pool.status().idle },
          { busy: 0, idle: 1 },
        );
      }));
  });

  it("under interruptions at random moments, every session comes back", LONG, async () => {
    const before = snapshot();
    const settled = await withPool(2, (pool) =>
      Effect.gen(function* () {
        const fibers = [];
        for (let i = 0; i < 120; i++) {
          // Short executions, eight borrowers at a time; one in five interrupted at a random
          // moment (mostly while waiting in line, sometimes while running).
          const run = pool.execute(`Sys.sleep(0.002); ${i}`);
          fibers.push(yield* Effect.forkChild(run));
          if (i % 5 === 0) {
            const victim = fibers[i];
            yield* Effect.forkChild(
              Effect.andThen(Effect.sleep(Math.floor(Math.random() * 6)), Fiber.interrupt(victim)),
            );
          }
          if (fibers.length >= 8) yield* Effect.exit(Fiber.join(fibers[fibers.length - 8]));
        }
        const exits = [];
        for (const f of fibers) exits.push(yield* Fiber.await(f));
        // Each execution not interrupted returned its own value.
        exits.forEach((exit, i) => {
          if (Exit.isSuccess(exit)) assert.equal(exit.value.value, i);
          else assert.equal(i % 5, 0, `execution ${i} failed without being interrupted`);
        });
        assert.ok(exits.some((exit) => Exit.isFailure(exit)), "no execution was interrupted");
        const back = yield* Effect.promise(() =>
          eventually(() => pool.status().idle === 2 && pool.status().busy === 0, 30_000)
        );
        assert.ok(back, `sessions not back: ${JSON.stringify(pool.status())}`);
        // And they serve.
        const after = yield* Effect.all([pool.execute("1"), pool.execute("2")], {
          concurrency: 2,
        });
        return after.map((r) => r.value);
      }));
    assert.deepEqual(settled, [1, 2]);
    assert.deepEqual(await leftovers(before), { processes: [], dirs: [], cgroups: [] });
  });

  it("serves a long line of borrowers whose code fails before reaching R", LONG, async () => {
    await using pool = await SecureSessionPool.create({
      size: 1,
      sandbox: false,
      acquireTimeout: 60_000,
    });
    const holding = pool.execute("Sys.sleep(0.3); 0");
    await new Promise((r) => setTimeout(r, 50));
    const n = 5000;
    const line = await Promise.allSettled(
      Array.from({ length: n }, (_, i) => pool.execute(i === n - 1 ? "n <- 42; n" : "1 +")),
    );
    assert.equal((await holding).value, 0);
    const refused = line.slice(0, -1).filter((r) =>
      r.status === "rejected" && r.reason instanceof RSyntaxError
    );
    assert.equal(refused.length, n - 1);
    const last = line[n - 1];
    assert.equal(last.status === "fulfilled" ? last.value.value : last.reason, 42);
    assert.deepEqual({ busy: pool.status().busy, idle: pool.status().idle }, { busy: 0, idle: 1 });
  });
});
