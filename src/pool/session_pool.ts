/**
 * The session pool as an Effect program (SPEC §4, §5), on Effect's `Pool` of fixed size:
 * sessions start in parallel and are lent one borrower at a time, waiting borrowers are
 * served in FIFO order, and a session whose R process was lost is invalidated — closed and
 * replaced in the background, never lent again. `resetBetweenUses` and
 * `maxExecutionsPerSession` decide, when a session comes back, whether it is reset in the
 * background, replaced, or lent again as it is. Spare sessions are in `spare_sessions.ts`.
 *
 * @module
 */
import { Context, Deferred, Effect, Exit, FiberSet, Pool, Scope } from "effect";
import { IDLE_FAILED } from "../session/session_lifecycle.ts";
import {
  ChildCrashedError,
  type ExecuteError,
  PoolClosedError,
  ProtocolError,
  SessionStartError,
} from "../errors.ts";
import type { SessionCreateError } from "../session/make_session.ts";
import type { Session } from "../session/session.ts";
import type { ExecuteResult } from "../session/run_execution.ts";
import { resolveExecuteOptions } from "../session/options.ts";
import type { ToolInfo } from "../tools/securer_tool.ts";
import {
  checkAcquireTimeout,
  type PoolExecuteOptions,
  type PoolOptions,
  resolvePoolOptions,
} from "./pool_options.ts";
import { countStatus, formatPool, type PoolStatus } from "./pool_status.ts";
import {
  abortRunning,
  executeOn,
  failureOf,
  healthy,
  type Lease,
  leaseView,
  type Slot,
} from "./pool_slot.ts";
import { lender, type PoolAcquireError } from "./lend.ts";
import { RESET_CODE, RESET_DONE, SNAPSHOT_CODE } from "./reset_state.ts";
import { type SessionMaker, spareSessions } from "./spare_sessions.ts";

export type { PoolAcquireError } from "./lend.ts";

/** Every error the pool's `execute()` can fail with. */
export type PoolExecuteError = ExecuteError | PoolAcquireError | TypeError | RangeError;

/** A session lent by the pool (Effect API): `release` gives it back. */
export interface PoolLease {
  /** The session; it stops working (`SessionClosedError`) once the lease is released. */
  readonly session: Session;
  /** Gives the session back (cancelling what still runs on it). Safe to call twice. */
  readonly release: Effect.Effect<void>;
}

/** A pool of sessions (Effect API). Its service key is `SessionPool` in `./effect`. */
export interface SessionPool {
  /** Runs R code on the next free session. */
  execute(
    code: string,
    options?: PoolExecuteOptions,
  ): Effect.Effect<ExecuteResult, PoolExecuteError>;
  /** Lends a session until `release` (for several executions in one session). */
  acquire(
    options?: { readonly acquireTimeout?: number },
  ): Effect.Effect<PoolLease, PoolAcquireError>;
  /** Runs `f` with a lent session, given back afterwards whatever happens. */
  withSession<A, E, R>(
    f: (session: Session) => Effect.Effect<A, E, R>,
  ): Effect.Effect<A, E | PoolAcquireError, R>;
  /** Counts of the sessions by state (all zero once closed). */
  status(): PoolStatus;
  /** The pool's size (0 once closed). */
  size(): number;
  /** Sessions ready to be lent now. */
  available(): number;
  /** The tools, without their functions. */
  tools(): readonly ToolInfo[];
  /** `<SecureSessionPool> size=4 idle=4 busy=0`, or `<SecureSessionPool> [closed]`. */
  format(): string;
  /** Closes the pool: cancels what runs, closes every session. Safe to call twice. */
  readonly close: Effect.Effect<void>;
}

/** The service key of a {@linkcode SessionPool} (provided by `layerPool()` in `./effect`). */
export const SessionPool: Context.Service<SessionPool, SessionPool> = Context.Service<
  SessionPool
>("@securer/securer/SessionPool");

/**
 * Creates a pool in the current scope (closing the scope closes it); succeeds once all of
 * its sessions have started, or fails with the first session's error.
 */
