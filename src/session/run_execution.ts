/**
 * One execution (SPEC §9): an event loop over the child's queue — messages, the
 * end-of-output marker, exit, protocol breakage — plus forked tool calls and timers (the
 * deadline, the interrupt grace, the marker wait). Output lines bypass the queue: they go
 * straight to the execution's collector, so they stream as they arrive.
 *
 * The loop decides the outcome: a result, an R error, a timeout (with or without state), a
 * crash or a protocol violation; on the last three it has the session replace the child.
 *
 * @module
 */
import { Effect, Fiber, Queue, type Scope } from "effect";
import { auditCode, secs, type SessionLog } from "./session_log.ts";
import type { Child, ChildEvent } from "../channel/start_child.ts";
import {
  type ChildCrashedError,
  type ExecuteError,
  ExecutionTimeoutError,
  ProtocolError,
  RExecutionError,
  RSyntaxError,
  SessionClosedError,
  ToolCallLimitError,
} from "../errors.ts";
import type { ResolvedExecuteOptions } from "./options.ts";
import type { ExitStatus } from "../platform/process.ts";
import type { ChildMessage } from "../channel/protocol.ts";
import { sanitizeErrorMessage } from "../tools/sanitize_error_message.ts";
import { type PreparedToolCall, runToolCall, type ToolReply } from "../tools/run_tool_call.ts";
import type { Tool } from "../tools/securer_tool.ts";
import { fromWire } from "../channel/from_wire.ts";
import { WireFormatError } from "../channel/wire_value.ts";

/** What a successful `execute()` returns. */
export interface ExecuteResult {
  /** The value of the last expression, converted to JavaScript (SPEC §6). */
  readonly value: unknown;
  /** Whether R would have printed it (`FALSE` after an assignment or `invisible()`). */
  readonly visible: boolean;
  /** What `print()` shows for the value (capped at 2000 lines). */
  readonly text: string;
  /** Output lines (stdout, stderr, messages, warnings), in order. */
  readonly output: readonly string[];
  /** `true` when more lines than `maxOutputLines` were produced (the rest were dropped). */
  readonly outputTruncated: boolean;
  /** `true` when the value was too large to send (`value` is `null`; `text` remains). */
  readonly valueOmitted: boolean;
  /** Wall time of the execution in milliseconds. */
  readonly elapsedMs: number;
}

/** Everything the execution loop waits for. */
export type LoopEvent =
  | ChildEvent
  | { readonly _tag: "ToolDone"; readonly call: number; readonly reply: ToolReply }
  | { readonly _tag: "Deadline"; readonly exec: number }
  | { readonly _tag: "Abort"; readonly exec: number }
  | { readonly _tag: "GraceOver"; readonly exec: number }
  | { readonly _tag: "MarkerWait"; readonly exec: number };

/** One R child of a session, with its event queue. */
export interface Generation {
  /** The child. */
  readonly child: Child;
  /** The scope that owns it: closing it kills the child and removes its files. */
  readonly scope: Scope.Closeable;
  readonly events: Queue.Queue<LoopEvent>;
  /** An execution is consuming `events`. */
  active: boolean;
  /** The child was killed or broke; it must not be used again. */
  dead: boolean;
}

const MARKER_WAIT_MS = 2_000;

