/**
 * The pure execution step, driven through every event in every phase without R: which
 * event may come when, which actions it asks for, and how the execution ends.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ExecutionAction,
  type ExecutionConfig,
  type ExecutionEvent,
  type ExecutionState,
  MARKER_WAIT_MS,
} from "../../src/session/execution_types.ts";
import { beginExecution, step } from "../../src/session/execution_step.ts";
import {
  ChildCrashedError,
  ExecutionTimeoutError,
  ProtocolError,
  RExecutionError,
  RSyntaxError,
  SessionClosedError,
  ToolCallLimitError,
} from "../../src/errors.ts";
import type { ChildMessage } from "../../src/channel/protocol.ts";
import { sanitizeErrorMessage } from "../../src/tools/sanitize_error_message.ts";

const ID = 7;

function config(over: Partial<ExecutionConfig> = {}): ExecutionConfig {
  return {
    execId: ID,
    code: "f()",
    timeout: 1000,
    interruptGrace: 500,
    maxToolCalls: undefined,
    sanitizeErrors: false,
    output: ["a line"],
    ...over,
  };
}

const message = (m: ChildMessage): ExecutionEvent => ({ _tag: "Message", message: m });
const result = (value: unknown = { t: "d", v: [42] }, id = ID): ExecutionEvent =>
  message({ type: "result", id, visible: true, text: "[1] 42", value: value as null });
const rError = (fields: Partial<ChildMessage & { type: "error" }> = {}): ExecutionEvent =>
  message({ type: "error", id: ID, message: "boom", ...fields });
const toolCall = (call: number, args: Record<string, unknown> = { x: { t: "d", v: [1] } }) =>
  message({ type: "tool_call", id: ID, call, tool: "add", args: args as never });
const marker = (id = ID): ExecutionEvent => ({ _tag: "Marker", id });
const timer = (tag: "Deadline" | "Abort" | "GraceOver" | "MarkerWait", exec = ID) =>
  ({ _tag: tag, exec }) as ExecutionEvent;
const crash = new ChildCrashedError("R process died during execution (killed by SIGKILL)", {
  exitCode: null,
  signal: "SIGKILL",
  likelyCause: "it was killed",
});
const exited = (sessionClosed = false): ExecutionEvent => ({
  _tag: "Exited",
  crash,
  sessionClosed,
});

/** Runs `events` from the start; returns the last state and the actions of each event. */
function drive(events: readonly ExecutionEvent[], over: Partial<ExecutionConfig> = {}) {
  let { state } = beginExecution(config(over), false);
  const actions: (readonly ExecutionAction[])[] = [];
  for (const e of events) {
    const next = step(state, e);
    state = next.state;
    actions.push(next.actions);
  }
  return { state, actions, last: actions.at(-1) ?? [] };
}

/** The final action, which must be a failure. */
function failure(actions: readonly ExecutionAction[]) {
  const end = actions.at(-1);
  assert.ok(end?._tag === "Fail", `expected a Fail action, got ${end?._tag}`);
  return end;
}

const tags = (actions: readonly ExecutionAction[]) => actions.map((a) => a._tag);

describe("beginExecution", () => {
  it("arms the deadline and sends the code", () => {
    const { state, actions } = beginExecution(config(), false);
    assert.equal(state.phase, "running");
    assert.deepEqual(actions, [
      { _tag: "StartTimer", ms: 1000, event: { _tag: "Deadline", exec: ID } },
      { _tag: "Send", message: { type: "execute", id: ID, code: "f()" } },
    ]);
  });

  it("arms no deadline when the timeout is null", () => {
    const { actions } = beginExecution(config({ timeout: null }), false);
    assert.deepEqual(actions, [{
      _tag: "Send",
      message: { type: "execute", id: ID, code: "f()" },
    }]);
  });

  it("fails at once, unreported, when the signal was aborted before the start", () => {
    const { state, actions } = beginExecution(config(), true);
    assert.equal(state.phase, "done");
    assert.deepEqual(actions[0], {
      _tag: "Audit",
      event: "execute_timeout",
      fields: { timeout_ms: null, elapsed_ms: 0 },
    });
    const end = failure(actions);
    assert.equal(end.report, null);
    assert.ok(end.error instanceof ExecutionTimeoutError);
    assert.equal(end.error.message, "Execution aborted by its signal before it started");
    assert.equal(end.error.timeoutMs, null);
    assert.equal(end.error.stateKept, true);
  });
});

