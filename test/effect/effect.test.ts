import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Effect, ManagedRuntime } from "effect";
import { layer, makeSession, RExecutionError, Session, withSession } from "../../src/effect/mod.ts";
import { noR, SLOW } from "../_helpers.ts";

describe("the Effect API", { skip: noR }, () => {
  it("runs a scoped session and catches typed errors by tag", SLOW, async () => {
    const program = Effect.scoped(Effect.gen(function* () {
      const session = yield* makeSession();
      const ok = yield* session.execute("21 * 2");
      const caught = yield* session.execute('stop("typed")').pipe(
        Effect.map(() => "no error"),
        Effect.catchTag("RExecutionError", (e) => Effect.succeed(`caught ${e.message}`)),
      );
      return [ok.value, caught, session.isAlive()];
    }));
    assert.deepEqual(await Effect.runPromise(program), [42, "caught typed", true]);
  });
  it("fails with the error class itself, so instanceof works", SLOW, async () => {
    const exit = await Effect.runPromiseExit(withSession(undefined, (s) => s.execute("stop('x')")));
    assert.equal(exit._tag, "Failure");
    const error = await Effect.runPromise(
      withSession(undefined, (s) => Effect.flip(s.execute("stop('x')"))),
    );
    assert.ok(error instanceof RExecutionError);
  });
  it(
    "provides a session through a layer and closes it when the runtime is disposed",
    SLOW,
    async () => {
      const runtime = ManagedRuntime.make(layer());
      const session = await runtime.runPromise(Effect.service(Session));
      assert.equal((await runtime.runPromise(session.execute("1 + 2"))).value, 3);
      await runtime.dispose();
      assert.equal(session.isAlive(), false);
    },
  );
});