/** What an execution needs from its session. */
export interface ExecutionContext {
  readonly log: SessionLog;
  readonly toolsByName: ReadonlyMap<string, Tool>;
  readonly toolTimeout: number;
  readonly interruptGrace: number;
  readonly sanitizeErrors: boolean;
  /** The error for a child that died (`when`: "during execution" or "while idle"). */
  readonly crashed: (
    status: ExitStatus,
    when: string,
    output: readonly string[],
  ) => ChildCrashedError;
  /** Whether the session has been closed. */
  readonly isClosed: () => boolean;
  /** A failure recorded while the child was idle, taken once (or `null`). */
  readonly takeIdleFailure: (gen: Generation) => ExecuteError | null;
  /** Marks the child dead, kills it and has the session replace it in the background. */
  readonly replace: (gen: Generation, reason: string) => Effect.Effect<void>;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(3))} second${s === 1 ? "" : "s"}`;
}

export const runExecution = (
  ctx: ExecutionContext,
  gen: Generation,
  execId: number,
  code: string,
  o: ResolvedExecuteOptions,
): Effect.Effect<ExecuteResult, ExecuteError> => {
  // Timer and abort events carry the execution id: one that fires as its execution
  // ends may still be queued when the next one starts, and must be ignored there.
  const offer = (e: LoopEvent) => Queue.offerUnsafe(gen.events, e);
  const onAbort = () => offer({ _tag: "Abort", exec: execId });
  return Effect.gen(function* () {
    const started = performance.now();
    const output: string[] = [];
    let outputTruncated = false;
    gen.child.setOutput((line) => {
      if (output.length < o.maxOutputLines) output.push(line);
      else outputTruncated = true;
      if (o.onOutput) {
        try {
          o.onOutput(line);
        } catch {
          // A failing handler must not break the execution.
        }
      }
    });
    // Events left in the queue are handled by the loop: stale timers are skipped by
    // id, and a message that arrived after the previous execution ended is a violation.
    gen.active = true;
    ctx.log.audit("execute_start", { code: auditCode(code) });
    const failure = ctx.takeIdleFailure(gen);
    // It failed while idle, between being handed out and being marked active.
    if (failure !== null) return yield* Effect.fail(failure);
    const exited = gen.child.exitStatus();
    if (exited !== null) Queue.offerUnsafe(gen.events, { _tag: "Exited", status: exited });

    const after = (ms: number, e: LoopEvent) =>
      Effect.sleep(ms).pipe(Effect.andThen(Effect.sync(() => offer(e))), Effect.forkChild);
    if (o.signal?.aborted) {
      ctx.log.audit("execute_timeout", { timeout_ms: null, elapsed_ms: 0 });
      return yield* Effect.fail(
        new ExecutionTimeoutError("Execution aborted by its signal before it started", {
          timeoutMs: null,
          stateKept: true,
        }),
      );
    }
    o.signal?.addEventListener("abort", onAbort, { once: true });
    if (o.timeout !== null) yield* after(o.timeout, { _tag: "Deadline", exec: execId });

    yield* gen.child.send({ type: "execute", id: execId, code });

    let phase: "running" | "interrupting" = "running";
    let abortedBy: "timeout" | "signal" = "timeout";
    let final: { message: ChildMessage; value: unknown } | null = null;
    let marked = false;
    let lastCall = 0;
    let toolCalls = 0;
    let limitHit = false;
    let pendingTool: { call: number; fiber: Fiber.Fiber<void> } | null = null;

    const elapsed = () => performance.now() - started;
    const finishError = (error: ExecuteError) =>
      Effect.gen(function* () {
        const ms = elapsed();
        if (error instanceof ExecutionTimeoutError) {
          ctx.log.audit("execute_timeout", { timeout_ms: o.timeout, elapsed_ms: Math.round(ms) });
          ctx.log.verbose(
            abortedBy === "signal"
              ? `Execution aborted (${secs(ms)})`
              : `Execution timed out after ${secs(o.timeout ?? ms).replace(/\.00s$/, "s")}`,
          );
        } else {
          ctx.log.audit("execute_error", { error: error.message, elapsed_ms: Math.round(ms) });
          ctx.log.verbose(`Execution error: ${error.message} (${secs(ms)})`);
        }
        return yield* Effect.fail(error);
      });
    const restartBecause = (reason: string) => ctx.replace(gen, reason);
    const timeoutError = (stateKept: boolean) =>
      new ExecutionTimeoutError(
        (abortedBy === "signal"
          ? "Execution aborted by its signal"
          : `Execution timed out after ${seconds(o.timeout ?? 0)}`) +
          (stateKept
            ? " (R was interrupted; the session state was kept)"
            : " (R did not stop and was restarted; the session state was lost)"),
        { timeoutMs: abortedBy === "signal" ? null : o.timeout, stateKept, output },
      );
    const violation = (reason: string) =>
      Effect.gen(function* () {
        ctx.log.audit("protocol_error", { reason });
        yield* restartBecause(`protocol error: ${reason}`);
        return yield* finishError(
          phase === "interrupting" ? timeoutError(false) : new ProtocolError(
            `R broke the protocol (${reason}); the R process was killed and the session restarted, losing its state`,
          ),
        );
      });

    while (true) {
      const event = yield* Queue.take(gen.events);
      switch (event._tag) {
        case "Message": {
          const m = event.message;
          if (final !== null) return yield* violation(`a ${m.type} message after the result`);
          if (m.type === "hello") return yield* violation("a second hello");
          if (m.id !== execId) {
            return yield* violation(`a message for execution ${m.id} during ${execId}`);
          }
          if (m.type === "tool_call") {
            if (pendingTool !== null || m.call <= lastCall) {
              return yield* violation(
                `tool call ${m.call} while call ${pendingTool?.call ?? lastCall} was pending`,
              );
            }
            lastCall = m.call;
            if (phase === "interrupting") {
              yield* gen.child.send({
                type: "tool_reply",
                id: execId,
                call: m.call,
                error: "Execution interrupted",
              });
              break;
            }
            toolCalls++;
            if (o.maxToolCalls !== undefined && toolCalls > o.maxToolCalls) {
              limitHit = true;
              ctx.log.audit("limit_exceeded", { limit: "maxToolCalls", value: o.maxToolCalls });
              yield* gen.child.send({
                type: "tool_reply",
                id: execId,
                call: m.call,
                error: `Maximum tool calls (${o.maxToolCalls}) exceeded`,
              });
              break;
            }
            const prepared = prepareToolCall(m);
            if (prepared instanceof WireFormatError) return yield* violation(prepared.message);
            const call = m.call;
            const fiber = yield* runToolCall(prepared, ctx).pipe(
              Effect.flatMap((reply) =>
                Effect.sync(() => {
                  offer({ _tag: "ToolDone", call, reply });
                })
              ),
              Effect.forkChild,
            );
            pendingTool = { call, fiber };
            break;
          }
          if (pendingTool !== null && phase === "running") {
            return yield* violation("a result while a tool call was pending");
          }
          let value: unknown = null;
          if (m.type === "result") {
            try {
              value = fromWire(m.value);
            } catch (e) {
              return yield* violation((e as Error).message);
            }
          }
          final = { message: m, value };
          if (!marked) yield* after(MARKER_WAIT_MS, { _tag: "MarkerWait", exec: execId });
          break;
        }
        case "ToolDone":
          if (pendingTool?.call === event.call) {
            pendingTool = null;
            yield* gen.child.send({
              type: "tool_reply",
              id: execId,
              call: event.call,
              ...event.reply,
            });
          }
          break;
        case "Marker":
          if (event.id === execId) marked = true;
          break;
        case "Deadline":
        case "Abort":
          if (event.exec !== execId || final !== null || phase !== "running") break;
          phase = "interrupting";
          abortedBy = event._tag === "Abort" ? "signal" : "timeout";
          if (pendingTool !== null) {
            yield* Fiber.interrupt(pendingTool.fiber);
            pendingTool = null;
          }
          yield* gen.child.interrupt(execId);
          yield* after(ctx.interruptGrace, { _tag: "GraceOver", exec: execId });
          break;
        case "GraceOver":
          if (event.exec !== execId || final !== null) break;
          yield* restartBecause("execution did not stop after an interrupt");
          return yield* finishError(timeoutError(false));
        case "MarkerWait":
          if (event.exec === execId && !marked) {
            return yield* violation("the end-of-output marker did not arrive");
          }
          break;
        case "Broken":
          return yield* violation(event.reason);
        case "Exited": {
          const crash = ctx.crashed(event.status, "during execution", output);
          ctx.log.audit("child_crashed", {
            exit_code: crash.exitCode,
            signal: crash.signal,
            likely_cause: crash.likelyCause,
          });
          yield* restartBecause("the R process died");
          return yield* finishError(
            phase === "interrupting"
              ? timeoutError(false)
              : ctx.isClosed()
              ? new SessionClosedError("Session is not running.")
              : crash,
          );
        }
      }
      if (final === null || !marked) continue;

      // ---- complete ----
      const ms = elapsed();
      const m = final.message;
      if (phase === "interrupting") return yield* finishError(timeoutError(true));
      if (limitHit) {
        return yield* finishError(
          new ToolCallLimitError(`Maximum tool calls (${o.maxToolCalls}) exceeded`, {
            limit: o.maxToolCalls ?? 0,
            output,
          }),
        );
      }
      if (m.type === "error") {
        const message = ctx.sanitizeErrors ? sanitizeErrorMessage(m.message) : m.message;
        if (m.parse) {
          const pos = /^<text>:(\d+):(\d+):/.exec(m.message);
          return yield* finishError(
            new RSyntaxError(message, {
              line: pos ? Number(pos[1]) : null,
              column: pos ? Number(pos[2]) : null,
            }),
          );
        }
        return yield* finishError(
          new RExecutionError(m.interrupted ? "Execution interrupted" : message, {
            call: m.call ?? null,
            traceback: m.traceback ?? [],
            output,
          }),
        );
      }
      if (m.type !== "result") return yield* violation(`an unexpected ${m.type} message`);
      ctx.log.audit("execute_complete", { elapsed_ms: Math.round(ms) });
      ctx.log.verbose(`Execution complete (${secs(ms)})`);
      const omitted = m.value !== null &&
        (m.value as { t?: string; cls?: string }).t === "none" &&
        (m.value as { cls?: string }).cls === "too_large";
      return {
        value: final.value,
        visible: m.visible,
        text: m.text,
        output,
        outputTruncated,
        valueOmitted: omitted,
        elapsedMs: ms,
      } satisfies ExecuteResult;
    }
  }).pipe(
    Effect.onInterrupt(() => ctx.replace(gen, "the execution was interrupted")),
    Effect.ensuring(Effect.sync(() => {
      gen.active = false;
      gen.child.setOutput(null);
      o.signal?.removeEventListener("abort", onAbort);
    })),
  );
};

function prepareToolCall(
  m: ChildMessage & { type: "tool_call" },
): PreparedToolCall | WireFormatError {
  try {
    const args: Record<string, { wire: unknown; value: unknown }> = {};
    for (const [k, w] of Object.entries(m.args)) args[k] = { wire: w, value: fromWire(w) };
    return { tool: m.tool, args };
  } catch (e) {
    return e instanceof WireFormatError ? e : new WireFormatError(String(e));
  }
}