describe("step: completion", () => {
  it("succeeds when the result comes before the marker, arming the marker wait", () => {
    const { actions, state } = drive([result(), marker()]);
    assert.deepEqual(actions[0], [{
      _tag: "StartTimer",
      ms: MARKER_WAIT_MS,
      event: { _tag: "MarkerWait", exec: ID },
    }]);
    assert.deepEqual(actions[1], [{
      _tag: "Succeed",
      value: 42,
      visible: true,
      text: "[1] 42",
      textTruncated: false,
      valueOmitted: false,
      lost: [],
    }]);
    assert.equal(state.phase, "done");
  });

  it("succeeds when the marker comes before the result, with no marker wait", () => {
    const { actions } = drive([marker(), result()]);
    assert.deepEqual(actions[0], []);
    assert.deepEqual(tags(actions[1]), ["Succeed"]);
  });

  it("ignores a marker of another execution", () => {
    const { actions, state } = drive([result(), marker(ID - 1)]);
    assert.deepEqual(actions[1], []);
    assert.equal(state.marked, false);
    assert.equal(state.phase, "running");
  });

  it("says when the value was too large to send", () => {
    const { last } = drive([marker(), result({ t: "none", cls: "too_large" })]);
    assert.ok(last[0]._tag === "Succeed" && last[0].valueOmitted === true);
  });

  it("ends with an R error carrying the call, the traceback and the output", () => {
    const output = ["printed"];
    const { last } = drive([rError({ call: "f()", traceback: ["f()"] }), marker()], { output });
    const end = failure(last);
    assert.equal(end.report, "error");
    assert.ok(end.error instanceof RExecutionError);
    assert.equal(end.error.message, "boom");
    assert.equal(end.error.call, "f()");
    assert.deepEqual(end.error.traceback, ["f()"]);
    assert.equal(end.error.output, output);
  });

  it("reports an interrupted R error as such", () => {
    const { last } = drive([rError({ interrupted: true }), marker()]);
    assert.equal(failure(last).error.message, "Execution interrupted");
  });

  it("sanitizes the message only when asked", () => {
    const raw = "cannot open file '/home/someone/secret.csv': No such file";
    const plain = failure(drive([rError({ message: raw }), marker()]).last);
    assert.equal(plain.error.message, raw);
    const clean = failure(
      drive([rError({ message: raw }), marker()], { sanitizeErrors: true }).last,
    );
    assert.equal(clean.error.message, sanitizeErrorMessage(raw));
    assert.notEqual(clean.error.message, raw);
  });

  it("reads a syntax error's position from R's <text>:line:column: prefix", () => {
    const text = "<text>:2:5: unexpected symbol";
    const end = failure(drive([rError({ message: text, parse: true }), marker()]).last);
    assert.ok(end.error instanceof RSyntaxError);
    assert.equal(end.error.message, text);
    assert.equal(end.error.line, 2);
    assert.equal(end.error.column, 5);
    const bare = failure(drive([rError({ message: "bad", parse: true }), marker()]).last);
    assert.ok(bare.error instanceof RSyntaxError);
    assert.equal(bare.error.line, null);
  });

  it("ignores every event once done", () => {
    const { state } = drive([result(), marker()]);
    for (const e of [result(), marker(), timer("Deadline"), timer("GraceOver"), exited()]) {
      assert.deepEqual(step(state, e), { state, actions: [] });
    }
  });
});

