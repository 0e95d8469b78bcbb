/**
 * The session's lifecycle as a pure state machine: the one place that decides what each
 * operation does in each state. {@linkcode transition} takes the state and an event and
 * returns the next state and the actions to perform, or a refusal (the operation fails and
 * the state is unchanged). The Effect shell (`make_session.ts`) holds the state, applies
 * the transitions and performs the actions; nothing here does I/O or uses Effect.
 *
 * States (`_tag`):
 * - `starting`, `ready`, `restarting`: idle, named after the child slot — a child is
 *   starting; a child is up; the child failed (or the last start failed) and is to be
 *   replaced.
 * - `running`: an execution holds the session (its child slot is still tracked, since the
 *   child can be replaced under a running execution).
 * - `closing`: `close()` was called and waits for the lifecycle lock; `closed`: done.
 *
 * Every open state carries the failure recorded while the child was idle (reported by the
 * next `execute()`), the executions counted so far and the last execution id. `G` is the
 * shell's generation type (compared by identity only).
 *
 * @module
 */
import {
  type ChildCrashedError,
  type ExecuteError,
  ProtocolError,
  SessionBusyError,
  SessionClosedError,
} from "../errors.ts";
import type { ExitStatus } from "../platform/process.ts";
import type { AuditEvent } from "./session_log.ts";

/** The child of an open session: starting, up, or failed and awaiting its replacement. */
export type ChildSlot<G> =
  | { readonly _tag: "starting" }
  | { readonly _tag: "ready"; readonly gen: G }
  /** `gen`: the failed child (until it is disposed), or `null` when the last start failed. */
  | { readonly _tag: "restarting"; readonly gen: G | null };

/** An open session: idle (named after its child slot) or running an execution. */
export interface OpenState<G> {
  readonly _tag: "starting" | "ready" | "restarting" | "running";
  readonly child: ChildSlot<G>;
  /** A failure of the idle child, reported by the next `execute()`. */
  readonly pendingFailure: ExecuteError | null;
  /** Executions counted so far (past the pre-checks). */
  readonly executions: number;
  /** The id of the last execution. */
  readonly lastExecId: number;
}

/** `close()` was called; `gen` is the child to dispose once the lifecycle lock is held. */
export interface ClosingState<G> {
  readonly _tag: "closing";
  readonly gen: G | null;
  readonly executions: number;
}

/** The session is closed. */
export interface ClosedState {
  readonly _tag: "closed";
  readonly executions: number;
}

/** Every state of a session. */
export type LifecycleState<G> = OpenState<G> | ClosingState<G> | ClosedState;

/** How an idle child failed: it exited, or it broke the protocol. */
export type IdleFailure =
  | { readonly _tag: "Exited"; readonly status: ExitStatus; readonly error: ChildCrashedError }
  | { readonly _tag: "Broke"; readonly reason: string };

/**
 * What happens to a session. `*Requested` events come from the public operations; the
 * `*Begins`/`*Proceeds`/`*Retried` ones are applied by the shell under the lifecycle lock
 * once no start is in progress.
 */
export type LifecycleEvent<G> =
  | { readonly _tag: "StartSucceeded"; readonly gen: G }
  | { readonly _tag: "StartFailed" }
  | { readonly _tag: "ExecuteRequested" }
  | { readonly _tag: "PreChecksPassed" }
  | { readonly _tag: "AcquireRequested" }
  | { readonly _tag: "AcquireRetried" }
  | { readonly _tag: "ExecutionBegins" }
  | { readonly _tag: "IdleFailureChecked" }
  | { readonly _tag: "ExecuteFinished" }
  | { readonly _tag: "ChildFailedIdle"; readonly gen: G; readonly failure: IdleFailure }
  | { readonly _tag: "ChildLost"; readonly gen: G; readonly reason: string }
  | { readonly _tag: "ReplaceBegins"; readonly gen: G; readonly reason: string }
  | { readonly _tag: "RestartRequested" }
  | { readonly _tag: "RestartBegins" }
  | { readonly _tag: "RestartProceeds" }
  | { readonly _tag: "CloseRequested" }
  | { readonly _tag: "CloseProceeds" };

