/**
 * How the pool lends a session. Effect's `Pool` owns the sessions — it starts them, keeps
 * the borrowers that must wait in FIFO order, replaces a session once it is invalidated,
 * and closes them all at shutdown — and this module takes them from it, bounded by the
 * borrower's `acquireTimeout`, skipping (and invalidating) a session whose R process was
 * lost meanwhile.
 *
 * The common case — a session is idle and nobody waits — costs no trip through the
 * `Pool` at all. A session given back while nobody waits for one is *kept*: it stays
 * checked out of the `Pool`, in the lender's list of idle sessions, and the next borrower
 * takes it from there in one synchronous step. While anybody waits (in the `Pool`'s queue,
 * or on the way to it), sessions go back to the `Pool`, whose queue serves them in FIFO
 * order; so a kept session never sits idle while a borrower waits. A kept session is
 * checked for health when it is taken, and given back to the `Pool`, invalidated, as soon
 * as its R process is lost. Only a borrower that must wait races its `Pool.get` against
 * a timer, in a span of its own (`SessionPool.wait`).
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

/** Lends sessions from the pool and keeps idle ones. */
export interface Lender {
  /** A healthy slot, waiting up to `timeoutMs` in FIFO order. */
  lend(timeoutMs: number): Effect.Effect<Lease, PoolAcquireError>;
  /** Takes back an idle, healthy slot: kept while nobody waits, else given to the `Pool`. */
  giveBack(slot: Slot, scope: Scope.Closeable): Effect.Effect<void>;
  /** Gives a kept slot back to the `Pool` (which closes it if it was invalidated). */
  release(slot: Slot): Effect.Effect<void>;
  /** Gives every kept slot back to the `Pool` (before it shuts down). */
  readonly releaseAll: Effect.Effect<void>;
}

/** Makes the pool's {@linkcode Lender}. */
export function lender(config: LendConfig): Lender {
  const { pool, isClosed } = config;
  // `Pool.get` needs nothing from the context but the scope it is given.
  const runFork = Effect.runForkWith(Context.empty());
  /** Idle slots still checked out of the `Pool`, most recently used last, with their scope. */
  const kept: Slot[] = [];
  const keptScope = new Map<Slot, Scope.Closeable>();
  /** Borrowers on the slow path: while there are any, nothing is kept. */
  let slowBorrowers = 0;

  const lease = (slot: Slot, scope: Scope.Closeable): Lease => {
    slot.state = "busy";
    const made: Lease = { slot, scope, controller: slot.controller, running: 0, ended: false };
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

  /** Lends what the `Pool` has idle, when `Pool.get` would lend it without waiting. */
  const fromPool = (timeoutMs: number): Effect.Effect<Lease, PoolAcquireError> | undefined => {
    if (!takesAtOnce(pool)) return undefined;
    // It runs to completion in this very step: no other borrower comes in between.
    const scope = Scope.makeUnsafe();
    const fiber = runFork(Pool.get(pool).pipe(Scope.provide(scope)));
    const got = fiber.pollUnsafe();
    if (got === undefined || Exit.isFailure(got)) {
      // Not expected (the check above is `Pool.get`'s own); the slow path covers it.
      return Fiber.interrupt(fiber).pipe(
        Effect.andThen(Scope.close(scope, Exit.void)),
        Effect.andThen(lend(timeoutMs)),
      );
    }
    const slot = got.value;
    if (!healthy(slot)) return Effect.andThen(discard(slot, scope), lend(timeoutMs));
    return Effect.succeed(lease(slot, scope));
  };

  const lend = (timeoutMs: number): Effect.Effect<Lease, PoolAcquireError> =>
    Effect.suspend(() => {
      if (isClosed()) return Effect.fail(new PoolClosedError());
      const slot = kept.pop();
      if (slot !== undefined) {
        const scope = keptScope.get(slot)!;
        keptScope.delete(slot);
        if (!healthy(slot)) return Effect.andThen(discard(slot, scope), lend(timeoutMs));
        return Effect.succeed(lease(slot, scope));
      }
      return fromPool(timeoutMs) ?? waitFor(timeoutMs);
    });

  /** The slow path, counted from the step that found nothing kept until it is left. */
  const waitFor = (timeoutMs: number): Effect.Effect<Lease, PoolAcquireError> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        if (kept.length > 0) return restore(lend(timeoutMs));
        slowBorrowers++;
        return restore(slow(timeoutMs)).pipe(
          Effect.ensuring(Effect.sync(() => void slowBorrowers--)),
          Effect.withSpan("SessionPool.wait", { attributes: { acquireTimeout: timeoutMs } }),
        );
      })
    );

  const release = (slot: Slot): Effect.Effect<void> =>
    Effect.suspend(() => {
      const scope = keptScope.get(slot);
      if (scope === undefined) return Effect.void;
      keptScope.delete(slot);
      const at = kept.indexOf(slot);
      if (at >= 0) kept.splice(at, 1);
      return Scope.close(scope, Exit.void);
    });

  return {
    lend,
    giveBack: (slot, scope) =>
      Effect.suspend(() => {
        const waiting = slowBorrowers > 0 || pool.state.waiters.size > 0;
        if (waiting || isClosed() || !healthy(slot)) return Scope.close(scope, Exit.void);
        kept.push(slot);
        keptScope.set(slot, scope);
        return Effect.void;
      }),
    release,
    releaseAll: Effect.suspend(() => Effect.forEach(kept.slice(), release, { discard: true })),
  };
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
