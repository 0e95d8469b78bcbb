/**
 * The decisions of one execution (SPEC §9) as a pure state machine: which event may come
 * when, what it does, and when the execution ends. {@linkcode beginExecution} gives the
 * first state and actions; {@linkcode step} takes one event and returns the next state and
 * the actions to perform. The Effect shell (`run_execution.ts`) takes the events from the
 * child's queue and performs the actions; nothing here does I/O or uses Effect.
 *
 * The phases: `running` (R is executing), `interrupting` (the deadline or the abort signal
 * fired: R was asked to stop and has `interruptGrace` to do so) and `done` (a `Succeed` or
 * `Fail` action was emitted; later events are ignored).
 *
 * An execution completes when both its final message (a result or an error) and its
 * end-of-output marker have arrived, in either order. Anything out of order is a protocol
 * violation, which has the session replace the child.
 *
 * @module
 */
import {
  type ChildCrashedError,
  type ExecuteError,
  ExecutionTimeoutError,
  SessionClosedError,
  ToolCallLimitError,
} from "../errors.ts";
import type { ChildMessage } from "../channel/protocol.ts";
import { decodeFromR } from "../channel/from_wire.ts";
import { WireFormatError, WireLimitError } from "../channel/wire_value.ts";
import { protocolError, rError, timeoutError } from "./execution_errors.ts";
import { prepareToolCall } from "./prepare_tool_call.ts";

import {
  type ExecutionAction,
  type ExecutionConfig,
  type ExecutionEvent,
  type ExecutionState,
  type ExecutionStep,
  type FailureReport,
  MARKER_WAIT_MS,
  type TimerEvent,
} from "./execution_types.ts";

/**
 * Starts an execution: arms the deadline and sends the code, or fails at once when the
 * abort signal fired before the start.
 */
export function beginExecution(config: ExecutionConfig, signalAborted: boolean): ExecutionStep {
  const state: ExecutionState = {
    config,
    phase: "running",
    abortedBy: "timeout",
    final: null,
    marked: false,
    lastCall: 0,
    toolCalls: 0,
    limitHit: false,
    pendingCall: null,
  };
  if (signalAborted) {
    const error = new ExecutionTimeoutError("Execution aborted by its signal before it started", {
      timeoutMs: null,
      stateKept: true,
    });
    return {
      state: { ...state, phase: "done" },
      actions: [
        { _tag: "Audit", event: "execute_timeout", fields: { timeout_ms: null, elapsed_ms: 0 } },
        { _tag: "Fail", error, report: null },
      ],
    };
  }
  const deadline = config.timeout === null
    ? []
    : [timer(config.timeout, "Deadline", config.execId)];
  return {
    state,
    actions: [...deadline, {
      _tag: "Send",
      message: {
        type: "execute",
        id: config.execId,
        code: config.code,
        ...(config.capture === undefined ? {} : { capture: config.capture }),
      },
    }],
  };
}

/** Takes one event: returns the next state and the actions to perform. */
export function step(state: ExecutionState, event: ExecutionEvent): ExecutionStep {
  if (state.phase === "done") return unchanged(state);
  const next = react(state, event);
  if (next.state.phase === "done" || next.state.final === null || !next.state.marked) return next;
  const done = complete(next.state);
  return { state: done.state, actions: [...next.actions, ...done.actions] };
}

function react(state: ExecutionState, event: ExecutionEvent): ExecutionStep {
  const { execId } = state.config;
  switch (event._tag) {
    case "Message":
      return onMessage(state, event.message);
    case "ToolDone":
      if (state.pendingCall !== event.call) return unchanged(state);
      return {
        state: { ...state, pendingCall: null },
        actions: [{
          _tag: "Send",
          message: { type: "tool_reply", id: execId, call: event.call, ...event.reply },
        }],
      };
    case "Marker":
      return { state: event.id === execId ? { ...state, marked: true } : state, actions: [] };
    case "Deadline":
    case "Abort":
      if (event.exec !== execId || state.final !== null || state.phase !== "running") {
        return unchanged(state);
      }
      return {
        state: {
          ...state,
          phase: "interrupting",
          abortedBy: event._tag === "Abort" ? "signal" : "timeout",
          pendingCall: null,
        },
        actions: [
          ...(state.pendingCall === null
            ? []
            : [{ _tag: "InterruptToolCall", call: state.pendingCall } as const]),
          { _tag: "InterruptR" },
          timer(state.config.interruptGrace, "GraceOver", execId),
        ],
      };
    case "GraceOver":
      if (event.exec !== execId || state.final !== null) return unchanged(state);
      return fail(
        state,
        [replace("execution did not stop after an interrupt")],
        timedOut(state, false),
      );
    case "MarkerWait":
      if (event.exec !== execId || state.marked) return unchanged(state);
      return violation(state, "the end-of-output marker did not arrive");
    case "Broken":
      return violation(state, event.reason);
    case "Exited":
      return onExited(state, event.crash, event.sessionClosed);
  }
}

function onMessage(state: ExecutionState, m: ChildMessage): ExecutionStep {
  const { execId } = state.config;
  if (state.final !== null) return violation(state, `a ${m.type} message after the result`);
  if (m.type === "hello") return violation(state, "a second hello");
  if (m.id !== execId) return violation(state, `a message for execution ${m.id} during ${execId}`);
  if (m.type === "tool_call") return onToolCall(state, m);
  // The shell hands these to the execution's collector; one reaching here is out of place.
  if (m.type === "blob" || m.type === "dropped") {
    return violation(state, `a stray ${m.type} message`);
  }
  if (state.pendingCall !== null && state.phase === "running") {
    return violation(state, "a result while a tool call was pending");
  }
  let value: unknown = null;
  let tooLarge = false;
  let lost: readonly string[] = [];
  if (m.type === "result") {
    try {
      const decoded = decodeFromR(m.value);
      ({ value, lost } = decoded);
      tooLarge = decoded.omitted;
    } catch (e) {
      // Too large to decode is not a violation: R is fine, the value is omitted.
      if (!(e instanceof WireLimitError)) return violation(state, (e as Error).message);
      tooLarge = true;
      lost = [e.message.replace(/^Cannot decode a value from R: it/, "the value")];
    }
  }
  return {
    state: { ...state, final: { message: m, value, tooLarge, lost } },
    actions: state.marked ? [] : [timer(MARKER_WAIT_MS, "MarkerWait", execId)],
  };
}

