/**
 * How the pool lends a session. Effect's `Pool` owns the sessions — it starts them, replaces
 * a session once it is invalidated, and closes them all at shutdown — and this module lends
 * them: bounded by the borrower's `acquireTimeout`, in FIFO order, never lending a session
 * whose R process was lost.
 *
 * A session given back is *kept*: it stays checked out of the `Pool`, and goes straight to
 * the borrower at the head of the line, or, when nobody waits, into a list of idle sessions
 * that the next borrower takes from in one synchronous step (the one used last first, whose
 * R process is likeliest to still have its memory in the CPU's caches). So neither a
 * borrower who finds a session idle nor one who waits for another's to come back makes a
 * trip through the `Pool`. Going through it (a release, a wake-up scheduled for its own
 * waiter, a lease in a fresh scope, a timer raced against it) cost a borrower who waited
 * 100–170 µs more host CPU than a bare execution, and a pool of one at concurrency 2 served
 * ×0.6–0.7 the executions a second of a bare session (`bench/pool.ts`); now ×0.93–1.02.
 *
 * Sessions the `Pool` holds itself — a replacement it started, one given back after a
 * reset — reach the line through a single *pump*: while anybody waits, one fiber takes from
 * the `Pool` and hands on what it gets. A kept session is checked for health when it is
 * taken, and given back to the `Pool`, invalidated, as soon as its R process is lost.
 *
 * @module
 */
import { Context, Effect, Exit, Fiber, Pool, Scope } from "effect";
import { PoolClosedError, PoolExhaustedError, SessionStartError } from "../errors.ts";
import type { SessionCreateError } from "../session/make_session.ts";
import { failureOf, healthy, type Lease, type Slot } from "./pool_slot.ts";

/** How many failed session starts in a row the line absorbs before its head fails with the last. */
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
  /**
   * A healthy slot, waiting up to `timeoutMs` in FIFO order. Interrupted while it waits, it
   * leaves the line; a caller that must not lose the lease runs it with interruption masked
   * once it has returned.
   */
  lend(timeoutMs: number): Effect.Effect<Lease, PoolAcquireError>;
  /** Takes back an idle, healthy slot: to the head of the line, or kept while nobody waits. */
  giveBack(slot: Slot, scope: Scope.Closeable): Effect.Effect<void>;
  /** Gives a kept slot back to the `Pool` (which closes it if it was invalidated). */
  release(slot: Slot): Effect.Effect<void>;
  /** Fails every waiting borrower (`Pool is closed.`) and gives every kept slot back. */
  readonly close: Effect.Effect<void>;
}

/** A borrower in line. */
interface Waiter {
  /** Ends its wait (it was removed from the line first). */
  readonly resume: (effect: Effect.Effect<Lease, PoolAcquireError>) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The slot handed to it, until it takes the lease or leaves without it. */
  handed: { readonly slot: Slot; readonly scope: Scope.Closeable } | undefined;
}

