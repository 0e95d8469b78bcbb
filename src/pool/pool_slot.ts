/**
 * One session of the pool (a "slot"), its health, and how the pool lends it: a lease is the
 * scope that holds the slot out of the pool, an abort controller that cancels what runs on
 * it, and a view of the session that stops working once the lease ends.
 *
 * @module
 */
import { Cause, Effect, Exit, Option, type Scope } from "effect";
import {
  ChildCrashedError,
  ExecutionTimeoutError,
  ProtocolError,
  SessionClosedError,
  SessionStartError,
} from "../errors.ts";
import type { ExecuteOptions } from "../session/options.ts";
import type { Session } from "../session/session.ts";
import type { SlotState } from "./pool_status.ts";

/** A session the pool holds. */
export interface Slot {
  readonly session: Session;
  state: SlotState;
  /** Executions run on it. */
  uses: number;
  /** Its child was lost (crash, protocol breach, hard timeout, closed by a borrower). */
  lost: boolean;
  /** Its child failed while idle: the next execution's failure is not that execution's. */
  idleLost: boolean;
  /**
   * What its leases cancel with. One serves lease after lease — each execution removes its
   * listener when it ends, and a fresh signal per lease cost a measurable share of the
   * pool's overhead — and it is replaced once aborted.
   */
  controller: AbortController;
}

/** A slot lent out. */
export interface Lease {
  readonly slot: Slot;
  /** Holds the slot out of the pool; closing it gives it back. */
  readonly scope: Scope.Closeable;
  /**
   * The slot's controller as the lease began: aborted when the pool closes, or when the
   * lease ends during an execution, which it cancels.
   */
  readonly controller: AbortController;
  /** Executions started on it and not yet ended (it may count one too many, never too few). */
  running: number;
  /** Whether the lease has ended. */
  ended: boolean;
}

/** Whether the slot may be handed out. */
export function healthy(slot: Slot): boolean {
  return !slot.lost && slot.session.isAlive();
}

/** The typed failure of an exit, if it has one. */
export function failureOf<A, E>(exit: Exit.Exit<A, E>): E | undefined {
  if (Exit.isSuccess(exit)) return undefined;
  const error = Cause.findErrorOption(exit.cause);
  return Option.isSome(error) ? error.value : undefined;
}

/** Whether an execution's error means the session's R process was lost or is unusable. */
export function losesProcess(error: unknown): boolean {
  return error instanceof ChildCrashedError || error instanceof ProtocolError ||
    error instanceof SessionStartError || error instanceof SessionClosedError ||
    (error instanceof ExecutionTimeoutError && !error.stateKept);
}

/** Whether an error is what cancelling an execution (an abort, or closing) gives. */
export function isCancellation(error: unknown): boolean {
  return losesProcess(error) ||
    (error instanceof ExecutionTimeoutError && error.timeoutMs === null);
}

/** The signal an execution on a lease runs with: the caller's and the lease's. */
function signalFor(lease: Lease, signal: AbortSignal | undefined): AbortSignal {
  return signal === undefined
    ? lease.controller.signal
    : AbortSignal.any([signal, lease.controller.signal]);
}

/** Runs one execution on a lease, counting it and recording what it says of the process. */
export function executeOn(
  lease: Lease,
  code: string,
  options: ExecuteOptions | undefined,
): ReturnType<Session["execute"]> {
  const slot = lease.slot;
  return Effect.suspend(() => {
    lease.running++;
    return slot.session.execute(code, {
      ...options,
      signal: signalFor(lease, options?.signal),
    }).pipe(
      Effect.onExit((exit) =>
        Effect.sync(() => {
          lease.running--;
          slot.uses++;
          if (losesProcess(failureOf(exit))) slot.lost = true;
        })
      ),
    );
  });
}

/**
 * Ends what still runs on a lease, and gives its slot a fresh controller for the next. A
 * lease with nothing running — every `execute()`'s, when it is given back — is not aborted:
 * no listener would hear it, and its controller serves the next lease.
 */
export function abortRunning(lease: Lease): void {
  if (lease.running === 0) return;
  lease.controller.abort();
  if (lease.slot.controller === lease.controller) lease.slot.controller = new AbortController();
}

/** The session a borrower sees: it works until the lease ends. */
export function leaseView(lease: Lease, poolClosed: () => boolean): Session {
  const session = lease.slot.session;
  const ended = () =>
    new SessionClosedError(
      poolClosed() ? "Pool is closed." : "This session was given back to the pool.",
    );
  const guard = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | SessionClosedError> =>
    Effect.suspend((): Effect.Effect<A, E | SessionClosedError> =>
      lease.ended ? Effect.fail(ended()) : effect
    );
  return {
    id: session.id,
    execute: (code, options) => guard(executeOn(lease, code, options)),
    restart: guard(session.restart),
    // A borrower closing the session closes it for good: the pool replaces it.
    close: Effect.suspend(() => {
      if (lease.ended) return Effect.void;
      lease.slot.lost = true;
      return session.close;
    }),
    isAlive: () => !lease.ended && session.isAlive(),
    tools: () => session.tools(),
    info: () => session.info(),
  };
}