function onToolCall(
  state: ExecutionState,
  m: Extract<ChildMessage, { readonly type: "tool_call" }>,
): ExecutionStep {
  const { execId, maxToolCalls } = state.config;
  if (state.pendingCall !== null || m.call <= state.lastCall) {
    return violation(
      state,
      `tool call ${m.call} while call ${state.pendingCall ?? state.lastCall} was pending`,
    );
  }
  const reply = (error: string): ExecutionAction => ({
    _tag: "Send",
    message: { type: "tool_reply", id: execId, call: m.call, error },
  });
  if (state.phase === "interrupting") {
    return { state: { ...state, lastCall: m.call }, actions: [reply("Execution interrupted")] };
  }
  const counted = { ...state, lastCall: m.call, toolCalls: state.toolCalls + 1 };
  if (maxToolCalls !== undefined && counted.toolCalls > maxToolCalls) {
    return {
      state: { ...counted, limitHit: true },
      actions: [
        {
          _tag: "Audit",
          event: "limit_exceeded",
          fields: { limit: "maxToolCalls", value: maxToolCalls },
        },
        reply(`Maximum tool calls (${maxToolCalls}) exceeded`),
      ],
    };
  }
  const prepared = prepareToolCall(m);
  if (prepared instanceof WireLimitError) {
    // Well formed but too large to decode: R gets an error, as for any refused argument.
    return {
      state: counted,
      actions: [
        reply(
          `Tool '${m.tool}': ${
            prepared.message.replace(/^Cannot decode a value/, "cannot receive an argument")
          }`,
        ),
      ],
    };
  }
  if (prepared instanceof WireFormatError) return violation(counted, prepared.message);
  return {
    state: { ...counted, pendingCall: m.call },
    actions: [{ _tag: "StartToolCall", call: m.call, prepared }],
  };
}

function onExited(
  state: ExecutionState,
  crash: ChildCrashedError,
  sessionClosed: boolean,
): ExecutionStep {
  const error: ExecuteError = state.phase === "interrupting"
    ? timedOut(state, false)
    : sessionClosed
    ? new SessionClosedError("Session is not running.")
    : crash;
  const fields = {
    exit_code: crash.exitCode,
    signal: crash.signal,
    likely_cause: crash.likelyCause,
  };
  return fail(state, [
    { _tag: "Audit", event: "child_crashed", fields },
    replace("the R process died"),
  ], error);
}

/** Both the final message and the marker arrived: the outcome. */
function complete(state: ExecutionState): ExecutionStep {
  const { config } = state;
  const m = state.final!.message;
  if (state.phase === "interrupting") return fail(state, [], timedOut(state, true));
  if (state.limitHit) {
    const error = new ToolCallLimitError(
      `Maximum tool calls (${config.maxToolCalls}) exceeded`,
      { limit: config.maxToolCalls ?? 0, output: config.output },
    );
    return fail(state, [], error);
  }
  if (m.type === "error") return fail(state, [], rError(m, config.sanitizeErrors, config.output));
  const wire = m.value as { t?: string; cls?: string } | null;
  return finish(state, [], {
    _tag: "Succeed",
    value: state.final!.value,
    visible: m.visible,
    text: m.text,
    textTruncated: m.textTruncated === true,
    valueOmitted: state.final!.tooLarge === true ||
      (wire !== null && wire.t === "none" && wire.cls === "too_large"),
    lost: state.final!.lost ?? [],
  });
}

/** R broke the protocol: the child is replaced and the execution fails. */
function violation(state: ExecutionState, reason: string): ExecutionStep {
  const error: ExecuteError = state.phase === "interrupting"
    ? timedOut(state, false)
    : protocolError(reason);
  return fail(state, [
    { _tag: "Audit", event: "protocol_error", fields: { reason } },
    replace(`protocol error: ${reason}`),
  ], error);
}

function unchanged(state: ExecutionState): ExecutionStep {
  return { state, actions: [] };
}

function finish(
  state: ExecutionState,
  before: readonly ExecutionAction[],
  end: ExecutionAction,
): ExecutionStep {
  return { state: { ...state, phase: "done" }, actions: [...before, end] };
}

/** Ends the execution with `error`, after the actions `before`. */
function fail(
  state: ExecutionState,
  before: readonly ExecutionAction[],
  error: ExecuteError,
): ExecutionStep {
  const report: FailureReport = !(error instanceof ExecutionTimeoutError)
    ? "error"
    : state.abortedBy === "signal"
    ? "aborted"
    : "timeout";
  return finish(state, before, { _tag: "Fail", error, report });
}

function replace(reason: string): ExecutionAction {
  return { _tag: "Replace", reason };
}

function timer(ms: number, tag: TimerEvent["_tag"], exec: number): ExecutionAction {
  return { _tag: "StartTimer", ms, event: { _tag: tag, exec } };
}

function timedOut(state: ExecutionState, stateKept: boolean): ExecutionTimeoutError {
  const { timeout, output } = state.config;
  return timeoutError(state.abortedBy, timeout, stateKept, output);
}