/** Makes the pool's {@linkcode Lender}. */
export function lender(config: LendConfig): Lender {
  const { pool, isClosed } = config;
  // `Pool.get` needs nothing from the context but the scope it is given.
  const runFork = Effect.runForkWith(Context.empty());
  /** Idle slots still checked out of the `Pool`, most recently used last, with their scope. */
  const kept: Slot[] = [];
  const keptScope = new Map<Slot, Scope.Closeable>();
  /** Borrowers waiting, first come first. Nothing is kept while anybody waits. */
  const line: Waiter[] = [];
  /** The fiber taking from the `Pool` for the line, while there is one. */
  let pump: Fiber.Fiber<void> | null = null;

  const lease = (slot: Slot, scope: Scope.Closeable): Lease => {
    slot.state = "busy";
    const made: Lease = { slot, scope, controller: slot.controller, running: 0, ended: false };
    config.onLease(made);
    return made;
  };

  /** Takes a slot that is not healthy out of circulation; the pool replaces it. */
  const discard = (slot: Slot, scope: Scope.Closeable) => {
    slot.state = "dead";
    runFork(Effect.andThen(Pool.invalidate(pool, slot), Scope.close(scope, Exit.void)));
  };

  const leave = (waiter: Waiter) => {
    const at = line.indexOf(waiter);
    if (at >= 0) line.splice(at, 1);
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
  };

  /** Takes the borrower at the head of the line out of it, its timer stopped. */
  const nextInLine = (): Waiter | undefined => {
    const waiter = line[0];
    if (waiter !== undefined) leave(waiter);
    return waiter;
  };

  /** Gives a healthy slot to the head of the line; `false` when nobody waits. */
  const handOn = (slot: Slot, scope: Scope.Closeable): boolean => {
    const waiter = nextInLine();
    if (waiter === undefined) return false;
    // The lease is made when the borrower resumes. Interrupted before that, it leaves
    // through its wait's finalizer, which passes the slot on (see `wait`).
    waiter.handed = { slot, scope };
    waiter.resume(Effect.sync(() => {
      const { slot, scope } = waiter.handed!;
      waiter.handed = undefined;
      return lease(slot, scope);
    }));
    return true;
  };

  /**
   * Slots waiting to be placed. A borrower handed a slot resumes at once, inside the hand-off,
   * and may give it back before it returns (code that fails its checks never reaches R):
   * that slot is queued here and placed by the outer hand-off, so a long line of such
   * borrowers is served in a loop, not in ever deeper calls.
   */
  const toPlace: Array<readonly [Slot, Scope.Closeable]> = [];
  let placing = false;

  /** A healthy slot that came back or out of the `Pool`: to the line, else kept. */
  const take = (slot: Slot, scope: Scope.Closeable): void => {
    toPlace.push([slot, scope]);
    if (placing) return;
    placing = true;
    try {
      for (let next = toPlace.shift(); next !== undefined; next = toPlace.shift()) {
        const [slot, scope] = next;
        if (isClosed()) runFork(Scope.close(scope, Exit.void));
        else if (!handOn(slot, scope)) {
          kept.push(slot);
          keptScope.set(slot, scope);
        }
      }
    } finally {
      placing = false;
    }
  };

  /** Fails the head of the line (after failed starts), or everyone (the pool closed). */
  const failHead = (error: PoolAcquireError) => {
    nextInLine()?.resume(Effect.fail(error));
  };

  /** Takes from the `Pool` for the line until nobody waits. */
  const pumping: Effect.Effect<void> = Effect.gen(function* () {
    let failedStarts = 0;
    while (line.length > 0 && !isClosed()) {
      const scope = Scope.makeUnsafe();
      const got = yield* Effect.exit(Pool.get(pool).pipe(Scope.provide(scope)));
      if (Exit.isFailure(got)) {
        yield* Scope.close(scope, Exit.void);
        const error = failureOf(got);
        if (isClosed() || error === undefined) break;
        // A replacement that failed to start (its R killed meanwhile, say) is retried a
        // few times before its error reaches a borrower.
        if (error instanceof SessionStartError && ++failedStarts < START_RETRIES) continue;
        failedStarts = 0;
        failHead(error);
        continue;
      }
      failedStarts = 0;
      if (!healthy(got.value)) discard(got.value, scope);
      else take(got.value, scope);
    }
    // Borrowers are left in line only when the `Pool` can lend no more (it shut down).
    while (line.length > 0) failHead(new PoolClosedError());
  }).pipe(Effect.ensuring(Effect.sync(() => void (pump = null))));

  const startPump = () => {
    if (pump === null) pump = runFork(pumping);
  };

  /** An idle slot at once: a kept one, or one the `Pool` would lend without waiting. */
  const idleNow = (): Lease | undefined => {
    for (let slot = kept.pop(); slot !== undefined; slot = kept.pop()) {
      const scope = keptScope.get(slot)!;
      keptScope.delete(slot);
      if (healthy(slot)) return lease(slot, scope);
      discard(slot, scope);
    }
    while (takesAtOnce(pool)) {
      // It runs to completion in this very step: no other borrower comes in between.
      const scope = Scope.makeUnsafe();
      const fiber = runFork(Pool.get(pool).pipe(Scope.provide(scope)));
      const got = fiber.pollUnsafe();
      if (got === undefined || Exit.isFailure(got)) {
        // Not expected (the check above is `Pool.get`'s own): the borrower waits instead.
        runFork(Effect.andThen(Fiber.interrupt(fiber), Scope.close(scope, Exit.void)));
        return undefined;
      }
      if (healthy(got.value)) return lease(got.value, scope);
      discard(got.value, scope);
    }
    return undefined;
  };

  const wait = (timeoutMs: number): Effect.Effect<Lease, PoolAcquireError> =>
    Effect.callback<Lease, PoolAcquireError>((resume) => {
      const waiter: Waiter = { resume, timer: undefined, handed: undefined };
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => {
          leave(waiter);
          resume(Effect.fail(new PoolExhaustedError()));
        }, timeoutMs);
      }
      line.push(waiter);
      startPump();
      // Interrupted: out of the line, and a slot handed to it meanwhile goes on.
      return Effect.sync(() => {
        leave(waiter);
        const handed = waiter.handed;
        waiter.handed = undefined;
        if (handed !== undefined) take(handed.slot, handed.scope);
      });
    }).pipe(Effect.withSpan("SessionPool.wait", { attributes: { acquireTimeout: timeoutMs } }));

  const lend = (timeoutMs: number): Effect.Effect<Lease, PoolAcquireError> =>
    Effect.suspend(() => {
      if (isClosed()) return Effect.fail(new PoolClosedError());
      // Nobody is passed in the line: an idle slot goes to whoever came first.
      const now = line.length === 0 ? idleNow() : undefined;
      if (now !== undefined) return Effect.succeed(now);
      if (timeoutMs <= 0) return Effect.fail(new PoolExhaustedError());
      return wait(timeoutMs);
    });

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
        if (isClosed() || !healthy(slot)) return Scope.close(scope, Exit.void);
        take(slot, scope);
        return Effect.void;
      }),
    release,
    close: Effect.suspend(() => {
      while (line.length > 0) failHead(new PoolClosedError());
      return Effect.andThen(
        pump === null ? Effect.void : Fiber.interrupt(pump),
        Effect.forEach(kept.slice(), release, { discard: true }),
      );
    }),
  };
}

/** Whether `Pool.get` would lend an item now, without waiting (its own fast path). */
function takesAtOnce<A, E>(pool: Pool.Pool<A, E>): boolean {
  const state = pool.state;
  return pool.config.isFixed && !state.isShuttingDown && state.waiters.size === 0 &&
    state.availableHead?.exit._tag === "Success";
}