describe("step: tool calls", () => {
  it("starts a call with its decoded arguments and replies when it is done", () => {
    const { actions, state } = drive([
      toolCall(1),
      { _tag: "ToolDone", call: 1, reply: { value: { t: "d", v: [2] } } },
    ]);
    assert.deepEqual(actions[0], [{
      _tag: "StartToolCall",
      call: 1,
      prepared: { tool: "add", args: { x: { wire: { t: "d", v: [1] }, value: 1 } } },
    }]);
    assert.deepEqual(actions[1], [{
      _tag: "Send",
      message: { type: "tool_reply", id: ID, call: 1, value: { t: "d", v: [2] } },
    }]);
    assert.equal(state.pendingCall, null);
  });

  it("ignores the end of a call that is not pending", () => {
    const { last } = drive([toolCall(1), { _tag: "ToolDone", call: 2, reply: { error: "x" } }]);
    assert.deepEqual(last, []);
  });

  it("treats a call while another is pending as a protocol violation", () => {
    const { last, state } = drive([toolCall(1), toolCall(2)]);
    const reason = "tool call 2 while call 1 was pending";
    assert.deepEqual(last.slice(0, 2), [
      { _tag: "Audit", event: "protocol_error", fields: { reason } },
      { _tag: "Replace", reason: `protocol error: ${reason}` },
    ]);
    const end = failure(last);
    assert.ok(end.error instanceof ProtocolError);
    assert.equal(
      end.error.message,
      `R broke the protocol (${reason}); the R process was killed and the session restarted, losing its state`,
    );
    assert.equal(state.phase, "done");
  });

  it("treats a call id that does not increase as a protocol violation", () => {
    const done = { _tag: "ToolDone", call: 3, reply: { error: "x" } } as const;
    const { last } = drive([toolCall(3), done, toolCall(3)]);
    assert.match(failure(last).error.message, /tool call 3 while call 3 was pending/);
  });

  it("treats a result while a call is pending as a protocol violation", () => {
    const { last } = drive([toolCall(1), result()]);
    assert.match(failure(last).error.message, /a result while a tool call was pending/);
  });

  it("treats malformed arguments as a protocol violation", () => {
    const { last } = drive([toolCall(1, { x: { t: "d", v: "not a list" } })]);
    const end = failure(last);
    assert.ok(end.error instanceof ProtocolError);
    assert.deepEqual(tags(last), ["Audit", "Replace", "Fail"]);
  });

  it("refuses calls past maxToolCalls and fails with ToolCallLimitError at the end", () => {
    const done = { _tag: "ToolDone", call: 1, reply: { value: null } } as const;
    const { actions, state } = drive([toolCall(1), done, toolCall(2), result(), marker()], {
      maxToolCalls: 1,
    });
    assert.deepEqual(actions[2], [
      { _tag: "Audit", event: "limit_exceeded", fields: { limit: "maxToolCalls", value: 1 } },
      {
        _tag: "Send",
        message: {
          type: "tool_reply",
          id: ID,
          call: 2,
          error: "Maximum tool calls (1) exceeded",
        },
      },
    ]);
    const end = failure(actions[4]);
    assert.ok(end.error instanceof ToolCallLimitError);
    assert.equal(end.error.limit, 1);
    assert.equal(end.error.message, "Maximum tool calls (1) exceeded");
    assert.equal(state.toolCalls, 2);
  });
});

describe("step: protocol violations", () => {
  const cases: [string, ExecutionEvent[], string][] = [
    [
      "a message for another execution",
      [result(undefined, 3)],
      "a message for execution 3 during 7",
    ],
    ["a second hello", [message({ type: "hello", secret: "s", pid: 1, r: "R" })], "a second hello"],
    ["a message after the result", [result(), rError()], "a error message after the result"],
    ["a malformed result value", [result({ t: "d", v: 5 })], "Cannot decode a value from R"],
    ["a broken channel", [{ _tag: "Broken", reason: "invalid JSON: x" }], "invalid JSON: x"],
    [
      "a missing marker",
      [result(), timer("MarkerWait")],
      "the end-of-output marker did not arrive",
    ],
  ];
  for (const [name, events, reason] of cases) {
    it(`replaces the child and fails with ProtocolError on ${name}`, () => {
      const { last, state } = drive(events);
      assert.deepEqual(tags(last), ["Audit", "Replace", "Fail"]);
      const end = failure(last);
      assert.ok(end.error instanceof ProtocolError);
      assert.equal(end.report, "error");
      assert.ok(end.error.message.includes(`(${reason}`), end.error.message);
      assert.equal(state.phase, "done");
    });
  }

  it("fails with a lost-state timeout on a violation while interrupting", () => {
    const { last } = drive([timer("Deadline"), { _tag: "Broken", reason: "x" }]);
    const end = failure(last);
    assert.ok(end.error instanceof ExecutionTimeoutError);
    assert.equal(end.error.stateKept, false);
    assert.equal(end.report, "timeout");
    assert.deepEqual(last[0], { _tag: "Audit", event: "protocol_error", fields: { reason: "x" } });
  });
});