/** What the shell does. `Use`, `Run` and `Fail` are outcomes for the operation itself. */
export type LifecycleAction<G> =
  /** Start a new child in the background. */
  | { readonly _tag: "Launch" }
  /** Mark the child dead, kill it and close its scope. */
  | { readonly _tag: "Dispose"; readonly gen: G }
  /** Mark the child dead and kill it now. */
  | { readonly _tag: "Kill"; readonly gen: G }
  /** Replace the child in the background (applies `ReplaceBegins` under the lock). */
  | { readonly _tag: "Replace"; readonly gen: G; readonly reason: string }
  | {
    readonly _tag: "Audit";
    readonly event: AuditEvent;
    readonly fields?: Record<string, unknown>;
  }
  | { readonly _tag: "Verbose"; readonly line: string }
  /** Run the execution on this child. */
  | { readonly _tag: "Use"; readonly gen: G }
  /** The execution's id. */
  | { readonly _tag: "Run"; readonly execId: number }
  /** Fail the operation with this (recorded) error. */
  | { readonly _tag: "Fail"; readonly error: ExecuteError };

/** The next state and the actions to perform, in order. */
export interface Transition<G> {
  readonly _tag: "Transition";
  readonly state: LifecycleState<G>;
  readonly actions: readonly LifecycleAction<G>[];
}

/** The operation is refused in this state; the state is unchanged. */
export interface Refusal {
  readonly _tag: "Refusal";
  readonly error: SessionClosedError | SessionBusyError;
}

const CLOSED = "Session is not running.";
const BUSY_EXECUTE =
  "<SecureSession> does not support concurrent `execute()` calls; wait for the current execution to complete.";
const BUSY_RESTART = "Cannot restart while an execution is in progress.";
const RESTARTING = "Restarting session";
/** The reason given when an idle child is replaced (it died or broke the protocol while idle). */
export const IDLE_FAILED = "the R process failed while idle";

/** The state of a new session: its first child is starting. */
export function initialState<G>(): LifecycleState<G> {
  return {
    _tag: "starting",
    child: { _tag: "starting" },
    pendingFailure: null,
    executions: 0,
    lastExecId: 0,
  };
}

/** The child to report in `info()` and `isAlive()`: the current one, even if it failed. */
export function currentGen<G>(state: LifecycleState<G>): G | null {
  if (state._tag === "closed") return null;
  if (state._tag === "closing") return state.gen;
  return state.child._tag === "starting" ? null : state.child.gen;
}

/** Whether `close()` was called. */
export function isClosing<G>(state: LifecycleState<G>): boolean {
  return state._tag === "closing" || state._tag === "closed";
}

/** The single place deciding what an event does in a state. */
export function transition<G>(
  state: LifecycleState<G>,
  event: LifecycleEvent<G>,
): Transition<G> | Refusal {
  if (state._tag === "closing" || state._tag === "closed") return whenClosing(state, event);
  switch (event._tag) {
    case "StartSucceeded":
      return to(withChild<G>(state, { _tag: "ready", gen: event.gen }));
    case "StartFailed":
      return to(withChild<G>(state, { _tag: "restarting", gen: null }));
    case "ExecuteRequested":
      if (state._tag === "running") return refuse(new SessionBusyError(BUSY_EXECUTE));
      return to({ ...state, _tag: "running" });
    case "PreChecksPassed":
      return to({ ...state, executions: state.executions + 1 });
    case "AcquireRequested":
      return to(state, state.child._tag === "ready" ? [{ _tag: "Use", gen: state.child.gen }] : []);
    case "AcquireRetried":
      return acquireRetried(state);
    case "ExecutionBegins":
      if (state.pendingFailure !== null) return reportFailure(state, state.pendingFailure);
      return to({ ...state, lastExecId: state.lastExecId + 1 }, [
        { _tag: "Run", execId: state.lastExecId + 1 },
      ]);
    case "IdleFailureChecked":
      return state.pendingFailure === null ? to(state) : reportFailure(state, state.pendingFailure);
    case "ExecuteFinished":
      return to(state._tag === "running" ? { ...state, _tag: state.child._tag } : state);
    default:
      return childEvent(state, event);
  }
}

/** Events about the child, and restarts and closing, in an open state. */
function childEvent<G>(state: OpenState<G>, event: LifecycleEvent<G>): Transition<G> | Refusal {
  const current = currentGen(state);
  switch (event._tag) {
    case "ChildFailedIdle":
      return to(
        {
          ...(current === event.gen && state.child._tag === "ready" ? lost(state) : state),
          pendingFailure: idleError(event.failure),
        },
        [idleAudit(event.failure), { _tag: "Replace", gen: event.gen, reason: IDLE_FAILED }],
      );
    case "ChildLost":
      return to(current === event.gen && state.child._tag === "ready" ? lost(state) : state, [
        { _tag: "Kill", gen: event.gen },
        { _tag: "Replace", gen: event.gen, reason: event.reason },
      ]);
    case "ReplaceBegins":
      if (current !== event.gen) return to(state, [{ _tag: "Dispose", gen: event.gen }]);
      return to<G>(withChild<G>(state, { _tag: "starting" }), [
        ...restartLog(event.reason),
        { _tag: "Dispose", gen: event.gen },
        { _tag: "Launch" },
      ]);
    case "RestartRequested":
      return state._tag === "running" ? refuse(new SessionBusyError(BUSY_RESTART)) : to(state);
    case "RestartBegins":
      return to(state, restartLog("requested"));
    case "RestartProceeds": {
      const cleared = { ...state, pendingFailure: null };
      if (state.child._tag === "starting") return to(cleared);
      return to(withChild(cleared, { _tag: "starting" }), [
        ...(current === null ? [] : [{ _tag: "Dispose", gen: current } as const]),
        { _tag: "Launch" },
      ]);
    }
    case "CloseRequested":
      return to({ _tag: "closing", gen: current, executions: state.executions });
    case "CloseProceeds":
      return whenClosing({ _tag: "closing", gen: current, executions: state.executions }, event);
    default:
      return to(state);
  }
}

