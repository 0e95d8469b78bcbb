/**
 * The session lifecycle, without R: every state × every event → the next state and the
 * actions, or the refusal. Generations are plain strings here (`g1` is the current child,
 * `g2` another one). The table reads `next state | actions` or `! refusal`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ChildSlot,
  currentGen,
  type IdleFailure,
  initialState,
  type LifecycleAction,
  type LifecycleEvent,
  type LifecycleState,
  transition,
} from "../../src/session/session_lifecycle.ts";
import {
  ChildCrashedError,
  ExecutionTimeoutError,
  ProtocolError,
  SessionBusyError,
  SessionClosedError,
} from "../../src/errors.ts";

type G = string;

const crash = new ChildCrashedError("R process died while idle (killed by SIGKILL): x", {
  exitCode: null,
  signal: "SIGKILL",
});
const exitedIdle: IdleFailure = {
  _tag: "Exited",
  status: { code: null, signal: "SIGKILL" },
  error: crash,
};

const slots: Record<string, ChildSlot<G>> = {
  "starting": { _tag: "starting" },
  "ready:g1": { _tag: "ready", gen: "g1" },
  "restarting:g1": { _tag: "restarting", gen: "g1" },
  "restarting:-": { _tag: "restarting", gen: null },
};

function open(child: ChildSlot<G>, running: boolean): LifecycleState<G> {
  return {
    _tag: running ? "running" : child._tag,
    child,
    pendingFailure: null,
    executions: 0,
    lastExecId: 0,
  };
}

/** Every state, by the name the table uses. */
const STATES: Record<string, LifecycleState<G>> = {
  ...Object.fromEntries(Object.entries(slots).map(([k, c]) => [k, open(c, false)])),
  ...Object.fromEntries(Object.entries(slots).map(([k, c]) => [`running(${k})`, open(c, true)])),
  "closing:g1": { _tag: "closing", gen: "g1", executions: 0 },
  "closing:-": { _tag: "closing", gen: null, executions: 0 },
  "closed": { _tag: "closed", executions: 0 },
};

/** Every event, by the name the table uses. */
const EVENTS: Record<string, LifecycleEvent<G>> = {
  StartSucceeded: { _tag: "StartSucceeded", gen: "g2" },
  StartFailed: { _tag: "StartFailed" },
  ExecuteRequested: { _tag: "ExecuteRequested" },
  PreChecksPassed: { _tag: "PreChecksPassed" },
  AcquireRequested: { _tag: "AcquireRequested" },
  AcquireRetried: { _tag: "AcquireRetried" },
  ExecutionBegins: { _tag: "ExecutionBegins" },
  IdleFailureChecked: { _tag: "IdleFailureChecked" },
  ExecuteFinished: { _tag: "ExecuteFinished" },
  ChildFailedIdle: { _tag: "ChildFailedIdle", gen: "g1", failure: exitedIdle },
  ChildLost: { _tag: "ChildLost", gen: "g1", reason: "the R process died" },
  ReplaceBegins: { _tag: "ReplaceBegins", gen: "g1", reason: "the R process died" },
  ReplaceStale: { _tag: "ReplaceBegins", gen: "g2", reason: "the R process died" },
  RestartRequested: { _tag: "RestartRequested" },
  RestartBegins: { _tag: "RestartBegins" },
  RestartProceeds: { _tag: "RestartProceeds" },
  CloseRequested: { _tag: "CloseRequested" },
  CloseProceeds: { _tag: "CloseProceeds" },
};

function nameOf(state: LifecycleState<G>): string {
  if (state._tag === "closed") return counters("closed", state.executions, 0, null);
  if (state._tag === "closing") {
    return counters(`closing:${state.gen ?? "-"}`, state.executions, 0, null);
  }
  const c = state.child;
  const child = c._tag === "starting" ? "starting" : `${c._tag}:${c.gen ?? "-"}`;
  const name = state._tag === "running" ? `running(${child})` : child;
  assert.ok(
    state._tag === "running" || state._tag === c._tag,
    "an idle state is named after its child",
  );
  return counters(name, state.executions, state.lastExecId, state.pendingFailure);
}

