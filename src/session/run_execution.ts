/**
 * One execution (SPEC §9), the Effect shell around the pure {@linkcode step}: it takes the
 * events from the child's queue — messages, the end-of-output marker, exit, protocol
 * breakage, finished tool calls, timers — has `step` decide, and performs the actions:
 * sending messages, forking tool calls and timers as children of the execution's fiber,
 * interrupting R, having the session replace the child, writing the audit log. It returns
 * when an action finishes the execution. Output lines bypass the queue: they go straight
 * to the execution's collector, so they stream as they arrive.
 *
 * @module
 */
import { Effect, Fiber, Queue } from "effect";
import { auditCode, secs, type SessionLog } from "./session_log.ts";
import type { ChildCrashedError, ExecuteError } from "../errors.ts";
import type { ResolvedExecuteOptions } from "./options.ts";
import type { ExitStatus } from "../platform/process.ts";
import type { SandboxUsage } from "../sandbox/cgroup.ts";
import { runToolCall } from "../tools/run_tool_call.ts";
import type { Tool } from "../tools/securer_tool.ts";
import { beginExecution, step } from "./execution_step.ts";
import type { ExecutionAction, ExecutionConfig, ExecutionEvent } from "./execution_types.ts";
import type { Generation, LoopEvent } from "./generation.ts";
import type { CaptureSettings, DroppedOutput, OutputFile, PlotImage } from "../plots/types.ts";
import { type Collector, isCaptureMessage, makeCollector } from "../plots/collector.ts";
import { executionCapture } from "../plots/capture_options.ts";
import { RExecutionError } from "../errors.ts";

export type { Generation, LoopEvent } from "./generation.ts";

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
  /**
   * `true` when more lines than `maxOutputLines`, or more bytes than `maxOutputBytes`, were
   * produced (the rest were streamed to `onOutput` but not kept).
   */
  readonly outputTruncated: boolean;
  /** How many output lines were not kept because of `maxOutputLines` or `maxOutputBytes`. */
  readonly droppedOutputLines: number;
  /** `true` when `text` was cut to its budget (64 KiB of JSON, or 2000 lines); `value` is whole. */
  readonly textTruncated: boolean;
  /**
   * `true` when the value could not be sent — over its size budget, nested more than 100
   * levels, or past the host's decoding bound (`value` is `null`; `text` remains; `lost` says why).
   */
  readonly valueOmitted: boolean;
  /**
   * What converting the value to JavaScript lost, one note per kind of loss (dropped
   * attributes, renamed data frame columns, replaced invalid UTF-8, ...); empty when nothing.
   */
  readonly lost: readonly string[];
  /** Wall time of the execution in milliseconds. */
  readonly elapsedMs: number;
  /** The pages R drew during the execution, one image each, in order (option `plots`). */
  readonly images: readonly PlotImage[];
  /** The files the code wrote to `SECURER_OUTPUT_DIR`, by name (option `files`). */
  readonly files: readonly OutputFile[];
  /** Images and files left out past a cap (or unreadable), and why. */
  readonly dropped: readonly DroppedOutput[];
}

/** What an execution needs from its session. */
export interface ExecutionContext {
  readonly log: SessionLog;
  readonly toolsByName: ReadonlyMap<string, Tool>;
  readonly toolTimeout: number;
  readonly interruptGrace: number;
  readonly sanitizeErrors: boolean;
  /** The session's plot and file settings (an execution's options apply over them). */
  readonly capture: CaptureSettings;
  /** The error for a child that died (`when`: "during execution" or "while idle"). */
  readonly crashed: (
    status: ExitStatus,
    when: string,
    output: readonly string[],
    usage: SandboxUsage | null,
  ) => ChildCrashedError;
  /** Whether the session has been closed. */
  readonly isClosed: () => boolean;
  /** Fails with a failure recorded while the child was idle and not yet reported. */
  readonly takeIdleFailure: Effect.Effect<void, ExecuteError>;
  /** Marks the child dead, kills it and has the session replace it in the background. */
  readonly replace: (gen: Generation, reason: string) => Effect.Effect<void>;
}

