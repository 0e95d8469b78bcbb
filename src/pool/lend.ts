/**
 * How the pool lends a session: `Pool.get` on Effect's `Pool`, which keeps the waiting
 * borrowers in FIFO order, bounded by the borrower's `acquireTimeout`, skipping (and
 * invalidating) a session whose R process was lost meanwhile.
 *
 * The common case — a session is idle and nobody waits — is lent in one synchronous step:
 * `Pool.get` runs to completion in a fiber started at once, and no timer is armed. Only a
 * borrower that must wait races its `Pool.get` against a timer (two more fibers and a
 * timer, which on every execute were most of the pool's overhead).
 *
 * @module
 */
import { Context, Effect, Exit, Fiber, Option, Pool, Scope } from "effect";
import { PoolClosedError, PoolExhaustedError, SessionStartError } from "../errors.ts";
import type { SessionCreateError } from "../session/make_session.ts";
import { failureOf, healthy, type Lease, type Slot } from "./pool_slot.ts";

/** How many failed session starts a borrower absorbs before it fails with the last one. */
const START_RETRIES = 3;

/** Why a session could not be lent. */
export type PoolAcquireError = PoolClosedError | PoolExhaustedError | SessionCreateError;

/** What the lender needs from the pool. */
export interface LendConfig {
  readonly pool: Pool.Pool<Slot, SessionCreateError>;
  readonly isClosed: () => boolean;
  /** Records a lease as it is made (the pool ends them all when it closes). */
  readonly onLease: (lease: Lease) => void;
}

/** Makes `lend(timeoutMs)`: a healthy slot, waiting up to `timeoutMs` in FIFO order. */
export function lender(
  config: LendConfig,
): (timeoutMs: number) => Effect.Effect<Lease, PoolAcquireError> {
  const { pool, isClosed } = config;
  // `Pool.get` needs nothing from the context but the scope it is given.
  const runFork = Effect.runForkWith(Context.empty());

  const lease = (slot: Slot, scope: Scope.Closeable): Lease => {
    slot.state = "busy";
    const made: Lease = {
      slot,
      scope,
      controller: new AbortController(),
      running: 0,
      ended: false,
    };
    config.onLease(made);
    return made;
  };

  /** Takes a slot that is not healthy out of circulation; the pool replaces it. */
  const discard = (slot: Slot, scope: Scope.Closeable) =>
    Effect.suspend(() => {
      slot.state = "dead";
      return Effect.andThen(Pool.invalidate(pool, slot), Scope.close(scope, Exit.void));
    });

  const slow = (timeoutMs: number): Effect.Effect<Lease, PoolAcquireError> =>
    Effect.gen(function* () {
      const deadline = Date.now() + timeoutMs;
      let failedStarts = 0;
      while (true) {
        if (isClosed()) return yield* Effect.fail(new PoolClosedError());
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          const stats = yield* Pool.stats(pool);
          if (stats.idle === 0 || stats.pending > 0) {
            return yield* Effect.fail(new PoolExhaustedError());
          }
        }
        const scope = yield* Scope.make();
        const got = yield* getWithin(Pool.get(pool).pipe(Scope.provide(scope)), remaining);
        if (Exit.isFailure(got) || Option.isNone(got.value)) {
          yield* Scope.close(scope, Exit.void);
          if (isClosed()) return yield* Effect.fail(new PoolClosedError());
          if (Exit.isSuccess(got)) return yield* Effect.fail(new PoolExhaustedError());
          const error = failureOf(got);
          if (error === undefined) return yield* Effect.fail(new PoolClosedError());
          // A replacement that failed to start (its R killed meanwhile, say) is retried
          // a few times before its error reaches a caller.
          if (error instanceof SessionStartError && ++failedStarts < START_RETRIES) continue;
          return yield* Effect.fail(error);
        }
        const slot = got.value.value;
        if (!healthy(slot)) {
          yield* discard(slot, scope);
          continue;
        }
        return lease(slot, scope);
      }
    });

  return (timeoutMs) =>
    Effect.suspend(() => {
      if (isClosed() || !takesAtOnce(pool)) return slow(timeoutMs);
      // `Pool.get` lends at once here: it runs to completion in this very step, so no
      // other borrower can come between the check above and the loan.
      const scope = Scope.makeUnsafe();
      const fiber = runFork(Pool.get(pool).pipe(Scope.provide(scope)));
      const got = fiber.pollUnsafe();
      if (got === undefined || Exit.isFailure(got)) {
        // Not expected (the check above is `Pool.get`'s own); the slow path covers it.
        return Fiber.interrupt(fiber).pipe(
          Effect.andThen(Scope.close(scope, Exit.void)),
          Effect.andThen(slow(timeoutMs)),
        );
      }
      const slot = got.value;
      if (!healthy(slot)) return Effect.andThen(discard(slot, scope), slow(timeoutMs));
      return Effect.succeed(lease(slot, scope));
    });
}

/** Whether `Pool.get` would lend an item now, without waiting (its own fast path). */
function takesAtOnce<A, E>(pool: Pool.Pool<A, E>): boolean {
  const state = pool.state;
  return pool.config.isFixed && !state.isShuttingDown && state.waiters.size === 0 &&
    state.availableHead?.exit._tag === "Success";
}

/**
 * Runs `get` (a `Pool.get`) for up to `ms` milliseconds: `None` when the time ran out. It
 * starts in a child fiber at once, so when it lends without waiting no timer is armed.
 */
function getWithin<A, E>(
  get: Effect.Effect<A, E>,
  ms: number,
): Effect.Effect<Exit.Exit<Option.Option<A>, E>> {
  if (!Number.isFinite(ms)) return Effect.exit(Effect.map(get, Option.some));
  return Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(get, { startImmediately: true });
    const now = fiber.pollUnsafe();
    if (now !== undefined) return Exit.map(now, Option.some);
    const waited = yield* Effect.timeoutOption(Fiber.await(fiber), Math.max(ms, 0));
    if (Option.isSome(waited)) return Exit.map(waited.value, Option.some);
    yield* Fiber.interrupt(fiber);
    return Exit.succeed(Option.none());
  });
}
