/**
 * The data of one execution's pure step: its configuration, state, the events it reacts
 * to and the actions it asks its shell to perform (`execution_step.ts` holds the step).
 *
 * @module
 */
import type { ChildCrashedError, ExecuteError } from "../errors.ts";
import type { ChildMessage, HostMessage } from "../channel/protocol.ts";
import type { PreparedToolCall, ToolReply } from "../tools/run_tool_call.ts";
import type { AuditEvent } from "./session_log.ts";
import type { CaptureSettings } from "../plots/types.ts";

/** How long the end-of-output marker may lag behind the final message, in milliseconds. */
export const MARKER_WAIT_MS = 2_000;

/** What stays fixed during one execution. */
export interface ExecutionConfig {
  /** The execution id (every message of this execution carries it). */
  readonly execId: number;
  /** The R code to send. */
  readonly code: string;
  /** The deadline in milliseconds, or `null` for none. */
  readonly timeout: number | null;
  /** How long R may take to stop after an interrupt before it is killed, in milliseconds. */
  readonly interruptGrace: number;
  /** The most tool calls allowed, or `undefined` for no limit. */
  readonly maxToolCalls: number | undefined;
  /** Whether R error messages are sanitized. */
  readonly sanitizeErrors: boolean;
  /** The execution's output lines (the shell appends to it; errors carry it). */
  readonly output: readonly string[];
  /** Capture settings to send with the code, when they differ from the session's. */
  readonly capture?: CaptureSettings;
}

/** A final message from R: the result or the error of the execution. */
export type FinalMessage = Extract<ChildMessage, { readonly type: "result" | "error" }>;

/** The state of one execution. */
export interface ExecutionState {
  readonly config: ExecutionConfig;
  /** `running`, `interrupting` (waiting for R to stop) or `done`. */
  readonly phase: "running" | "interrupting" | "done";
  /** What started the interrupt: the deadline or the abort signal. */
  readonly abortedBy: "timeout" | "signal";
  /** The final message and its decoded value, once it arrived. */
  readonly final: {
    readonly message: FinalMessage;
    readonly value: unknown;
    /** The value was well formed but would expand past what the host decodes. */
    readonly tooLarge?: boolean;
    /** What the value's conversion lost (R's notes, or why it was omitted). */
    readonly lost?: readonly string[];
  } | null;
  /** Whether the end-of-output marker arrived. */
  readonly marked: boolean;
  /** The id of the last tool call seen (ids must increase). */
  readonly lastCall: number;
  /** Tool calls counted against `maxToolCalls`. */
  readonly toolCalls: number;
  /** Whether `maxToolCalls` was exceeded (the execution then fails at completion). */
  readonly limitHit: boolean;
  /** The tool call being served, or `null`. */
  readonly pendingCall: number | null;
}

/** A timer or abort event; each carries its execution id, so a stale one is ignored. */
export type TimerEvent = {
  readonly _tag: "Deadline" | "Abort" | "GraceOver" | "MarkerWait";
  readonly exec: number;
};

/** Everything an execution reacts to. */
export type ExecutionEvent =
  | { readonly _tag: "Message"; readonly message: ChildMessage }
  | { readonly _tag: "ToolDone"; readonly call: number; readonly reply: ToolReply }
  | { readonly _tag: "Marker"; readonly id: number }
  | TimerEvent
  | { readonly _tag: "Broken"; readonly reason: string }
  | {
    readonly _tag: "Exited";
    /** The error describing the death (built by the shell from the exit status). */
    readonly crash: ChildCrashedError;
    /** Whether the session was closed when the child died. */
    readonly sessionClosed: boolean;
  };

/** How the shell logs the end of a failed execution. */
export type FailureReport = "timeout" | "aborted" | "error" | null;

/** What the shell does for the execution. */
export type ExecutionAction =
  | { readonly _tag: "Send"; readonly message: HostMessage }
  | { readonly _tag: "StartToolCall"; readonly call: number; readonly prepared: PreparedToolCall }
  | { readonly _tag: "InterruptToolCall"; readonly call: number }
  | { readonly _tag: "InterruptR" }
  | { readonly _tag: "StartTimer"; readonly ms: number; readonly event: TimerEvent }
  | { readonly _tag: "Replace"; readonly reason: string }
  | {
    readonly _tag: "Audit";
    readonly event: AuditEvent;
    readonly fields: Readonly<Record<string, unknown>>;
  }
  | {
    readonly _tag: "Succeed";
    readonly value: unknown;
    readonly visible: boolean;
    readonly text: string;
    readonly textTruncated: boolean;
    readonly valueOmitted: boolean;
    readonly lost: readonly string[];
  }
  | { readonly _tag: "Fail"; readonly error: ExecuteError; readonly report: FailureReport };

/** The next state and the actions to perform, in order. */
export interface ExecutionStep {
  readonly state: ExecutionState;
  readonly actions: readonly ExecutionAction[];
}