/** The output collected by one execution. */
interface Collected {
  readonly lines: string[];
  truncated: boolean;
  /** UTF-8 bytes of the kept lines, a newline each. */
  bytes: number;
  dropped: number;
}

/** Runs `code` as execution `execId` on the generation `gen`. */
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
    const output: Collected = { lines: [], truncated: false, bytes: 0, dropped: 0 };
    gen.child.setOutput(collect(output, o));
    // Events left in the queue are handled by the loop: stale timers are skipped by
    // id, and a message that arrived after the previous execution ended is a violation.
    gen.active = true;
    ctx.log.audit("execute_start", { code: auditCode(code) });
    // It failed while idle, between being handed out and being marked active.
    yield* ctx.takeIdleFailure;
    const exited = gen.child.exitStatus();
    if (exited !== null) offer({ _tag: "Exited", status: exited });

    const capture = executionCapture(ctx.capture, o.plots, o.files);
    const collector = makeCollector(execId, capture, o.onImage);
    const config: ExecutionConfig = {
      execId,
      code,
      ...(capture === ctx.capture ? {} : { capture }),
      timeout: o.timeout,
      interruptGrace: ctx.interruptGrace,
      maxToolCalls: o.maxToolCalls,
      sanitizeErrors: ctx.sanitizeErrors,
      output: output.lines,
    };
    const aborted = o.signal?.aborted === true;
    if (!aborted) o.signal?.addEventListener("abort", onAbort, { once: true });
    const perform = performer(ctx, gen, config, o, started, output, collector);
    let next = beginExecution(config, aborted);
    while (true) {
      const result = yield* perform(next.actions);
      if (result !== null) return result;
      let event: LoopEvent | null = null;
      while (event === null) {
        event = takeCapture(yield* Queue.take(gen.events), collector, next.state.final !== null);
      }
      next = step(next.state, toExecutionEvent(ctx, event, output.lines, gen));
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

/**
 * The output sink: keeps lines up to `maxOutputLines` and `maxOutputBytes` — past either, a
 * line is counted, not kept — and streams each to `onOutput`.
 */
function collect(output: Collected, o: ResolvedExecuteOptions): (line: string) => void {
  return (line) => {
    // A line is at most 64 KiB (the channel cuts longer ones), so this is cheap.
    const bytes = utf8Length(line) + 1;
    if (output.lines.length < o.maxOutputLines && output.bytes + bytes <= o.maxOutputBytes) {
      output.lines.push(line);
      output.bytes += bytes;
    } else {
      output.truncated = true;
      output.dropped++;
    }
    if (o.onOutput) {
      try {
        o.onOutput(line);
      } catch {
        // A failing handler must not break the execution.
      }
    }
  };
}

/**
 * Hands a plot or file message to the collector (`null`: nothing for `step`), or turns the
 * violation it finds into a `Broken` event; any other event passes through.
 */
function takeCapture(event: LoopEvent, collector: Collector, final: boolean): LoopEvent | null {
  if (event._tag !== "Message" || !isCaptureMessage(event.message)) return event;
  const reason = final
    ? `a ${event.message.type} message after the result`
    : collector.add(event.message);
  return reason === null ? null : { _tag: "Broken", reason };
}

/** A queued event as `step` sees it: an exit carries its error and whether the session closed. */
function toExecutionEvent(
  ctx: ExecutionContext,
  event: LoopEvent,
  output: readonly string[],
  gen: Generation,
): ExecutionEvent {
  if (event._tag !== "Exited") return event;
  return {
    _tag: "Exited",
    crash: ctx.crashed(event.status, "during execution", output, gen.child.sandbox.usage()),
    sessionClosed: ctx.isClosed(),
  };
}

/**
 * Performs actions in order; succeeds with the result when one finishes the execution
 * successfully (else `null`), fails when one finishes it with an error.
 */
function performer(
  ctx: ExecutionContext,
  gen: Generation,
  config: ExecutionConfig,
  o: ResolvedExecuteOptions,
  started: number,
  output: Collected,
  collector: Collector,
): (actions: readonly ExecutionAction[]) => Effect.Effect<ExecuteResult | null, ExecuteError> {
  const offer = (e: LoopEvent) => Queue.offerUnsafe(gen.events, e);
  const tool: { fiber: Fiber.Fiber<unknown> | null } = { fiber: null };
  const one = (a: ExecutionAction): Effect.Effect<ExecuteResult | null, ExecuteError> => {
    switch (a._tag) {
      case "Send":
        return Effect.as(gen.child.send(a.message), null);
      case "StartToolCall":
        return runToolCall(a.prepared, { ...ctx, onToolCall: o.onToolCall }).pipe(
          Effect.flatMap((reply) =>
            Effect.sync(() => offer({ _tag: "ToolDone", call: a.call, reply }))
          ),
          Effect.forkChild,
          Effect.map((fiber) => {
            tool.fiber = fiber;
            return null;
          }),
        );
      case "InterruptToolCall":
        return tool.fiber === null
          ? Effect.succeed(null)
          : Effect.as(Fiber.interrupt(tool.fiber), null);
      case "InterruptR":
        return Effect.as(gen.child.interrupt(config.execId), null);
      case "StartTimer":
        return Effect.sleep(a.ms).pipe(
          Effect.andThen(Effect.sync(() => offer(a.event))),
          Effect.forkChild,
          Effect.as(null),
        );
      case "Replace":
        return Effect.as(ctx.replace(gen, a.reason), null);
      case "Audit":
        return Effect.sync(() => (ctx.log.audit(a.event, { ...a.fields }), null));
      case "Succeed":
        return Effect.sync(() => succeed(ctx.log, a, started, output, collector));
      case "Fail":
        return Effect.andThen(
          Effect.sync(() => reportFailure(ctx.log, a, o.timeout, started)),
          Effect.suspend(() => Effect.fail(withCaptured(a.error, collector))),
        );
    }
  };
  return (actions) =>
    Effect.gen(function* () {
      for (const action of actions) {
        const result = yield* one(action);
        if (result !== null) return result;
      }
      return null;
    });
}

function succeed(
  log: SessionLog,
  a: Extract<ExecutionAction, { _tag: "Succeed" }>,
  started: number,
  output: Collected,
  collector: Collector,
): ExecuteResult {
  const ms = performance.now() - started;
  log.audit("execute_complete", { elapsed_ms: Math.round(ms) });
  log.verbose(`Execution complete (${secs(ms)})`);
  return {
    value: a.value,
    visible: a.visible,
    text: a.text,
    output: output.lines,
    outputTruncated: output.truncated,
    droppedOutputLines: output.dropped,
    textTruncated: a.textTruncated,
    valueOmitted: a.valueOmitted,
    lost: a.lost,
    elapsedMs: ms,
    ...collector.result(),
  };
}

/** An R error carries what the execution drew and wrote before it. */
function withCaptured(error: ExecuteError, collector: Collector): ExecuteError {
  if (!(error instanceof RExecutionError)) return error;
  const { images, files, dropped } = collector.result();
  if (images.length + files.length + dropped.length === 0) return error;
  const { call, traceback, output } = error;
  return new RExecutionError(error.message, { call, traceback, output, images, files, dropped });
}

function reportFailure(
  log: SessionLog,
  a: Extract<ExecutionAction, { _tag: "Fail" }>,
  timeout: number | null,
  started: number,
): void {
  const ms = performance.now() - started;
  switch (a.report) {
    case "timeout":
    case "aborted":
      log.audit("execute_timeout", { timeout_ms: timeout, elapsed_ms: Math.round(ms) });
      log.verbose(
        a.report === "aborted"
          ? `Execution aborted (${secs(ms)})`
          : `Execution timed out after ${secs(timeout ?? ms).replace(/\.00s$/, "s")}`,
      );
      return;
    case "error":
      log.audit("execute_error", { error: a.error.message, elapsed_ms: Math.round(ms) });
      log.verbose(`Execution error: ${a.error.message} (${secs(ms)})`);
      return;
  }
}

/** The UTF-8 length of a string, without encoding it. */
function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}