function counters(name: string, executions: number, lastExecId: number, pending: unknown): string {
  return name + (executions ? ` e${executions}` : "") + (lastExecId ? ` x${lastExecId}` : "") +
    (pending ? " +failure" : "");
}

function actionName(a: LifecycleAction<G>): string {
  switch (a._tag) {
    case "Dispose":
    case "Kill":
    case "Replace":
    case "Use":
      return `${a._tag}:${a.gen}`;
    case "Audit":
      return `Audit:${a.event}`;
    case "Run":
      return `Run:${a.execId}`;
    default:
      return a._tag;
  }
}

function outcome(state: LifecycleState<G>, event: LifecycleEvent<G>): string {
  const next = transition(state, event);
  if (next._tag === "Refusal") return `! ${next.error.name}`;
  return [nameOf(next.state), ...next.actions.map(actionName)].join(" | ");
}

const CLOSED = "! SessionClosedError";
const BUSY = "! SessionBusyError";
const RELAUNCH = "Verbose | Audit:session_restart | Launch";
const REPLACE = "Verbose | Audit:session_restart | Dispose:g1 | Launch";
const CRASHED = "+failure | Audit:child_crashed | Replace:g1";

/** event → state → expected outcome. */
const TABLE: Record<string, Record<string, string>> = {
  StartSucceeded: {
    "starting": "ready:g2",
    "ready:g1": "ready:g2",
    "restarting:g1": "ready:g2",
    "restarting:-": "ready:g2",
    "running(starting)": "running(ready:g2)",
    "running(ready:g1)": "running(ready:g2)",
    "running(restarting:g1)": "running(ready:g2)",
    "running(restarting:-)": "running(ready:g2)",
    "closing:g1": "closing:g1 | Dispose:g2",
    "closing:-": "closing:- | Dispose:g2",
    "closed": "closed | Dispose:g2",
  },
  StartFailed: {
    "starting": "restarting:-",
    "ready:g1": "restarting:-",
    "restarting:g1": "restarting:-",
    "restarting:-": "restarting:-",
    "running(starting)": "running(restarting:-)",
    "running(ready:g1)": "running(restarting:-)",
    "running(restarting:g1)": "running(restarting:-)",
    "running(restarting:-)": "running(restarting:-)",
    "closing:g1": "closing:g1",
    "closing:-": "closing:-",
    "closed": "closed",
  },
  ExecuteRequested: {
    "starting": "running(starting)",
    "ready:g1": "running(ready:g1)",
    "restarting:g1": "running(restarting:g1)",
    "restarting:-": "running(restarting:-)",
    "running(starting)": BUSY,
    "running(ready:g1)": BUSY,
    "running(restarting:g1)": BUSY,
    "running(restarting:-)": BUSY,
    "closing:g1": CLOSED,
    "closing:-": CLOSED,
    "closed": CLOSED,
  },
  PreChecksPassed: {
    "starting": "starting e1",
    "ready:g1": "ready:g1 e1",
    "restarting:g1": "restarting:g1 e1",
    "restarting:-": "restarting:- e1",
    "running(starting)": "running(starting) e1",
    "running(ready:g1)": "running(ready:g1) e1",
    "running(restarting:g1)": "running(restarting:g1) e1",
    "running(restarting:-)": "running(restarting:-) e1",
    "closing:g1": "closing:g1 e1",
    "closing:-": "closing:- e1",
    "closed": "closed e1",
  },
  AcquireRequested: {
    "starting": "starting",
    "ready:g1": "ready:g1 | Use:g1",
    "restarting:g1": "restarting:g1",
    "restarting:-": "restarting:-",
    "running(starting)": "running(starting)",
    "running(ready:g1)": "running(ready:g1) | Use:g1",
    "running(restarting:g1)": "running(restarting:g1)",
    "running(restarting:-)": "running(restarting:-)",
    "closing:g1": CLOSED,
    "closing:-": CLOSED,
    "closed": CLOSED,
  },
  AcquireRetried: {
    "starting": "starting",
    "ready:g1": "ready:g1 | Use:g1",
    "restarting:g1": `starting | ${RELAUNCH}`,
    "restarting:-": `starting | ${RELAUNCH}`,
    "running(starting)": "running(starting)",
    "running(ready:g1)": "running(ready:g1) | Use:g1",
    "running(restarting:g1)": `running(starting) | ${RELAUNCH}`,
    "running(restarting:-)": `running(starting) | ${RELAUNCH}`,
    "closing:g1": CLOSED,
    "closing:-": CLOSED,
    "closed": CLOSED,
  },
  ExecutionBegins: {
    "starting": "starting x1 | Run:1",
    "ready:g1": "ready:g1 x1 | Run:1",
    "restarting:g1": "restarting:g1 x1 | Run:1",
    "restarting:-": "restarting:- x1 | Run:1",
    "running(starting)": "running(starting) x1 | Run:1",
    "running(ready:g1)": "running(ready:g1) x1 | Run:1",
    "running(restarting:g1)": "running(restarting:g1) x1 | Run:1",
    "running(restarting:-)": "running(restarting:-) x1 | Run:1",
    "closing:g1": CLOSED,
    "closing:-": CLOSED,
    "closed": CLOSED,
  },
  IdleFailureChecked: {
    "starting": "starting",
    "ready:g1": "ready:g1",
    "restarting:g1": "restarting:g1",
    "restarting:-": "restarting:-",
    "running(starting)": "running(starting)",
    "running(ready:g1)": "running(ready:g1)",
    "running(restarting:g1)": "running(restarting:g1)",
    "running(restarting:-)": "running(restarting:-)",
    "closing:g1": "closing:g1",
    "closing:-": "closing:-",
    "closed": "closed",
  },
  ExecuteFinished: {
    "starting": "starting",
    "ready:g1": "ready:g1",
    "restarting:g1": "restarting:g1",
    "restarting:-": "restarting:-",
    "running(starting)": "starting",
    "running(ready:g1)": "ready:g1",
    "running(restarting:g1)": "restarting:g1",
    "running(restarting:-)": "restarting:-",
    "closing:g1": "closing:g1",
    "closing:-": "closing:-",
    "closed": "closed",
  },
  ChildFailedIdle: {
    "starting": `starting ${CRASHED}`,
    "ready:g1": `restarting:g1 ${CRASHED}`,
    "restarting:g1": `restarting:g1 ${CRASHED}`,
    "restarting:-": `restarting:- ${CRASHED}`,
    "running(starting)": `running(starting) ${CRASHED}`,
    "running(ready:g1)": `running(restarting:g1) ${CRASHED}`,
    "running(restarting:g1)": `running(restarting:g1) ${CRASHED}`,
    "running(restarting:-)": `running(restarting:-) ${CRASHED}`,
    "closing:g1": "closing:g1 | Replace:g1",
    "closing:-": "closing:- | Replace:g1",
    "closed": "closed | Replace:g1",
  },
  ChildLost: {
    "starting": "starting | Kill:g1 | Replace:g1",
    "ready:g1": "restarting:g1 | Kill:g1 | Replace:g1",
    "restarting:g1": "restarting:g1 | Kill:g1 | Replace:g1",
    "restarting:-": "restarting:- | Kill:g1 | Replace:g1",
    "running(starting)": "running(starting) | Kill:g1 | Replace:g1",
    "running(ready:g1)": "running(restarting:g1) | Kill:g1 | Replace:g1",
    "running(restarting:g1)": "running(restarting:g1) | Kill:g1 | Replace:g1",
    "running(restarting:-)": "running(restarting:-) | Kill:g1 | Replace:g1",
    "closing:g1": "closing:g1 | Kill:g1 | Replace:g1",
    "closing:-": "closing:- | Kill:g1 | Replace:g1",
    "closed": "closed | Kill:g1 | Replace:g1",
  },
  ReplaceBegins: {
    "starting": "starting | Dispose:g1",
    "ready:g1": `starting | ${REPLACE}`,
    "restarting:g1": `starting | ${REPLACE}`,
    "restarting:-": "restarting:- | Dispose:g1",
    "running(starting)": "running(starting) | Dispose:g1",
    "running(ready:g1)": `running(starting) | ${REPLACE}`,
    "running(restarting:g1)": `running(starting) | ${REPLACE}`,
    "running(restarting:-)": "running(restarting:-) | Dispose:g1",
    "closing:g1": "closing:g1 | Dispose:g1",
    "closing:-": "closing:- | Dispose:g1",
    "closed": "closed | Dispose:g1",
  },
  ReplaceStale: {
    "starting": "starting | Dispose:g2",
    "ready:g1": "ready:g1 | Dispose:g2",
    "restarting:g1": "restarting:g1 | Dispose:g2",
    "restarting:-": "restarting:- | Dispose:g2",
    "running(starting)": "running(starting) | Dispose:g2",
    "running(ready:g1)": "running(ready:g1) | Dispose:g2",
    "running(restarting:g1)": "running(restarting:g1) | Dispose:g2",
    "running(restarting:-)": "running(restarting:-) | Dispose:g2",
    "closing:g1": "closing:g1 | Dispose:g2",
    "closing:-": "closing:- | Dispose:g2",
    "closed": "closed | Dispose:g2",
  },
  RestartRequested: {
    "starting": "starting",
    "ready:g1": "ready:g1",
    "restarting:g1": "restarting:g1",
    "restarting:-": "restarting:-",
    "running(starting)": BUSY,
    "running(ready:g1)": BUSY,
    "running(restarting:g1)": BUSY,
    "running(restarting:-)": BUSY,
    "closing:g1": CLOSED,
    "closing:-": CLOSED,
    "closed": CLOSED,
  },
  RestartBegins: {
    "starting": "starting | Verbose | Audit:session_restart",
    "ready:g1": "ready:g1 | Verbose | Audit:session_restart",
    "restarting:g1": "restarting:g1 | Verbose | Audit:session_restart",
    "restarting:-": "restarting:- | Verbose | Audit:session_restart",
    "running(starting)": "running(starting) | Verbose | Audit:session_restart",
    "running(ready:g1)": "running(ready:g1) | Verbose | Audit:session_restart",
    "running(restarting:g1)": "running(restarting:g1) | Verbose | Audit:session_restart",
    "running(restarting:-)": "running(restarting:-) | Verbose | Audit:session_restart",
    "closing:g1": CLOSED,
    "closing:-": CLOSED,
    "closed": CLOSED,
  },
  RestartProceeds: {
    "starting": "starting",
    "ready:g1": "starting | Dispose:g1 | Launch",
    "restarting:g1": "starting | Dispose:g1 | Launch",
    "restarting:-": "starting | Launch",
    "running(starting)": "running(starting)",
    "running(ready:g1)": "running(starting) | Dispose:g1 | Launch",
    "running(restarting:g1)": "running(starting) | Dispose:g1 | Launch",
    "running(restarting:-)": "running(starting) | Launch",
    "closing:g1": CLOSED,
    "closing:-": CLOSED,
    "closed": CLOSED,
  },
  CloseRequested: {
    "starting": "closing:-",
    "ready:g1": "closing:g1",
    "restarting:g1": "closing:g1",
    "restarting:-": "closing:-",
    "running(starting)": "closing:-",
    "running(ready:g1)": "closing:g1",
    "running(restarting:g1)": "closing:g1",
    "running(restarting:-)": "closing:-",
    "closing:g1": "closing:g1",
    "closing:-": "closing:-",
    "closed": "closed",
  },
  CloseProceeds: {
    "starting": "closed | Audit:session_close | Verbose",
    "ready:g1": "closed | Dispose:g1 | Audit:session_close | Verbose",
    "restarting:g1": "closed | Dispose:g1 | Audit:session_close | Verbose",
    "restarting:-": "closed | Audit:session_close | Verbose",
    "running(starting)": "closed | Audit:session_close | Verbose",
    "running(ready:g1)": "closed | Dispose:g1 | Audit:session_close | Verbose",
    "running(restarting:g1)": "closed | Dispose:g1 | Audit:session_close | Verbose",
    "running(restarting:-)": "closed | Audit:session_close | Verbose",
    "closing:g1": "closed | Dispose:g1 | Audit:session_close | Verbose",
    "closing:-": "closed | Audit:session_close | Verbose",
    "closed": "closed",
  },
};

