/**
 * The event-loop hold behind "an execution in flight keeps the host alive; an idle session
 * does not": every hold is released however the work ends — success, failure, interruption —
 * and releasing twice releases once. (That a host really exits once idle, and waits for an
 * execution in flight, is host_exit.test.ts's.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Effect, Fiber } from "effect";
import {
  eventLoopHolders,
  holdEventLoop,
  holdingEventLoop,
} from "../../src/platform/keep_alive.ts";

describe("the event-loop hold", () => {
  it("counts holds, and a second release of one hold does nothing", () => {
    const before = eventLoopHolders();
    const a = holdEventLoop();
    const b = holdEventLoop();
    assert.equal(eventLoopHolders(), before + 2);
    a();
    a();
    assert.equal(eventLoopHolders(), before + 1);
    b();
    assert.equal(eventLoopHolders(), before);
  });

  it("is held while the effect runs and released when it succeeds, fails or is interrupted", async () => {
    const before = eventLoopHolders();
    const during: number[] = [];
    const seen = Effect.sync(() => during.push(eventLoopHolders()));

    assert.equal(await Effect.runPromise(holdingEventLoop(seen.pipe(Effect.as(7)))), 7);
    assert.equal(eventLoopHolders(), before);

    const failed = await Effect.runPromise(
      Effect.flip(holdingEventLoop(seen.pipe(Effect.andThen(Effect.fail("no"))))),
    );
    assert.equal(failed, "no");
    assert.equal(eventLoopHolders(), before);

    const fiber = Effect.runFork(holdingEventLoop(seen.pipe(Effect.andThen(Effect.never))));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(eventLoopHolders(), before + 1, "held while it waits");
    await Effect.runPromise(Fiber.interrupt(fiber));
    assert.equal(eventLoopHolders(), before);

    assert.deepEqual(during, [before + 1, before + 1, before + 1]);
  });
});
