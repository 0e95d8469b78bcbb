/**
 * `execute`, `restart` and `close` always settle, in every state of a session: right after
 * a protocol violation, a crash, a hard timeout, a death while idle, and while a restart is
 * still starting R — each fired at several delays after the failure. A case passes when
 * every operation settles (with a value or a typed error) within a bound that only catches
 * a hang, and the session's R process is gone after `close()`. (Under a sandbox, one delay
 * per case: the lifecycle is the backend's business only in how fast R starts and dies.)
 *
 * (Issue: `close()` never settled when called 20 ms or more after an execution that ended
 * in a ProtocolError.)
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { SecureSession } from "../../mod.ts";
import { conformance } from "../_conformance.ts";
import { eventually, processAlive, sleep } from "../_helpers.ts";

const HANG_MS = 20_000;

/** Resolves with how `p` settled, or rejects when it has not settled within `HANG_MS`. */
function settles(what: string, p: Promise<unknown>): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle`)), HANG_MS);
  });
  const outcome = p.then(
    () => "ok",
    (e: unknown) => {
      assert.ok(e instanceof Error && "_tag" in e, `${what} rejected with an untyped ${e}`);
      return (e as { _tag: string })._tag;
    },
  );
  return Promise.race([outcome, hang]).finally(() => clearTimeout(timer));
}

const garbage =
  `con <- fifo(file.path(dirname(Sys.getenv("TMPDIR")), "res"), "w", blocking = TRUE); ` +
  `writeLines("{garbage", con); close(con); Sys.sleep(2)`;

/** Each failure leaves the session in a different state; it returns what it settled as. */
const FAILURES: Record<string, (s: SecureSession) => Promise<unknown>> = {
  "a protocol violation": (s) => s.execute(garbage),
  "a crash": (s) => s.execute("quit(save = 'no', status = 3)"),
  "a hard timeout": (s) =>
    s.execute("repeat tryCatch(Sys.sleep(10), interrupt = function(e) NULL)", { timeout: 200 }),
  "a death while idle": (s) => {
    process.kill(s.info().pid!, "SIGKILL");
    return Promise.resolve();
  },
  "a restart in progress": (s) => {
    void s.restart().catch(() => undefined);
    return Promise.resolve();
  },
};

const OPERATIONS: Record<string, (s: SecureSession) => Promise<unknown>> = {
  execute: (s) => s.execute("1 + 1"),
  restart: (s) => s.restart(),
  close: (s) => s.close(),
};

/** One operation fired `delay` ms after one failure, on a session of its own. */
async function settleCase(
  options: Parameters<typeof SecureSession.create>[0],
  fail: (s: SecureSession) => Promise<unknown>,
  run: (s: SecureSession) => Promise<unknown>,
  operation: string,
  delay: number,
): Promise<void> {
  const session = await SecureSession.create(options);
  const pid = session.info().pid!;
  try {
    await settles("the failure", fail(session));
    await sleep(delay);
    await settles(`${operation}()`, run(session));
    // Whatever state that left, the next execute still settles too.
    await settles("a following execute()", session.execute("2 + 2"));
  } finally {
    await settles("close()", session.close());
  }
  assert.ok(await eventually(() => !processAlive(pid)), "the first R process is gone");
  const last = session.info().pid;
  if (last !== null) {
    assert.ok(await eventually(() => !processAlive(last)), "the last R process is gone");
  }
}

conformance("every operation settles in every state", {}, (ctx) => {
  // The cases of one failure run at once, each on its own session: they are independent,
  // and one at a time they took minutes of waiting on R.
  for (const [failure, fail] of Object.entries(FAILURES)) {
    const delays = ctx.backend.sandboxed ? [30] : [0, 30];
    const cases = Object.entries(OPERATIONS).flatMap(([operation, run]) =>
      delays.map((delay) => ({ name: `${operation}() ${delay} ms after ${failure}`, run, delay }))
    );
    it(`${cases.map((c) => c.name.split(" after ")[0]).join(", ")} after ${failure}`, {
      timeout: 4 * HANG_MS,
    }, async () => {
      const outcomes = await Promise.allSettled(
        cases.map((c) => settleCase(ctx.options(), fail, c.run, c.name, c.delay)),
      );
      const failed = outcomes.flatMap((o, i) =>
        o.status === "rejected" ? [`${cases[i].name}: ${o.reason}`] : []
      );
      assert.deepEqual(failed, [], failed.join("\n"));
    });
  }
});