/** Under the lock, with no start in progress: relaunch a failed child, or use the one up. */
function acquireRetried<G>(state: OpenState<G>): Transition<G> {
  const child = state.child;
  if (child._tag === "ready") return to(state, [{ _tag: "Use", gen: child.gen }]);
  if (child._tag === "starting") return to(state);
  return to<G>(withChild<G>(state, { _tag: "starting" }), [
    ...restartLog(child.gen === null ? "the last start failed" : "the R process failed"),
    { _tag: "Launch" },
  ]);
}

/** Once `close()` was called: operations are refused and children are disposed. */
function whenClosing<G>(
  state: ClosingState<G> | ClosedState,
  event: LifecycleEvent<G>,
): Transition<G> | Refusal {
  switch (event._tag) {
    case "ExecuteRequested":
    case "AcquireRequested":
    case "AcquireRetried":
    case "ExecutionBegins":
    case "RestartRequested":
    case "RestartBegins":
    case "RestartProceeds":
      return refuse(new SessionClosedError(CLOSED));
    case "PreChecksPassed":
      return to({ ...state, executions: state.executions + 1 });
    case "StartSucceeded":
    case "ReplaceBegins":
      return to(state, [{ _tag: "Dispose", gen: event.gen }]);
    case "ChildFailedIdle":
      return to(state, [{ _tag: "Replace", gen: event.gen, reason: IDLE_FAILED }]);
    case "ChildLost":
      return to(state, [
        { _tag: "Kill", gen: event.gen },
        { _tag: "Replace", gen: event.gen, reason: event.reason },
      ]);
    case "CloseProceeds":
      if (state._tag === "closed") return to(state);
      return to({ _tag: "closed", executions: state.executions }, [
        ...(state.gen === null ? [] : [{ _tag: "Dispose", gen: state.gen } as const]),
        { _tag: "Audit", event: "session_close" },
        { _tag: "Verbose", line: "Session closed" },
      ]);
    default:
      return to(state);
  }
}

function to<G>(
  state: LifecycleState<G>,
  actions: readonly LifecycleAction<G>[] = [],
): Transition<G> {
  return { _tag: "Transition", state, actions };
}

function refuse(error: SessionClosedError | SessionBusyError): Refusal {
  return { _tag: "Refusal", error };
}

/** The state with a new child slot; an idle state is renamed after it. */
function withChild<G>(state: OpenState<G>, child: ChildSlot<G>): OpenState<G> {
  return { ...state, child, _tag: state._tag === "running" ? "running" : child._tag };
}

/** The current child failed: it awaits its replacement. */
function lost<G>(state: OpenState<G>): OpenState<G> {
  return withChild<G>(state, { _tag: "restarting", gen: currentGen(state) });
}

function reportFailure<G>(state: OpenState<G>, error: ExecuteError): Transition<G> {
  return to({ ...state, pendingFailure: null }, [{ _tag: "Fail", error }]);
}

function restartLog(reason: string): LifecycleAction<never>[] {
  return [
    { _tag: "Verbose", line: RESTARTING },
    { _tag: "Audit", event: "session_restart", fields: { reason } },
  ];
}

function idleError(failure: IdleFailure): ExecuteError {
  return failure._tag === "Exited" ? failure.error : new ProtocolError(
    `R broke the protocol while idle (${failure.reason}); the session was restarted and its state lost`,
  );
}

function idleAudit(failure: IdleFailure): LifecycleAction<never> {
  return failure._tag === "Exited"
    ? {
      _tag: "Audit",
      event: "child_crashed",
      fields: { exit_code: failure.status.code, signal: failure.status.signal, while: "idle" },
    }
    : { _tag: "Audit", event: "protocol_error", fields: { reason: failure.reason } };
}