describe("step: deadline, abort signal and interrupt grace", () => {
  it("interrupts R and arms the grace on the deadline", () => {
    const { last, state } = drive([timer("Deadline")]);
    assert.deepEqual(last, [
      { _tag: "InterruptR" },
      { _tag: "StartTimer", ms: 500, event: { _tag: "GraceOver", exec: ID } },
    ]);
    assert.equal(state.phase, "interrupting");
  });

  it("interrupts a pending tool call first", () => {
    const { last, state } = drive([toolCall(4), timer("Deadline")]);
    assert.deepEqual(tags(last), ["InterruptToolCall", "InterruptR", "StartTimer"]);
    assert.deepEqual(last[0], { _tag: "InterruptToolCall", call: 4 });
    assert.equal(state.pendingCall, null);
  });

  it("kills and replaces R when the grace runs out: the state is lost", () => {
    const { last } = drive([timer("Deadline"), timer("GraceOver")]);
    assert.deepEqual(last[0], {
      _tag: "Replace",
      reason: "execution did not stop after an interrupt",
    });
    const end = failure(last);
    assert.equal(end.report, "timeout");
    assert.ok(end.error instanceof ExecutionTimeoutError);
    assert.equal(end.error.stateKept, false);
    assert.equal(end.error.timeoutMs, 1000);
    assert.equal(
      end.error.message,
      "Execution timed out after 1 second (R did not stop and was restarted; the session state was lost)",
    );
  });

  it("keeps the state when R stops in time", () => {
    const { last } = drive([timer("Deadline"), rError({ interrupted: true }), marker()], {
      timeout: 500,
    });
    const end = failure(last);
    assert.ok(end.error instanceof ExecutionTimeoutError);
    assert.equal(end.error.stateKept, true);
    assert.equal(
      end.error.message,
      "Execution timed out after 0.5 seconds (R was interrupted; the session state was kept)",
    );
    assert.deepEqual(tags(last), ["Fail"]);
  });

  it("ignores the grace timer once R stopped", () => {
    const { last } = drive([timer("Deadline"), rError({ interrupted: true }), timer("GraceOver")]);
    assert.deepEqual(last, []);
  });

  it("treats the abort signal like the deadline, without a timeout", () => {
    const { last } = drive([timer("Abort"), rError({ interrupted: true }), marker()]);
    const end = failure(last);
    assert.equal(end.report, "aborted");
    assert.ok(end.error instanceof ExecutionTimeoutError);
    assert.equal(end.error.timeoutMs, null);
    assert.equal(
      end.error.message,
      "Execution aborted by its signal (R was interrupted; the session state was kept)",
    );
  });

  it("ignores a second deadline or abort while interrupting", () => {
    const { last } = drive([timer("Deadline"), timer("Abort")]);
    assert.deepEqual(last, []);
  });

  it("ignores the deadline once the result arrived", () => {
    const { last, state } = drive([result(), timer("Deadline")]);
    assert.deepEqual(last, []);
    assert.equal(state.phase, "running");
  });

  it("answers a tool call while interrupting with an error, without running it", () => {
    const { last } = drive([timer("Deadline"), toolCall(1)]);
    assert.deepEqual(last, [{
      _tag: "Send",
      message: { type: "tool_reply", id: ID, call: 1, error: "Execution interrupted" },
    }]);
  });

  it("ignores the timers and aborts of another execution", () => {
    const { state } = beginExecution(config(), false);
    for (const tag of ["Deadline", "Abort", "GraceOver", "MarkerWait"] as const) {
      assert.deepEqual(step(state, timer(tag, ID - 1)), { state, actions: [] });
    }
  });
});

describe("step: the child exits", () => {
  it("reports a crash while running, and has the child replaced", () => {
    const { last } = drive([exited()]);
    assert.deepEqual(last.slice(0, 2), [
      {
        _tag: "Audit",
        event: "child_crashed",
        fields: { exit_code: null, signal: "SIGKILL", likely_cause: "it was killed" },
      },
      { _tag: "Replace", reason: "the R process died" },
    ]);
    const end = failure(last);
    assert.equal(end.error, crash);
    assert.equal(end.report, "error");
  });

  it("reports SessionClosedError when the session was closed", () => {
    const end = failure(drive([exited(true)]).last);
    assert.ok(end.error instanceof SessionClosedError);
    assert.equal(end.error.message, "Session is not running.");
  });

  it("reports a lost-state timeout when R dies while interrupting", () => {
    const { last } = drive([timer("Deadline"), exited(true)]);
    assert.deepEqual(tags(last), ["Audit", "Replace", "Fail"]);
    const end = failure(last);
    assert.ok(end.error instanceof ExecutionTimeoutError);
    assert.equal(end.error.stateKept, false);
    assert.equal(end.report, "timeout");
  });

  it("reports the exit even after the result, before the marker", () => {
    const { last } = drive([result(), exited()]);
    assert.equal(failure(last).error, crash);
  });
});

describe("ExecutionState", () => {
  it("starts with nothing pending", () => {
    const { state }: { state: ExecutionState } = beginExecution(config(), false);
    assert.deepEqual({ ...state, config: null }, {
      config: null,
      phase: "running",
      abortedBy: "timeout",
      final: null,
      marked: false,
      lastCall: 0,
      toolCalls: 0,
      limitHit: false,
      pendingCall: null,
    });
  });
});