describe("the session lifecycle table", () => {
  it("covers every state and every event", () => {
    assert.deepEqual(Object.keys(TABLE).sort(), Object.keys(EVENTS).sort());
    for (const [event, row] of Object.entries(TABLE)) {
      assert.deepEqual(Object.keys(row).sort(), Object.keys(STATES).sort(), event);
    }
  });

  for (const [event, row] of Object.entries(TABLE)) {
    it(`${event}: goes to the expected state with the expected actions, or is refused`, () => {
      const actual = Object.fromEntries(
        Object.keys(row).map((state) => [state, outcome(STATES[state], EVENTS[event])]),
      );
      assert.deepEqual(actual, row);
    });
  }
});

describe("the session lifecycle in detail", () => {
  const withFailure = (state: LifecycleState<G>, error: unknown): LifecycleState<G> =>
    ({ ...state, pendingFailure: error }) as LifecycleState<G>;

  it("starts with its first child starting and nothing counted", () => {
    assert.equal(nameOf(initialState<G>()), "starting");
    assert.equal(currentGen(initialState<G>()), null);
  });

  it("refuses execute() and restart() with the reference's wording", () => {
    const closed = transition(STATES.closed, EVENTS.ExecuteRequested);
    assert.ok(closed._tag === "Refusal" && closed.error instanceof SessionClosedError);
    assert.equal(closed.error.message, "Session is not running.");
    const busy = transition(STATES["running(ready:g1)"], EVENTS.ExecuteRequested);
    assert.ok(busy._tag === "Refusal" && busy.error instanceof SessionBusyError);
    assert.equal(
      busy.error.message,
      "<SecureSession> does not support concurrent `execute()` calls; wait for the current execution to complete.",
    );
    const restart = transition(STATES["running(ready:g1)"], EVENTS.RestartRequested);
    assert.ok(restart._tag === "Refusal");
    assert.equal(restart.error.message, "Cannot restart while an execution is in progress.");
  });

  it("reports a failure recorded while idle at the next execution, once", () => {
    const failed = transition(STATES["ready:g1"], EVENTS.ChildFailedIdle);
    assert.ok(failed._tag === "Transition");
    const running = transition(failed.state, EVENTS.ExecuteRequested);
    assert.ok(running._tag === "Transition");
    const begun = transition(running.state, EVENTS.ExecutionBegins);
    assert.ok(begun._tag === "Transition");
    assert.deepEqual(begun.actions, [{ _tag: "Fail", error: crash }]);
    assert.equal(nameOf(begun.state), "running(restarting:g1)");
    const again = transition(begun.state, EVENTS.ExecutionBegins);
    assert.ok(again._tag === "Transition");
    assert.deepEqual(again.actions, [{ _tag: "Run", execId: 1 }]);
  });

  it("hands a failure recorded after the child was handed out to the execution", () => {
    const error = new ExecutionTimeoutError("x", { timeoutMs: 1, stateKept: true });
    const state = withFailure(STATES["running(restarting:g1)"], error);
    const checked = transition(state, EVENTS.IdleFailureChecked);
    assert.ok(checked._tag === "Transition");
    assert.deepEqual(checked.actions, [{ _tag: "Fail", error }]);
    assert.equal(nameOf(checked.state), "running(restarting:g1)");
  });

  it("audits an idle crash with the raw exit status, and a broken protocol with its reason", () => {
    const crashed = transition(STATES["ready:g1"], EVENTS.ChildFailedIdle);
    assert.ok(crashed._tag === "Transition");
    assert.deepEqual(crashed.actions, [
      {
        _tag: "Audit",
        event: "child_crashed",
        fields: { exit_code: null, signal: "SIGKILL", while: "idle" },
      },
      { _tag: "Replace", gen: "g1", reason: "the R process failed while idle" },
    ]);
    const broke = transition(STATES["ready:g1"], {
      _tag: "ChildFailedIdle",
      gen: "g1",
      failure: { _tag: "Broke", reason: "an unexpected result message" },
    });
    assert.ok(broke._tag === "Transition" && broke.state._tag === "restarting");
    assert.deepEqual(broke.actions[0], {
      _tag: "Audit",
      event: "protocol_error",
      fields: { reason: "an unexpected result message" },
    });
    assert.ok(broke.state.pendingFailure instanceof ProtocolError);
    assert.equal(
      broke.state.pendingFailure.message,
      "R broke the protocol while idle (an unexpected result message); the session was restarted and its state lost",
    );
  });

  it("gives the reason of each restart in the audit log", () => {
    const reasons = [
      transition(STATES["restarting:g1"], EVENTS.AcquireRetried),
      transition(STATES["restarting:-"], EVENTS.AcquireRetried),
      transition(STATES["restarting:g1"], EVENTS.ReplaceBegins),
      transition(STATES["ready:g1"], EVENTS.RestartBegins),
    ].map((t) => {
      assert.ok(t._tag === "Transition");
      const audit = t.actions.find((a) => a._tag === "Audit");
      assert.ok(audit?._tag === "Audit" && audit.event === "session_restart");
      return audit.fields?.reason;
    });
    assert.deepEqual(reasons, [
      "the R process failed",
      "the last start failed",
      "the R process died",
      "requested",
    ]);
  });

  it("forgets a recorded failure on restart", () => {
    const state = withFailure(STATES["ready:g1"], crash);
    const next = transition(state, EVENTS.RestartProceeds);
    assert.ok(next._tag === "Transition" && next.state._tag === "starting");
    assert.equal(next.state.pendingFailure, null);
  });

  it("closes from every state, and a second close does nothing", () => {
    for (const [name, state] of Object.entries(STATES)) {
      const closing = transition(state, EVENTS.CloseRequested);
      assert.ok(closing._tag === "Transition", name);
      const closed = transition(closing.state, EVENTS.CloseProceeds);
      assert.ok(closed._tag === "Transition" && closed.state._tag === "closed", name);
      const again = transition(closed.state, EVENTS.CloseRequested);
      assert.ok(again._tag === "Transition", name);
      assert.deepEqual(transition(again.state, EVENTS.CloseProceeds), {
        _tag: "Transition",
        state: again.state,
        actions: [],
      });
    }
  });

  it("reports the current child, even a failed one, until the session closes", () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(STATES).map(([k, s]) => [k, currentGen(s)])),
      {
        "starting": null,
        "ready:g1": "g1",
        "restarting:g1": "g1",
        "restarting:-": null,
        "running(starting)": null,
        "running(ready:g1)": "g1",
        "running(restarting:g1)": "g1",
        "running(restarting:-)": null,
        "closing:g1": "g1",
        "closing:-": null,
        "closed": null,
      },
    );
  });
});