export const makeSessionPool = (
  options: PoolOptions | undefined,
  makeSession: SessionMaker,
): Effect.Effect<SessionPool, SessionCreateError, Scope.Scope> =>
  Effect.gen(function* () {
    const opts = yield* Effect.try({
      try: () => resolvePoolOptions(options),
      catch: (e) => e as TypeError | RangeError,
    });
    const context = yield* Effect.context<never>();
    const runNow = (effect: Effect.Effect<void>) => void Effect.runForkWith(context)(effect);
    const poolScope = yield* Scope.make();
    const background = yield* FiberSet.make().pipe(Scope.provide(poolScope));
    const slots = new Set<Slot>();
    const leases = new Set<Lease>();
    const closeDone = yield* Deferred.make<void>();
    let closed = false;
    let starting = 0;
    const tools = { list: [] as readonly ToolInfo[] };
    // Set once the pool exists: the sessions' hooks run only after that.
    let invalidate: (slot: Slot) => void = () => undefined;

    const spares = spareSessions(
      makeSession,
      opts.session,
      opts.resetBetweenUses === "process" ? 1 : 0,
      background,
    );

    /** Makes one session for the pool, in the pool item's scope. */
    const createSlot = Effect.gen(function* () {
      starting++;
      const holder: { slot: Slot | null; lost: boolean; idle: boolean } = {
        slot: null,
        lost: false,
        idle: false,
      };
      const onChildLost = (reason: string) => {
        const slot = holder.slot;
        if (slot === null) {
          holder.lost = true;
          return;
        }
        slot.lost = true;
        if (reason === IDLE_FAILED) slot.idleLost = true;
        if (slot.state === "idle") slot.state = "dead";
        invalidate(slot);
      };
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          if (holder.slot !== null) slots.delete(holder.slot);
        })
      );
      const session = yield* spares.take(onChildLost);
      const slot: Slot = {
        session,
        state: "idle",
        uses: 0,
        lost: holder.lost,
        idleLost: false,
        controller: new AbortController(),
      };
      yield* Effect.addFinalizer(() => Effect.sync(() => void (slot.state = "dead")));
      if (opts.resetBetweenUses === "state") {
        yield* Effect.mapError(
          session.execute(SNAPSHOT_CODE, { validate: false, timeout: 30_000 }),
          (e) => new SessionStartError(`Cannot record the session's state: ${e.message}`),
        );
      }
      holder.slot = slot;
      tools.list = session.tools();
      slots.add(slot);
      return slot;
    }).pipe(Effect.ensuring(Effect.sync(() => void starting--)));

    const pool = yield* Pool.make({ acquire: createSlot, size: opts.size }).pipe(
      Scope.provide(poolScope),
    );
    const lending = lender({ pool, isClosed: () => closed, onLease: (l) => void leases.add(l) });
    invalidate = (slot) => {
      if (!closed) runNow(Effect.andThen(Pool.invalidate(pool, slot), lending.release(slot)));
    };

    /** Gives a slot back: as it is, reset in the background, or replaced. */
    const giveBack = (lease: Lease): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (lease.ended) return Effect.void;
        lease.ended = true;
        leases.delete(lease);
        abortRunning(lease);
        // Closing: the pool's shutdown closes every session; nothing is replaced.
        if (closed) return Scope.close(lease.scope, Exit.void);
        const slot = lease.slot;
        const max = opts.maxExecutionsPerSession;
        const replace = !healthy(slot) || opts.resetBetweenUses === "process" ||
          (max !== undefined && slot.uses >= max);
        if (replace) {
          slot.state = "dead";
          // Closing the session takes a while: the borrower does not wait for it.
          return FiberSet.run(
            background,
            Effect.andThen(Pool.invalidate(pool, slot), Scope.close(lease.scope, Exit.void)).pipe(
              Effect.uninterruptible,
            ),
          ).pipe(Effect.asVoid);
        }
        if (opts.resetBetweenUses !== "state") {
          slot.state = "idle";
          return lending.giveBack(slot, lease.scope);
        }
        const reset = slot.session.execute(RESET_CODE, { validate: false, timeout: 10_000 });
        return FiberSet.run(
          background,
          Effect.exit(reset).pipe(
            Effect.flatMap((exit) => {
              if (Exit.isSuccess(exit) && exit.value.value === RESET_DONE && healthy(slot)) {
                return Effect.sync(() => void (slot.state = "idle"));
              }
              slot.state = "dead";
              return Pool.invalidate(pool, slot);
            }),
            Effect.ensuring(Scope.close(lease.scope, Exit.void)),
          ),
        ).pipe(Effect.asVoid);
      });

    const waitOf = (o: { readonly acquireTimeout?: number } | undefined) =>
      checkAcquireTimeout(o?.acquireTimeout) ?? opts.acquireTimeout;
    const acquireTimeout = (o: { readonly acquireTimeout?: number } | undefined) =>
      Effect.try({ try: () => waitOf(o), catch: (e) => e as TypeError | RangeError });

    // Untraced: a span per call (and the call site it records) cost about a quarter of the
    // pool's overhead per execute. Each execution is still traced by its session's
    // `Session.execute` span, and a borrower that has to wait by `SessionPool.wait`.
    const execute = Effect.fnUntraced(function* (
      code: string,
      options?: PoolExecuteOptions,
    ) {
      // Checked before a session is taken; the session ignores `acquireTimeout`.
      const wait = yield* Effect.try({
        try: () => {
          const wait = waitOf(options);
          resolveExecuteOptions(options);
          return wait;
        },
        catch: (e) => e as TypeError | RangeError,
      });
      for (let attempt = 0;; attempt++) {
        const ran = yield* executeOnce(wait, code, options);
        if (Exit.isSuccess(ran.result)) return ran.result.value;
        const error = failureOf(ran.result);
        // The process died while idle, before this code reached it: run it elsewhere.
        const notRun = ran.slot.idleLost &&
          (error instanceof ChildCrashedError || error instanceof ProtocolError);
        if (notRun && attempt < opts.size && !closed) continue;
        if (closed && error !== undefined && error instanceof Error) {
          return yield* Effect.fail(new PoolClosedError("Pool is closed.", { cause: error }));
        }
        return yield* ran.result;
      }
    });

    /**
     * One execution on a lent session, given back whatever happens: interrupted while it
     * waits, the borrower leaves the line; interrupted once lent, the execution is cancelled
     * and the session given back before the interruption goes on.
     */
    const executeOnce = (wait: number, code: string, options: PoolExecuteOptions | undefined) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          const lease = yield* restore(lending.lend(wait));
          const result = yield* Effect.exit(restore(executeOn(lease, code, options)));
          yield* giveBack(lease);
          return { slot: lease.slot, result };
        })
      );

    const acquire = (o?: { readonly acquireTimeout?: number }) =>
      Effect.gen(function* () {
        const lease = yield* lending.lend(yield* Effect.orDie(acquireTimeout(o)));
        return { session: leaseView(lease, () => closed), release: giveBack(lease) };
      });

    const close: Effect.Effect<void> = Effect.suspend(() => {
      if (closed) return Deferred.await(closeDone);
      closed = true;
      return Effect.gen(function* () {
        for (const lease of leases) lease.controller.abort();
        for (const lease of Array.from(leases)) yield* giveBack(lease);
        yield* lending.close;
        yield* FiberSet.clear(background);
        yield* Scope.close(poolScope, Exit.void);
        yield* spares.close;
      }).pipe(Effect.ensuring(Deferred.done(closeDone, Exit.void)), Effect.uninterruptible);
    });
    yield* Effect.addFinalizer(() => close);

    // Start every session now, in parallel, and fail with the first start's error.
    yield* Effect.scoped(
      Effect.forEach(Array.from({ length: opts.size }), () => Pool.get(pool), {
        concurrency: "unbounded",
        discard: true,
      }),
    ).pipe(Effect.tapError(() => close));

    const status = () => countStatus(viewSlots(slots), starting, closed);
    return {
      execute,
      acquire,
      withSession: (f) =>
        Effect.acquireUseRelease(acquire(), (lease) => f(lease.session), (lease) => lease.release),
      status,
      size: () => (closed ? 0 : opts.size),
      available: () => status().idle,
      tools: () => tools.list,
      format: () => formatPool(opts.size, status(), closed),
      close,
    } satisfies SessionPool;
  });

function* viewSlots(slots: Iterable<Slot>) {
  for (const slot of slots) yield { state: slot.state, alive: healthy(slot) };
}
