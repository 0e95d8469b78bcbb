/**
 * The session core (SPEC §4, §5, §9) as Effect programs: a session is a scoped resource
 * that owns one R child at a time (a "generation"), replaces it after a crash, a protocol
 * violation or a hard-killed timeout, and runs executions one at a time.
 *
 * An execution is an event loop over one queue fed by the child (messages, output
 * markers, exit, protocol breakage), by forked tool calls, and by timers (deadline,
 * interrupt grace, output-marker wait). Output lines bypass the queue: they go straight
 * to the execution's collector, so they stream as they arrive.
 *
 * @module
 */
import { Deferred, Effect, Exit, Fiber, Queue, Scope, Semaphore } from "effect";
import { auditCode, makeSessionLog, secs, type SessionLog } from "./audit.ts";
import type { Capabilities } from "./backend.ts";
import { type Child, type ChildEvent, startChild } from "./child.ts";
import {
  ChildCrashedError,
  CodeTooLongError,
  type ExecuteError,
  ExecutionTimeoutError,
  MaxExecutionsError,
  PreExecuteHookError,
  ProtocolError,
  RExecutionError,
  RSyntaxError,
  type SandboxUnavailableError,
  SessionBusyError,
  SessionClosedError,
  SessionStartError,
  ToolCallLimitError,
} from "./errors.ts";
import {
  type ExecuteOptions,
  type ResolvedExecuteOptions,
  type ResolvedSessionOptions,
  resolveExecuteOptions,
  resolveSessionOptions,
  type SessionOptions,
} from "./options.ts";
import type { ExitStatus } from "./platform.ts";
import { randomHex } from "./platform.ts";
import type { ChildMessage } from "./protocol.ts";
import { findR } from "./r_install.ts";
import { sanitizeErrorMessage } from "./sanitize.ts";
import { chooseBackend } from "./select_backend.ts";
import { runToolCall, type ToolReply } from "./tool_call.ts";
import { type Tool, type ToolInfo, toolInfo } from "./tool.ts";
import { validateCode } from "./validate_code.ts";
import { fromWire, WireFormatError } from "./values.ts";

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

/** What `session.info()` reports. */
export interface SessionInfo {
  /** The session id (`sess_` + 12 hex digits); survives restarts. */
  readonly id: string;
  /** The host pid of the current child process (R, or its sandbox wrapper), or `null`. */
  readonly pid: number | null;
  /** The backend's name. */
  readonly backend: string;
  /** Whether a real sandbox isolates R. */
  readonly sandboxed: boolean;
  /** What the backend isolates. */
  readonly capabilities: Capabilities;
  /** Limits that were asked for but that this backend cannot enforce here. */
  readonly unenforcedLimits: readonly string[];
  /** Executions started so far. */
  readonly executions: number;
  /** `R.version.string` of the running child, or `null`. */
  readonly rVersion: string | null;
}

/** A live session (Effect API). */
export interface Session {
  /** The session id. */
  readonly id: string;
  /** Runs R code. See {@linkcode ExecuteOptions}. */
  execute(
    code: string,
    options?: ExecuteOptions,
  ): Effect.Effect<ExecuteResult, ExecuteError | TypeError | RangeError>;
  /** Replaces the R process with a fresh one (state is lost). */
  readonly restart: Effect.Effect<void, SessionStartError | SessionClosedError | SessionBusyError>;
  /** Closes the session: kills R and removes its files. Safe to call twice. */
  readonly close: Effect.Effect<void>;
  /** Whether the session is open and its R process is running. */
  isAlive(): boolean;
  /** The tools, without their functions. */
  tools(): readonly ToolInfo[];
  /** Facts about the session. */
  info(): SessionInfo;
}

/** Errors creating a session can fail with. */
export type SessionCreateError =
  | SessionStartError
  | SandboxUnavailableError
  | TypeError
  | RangeError;

type LoopEvent =
  | ChildEvent
  | { readonly _tag: "ToolDone"; readonly call: number; readonly reply: ToolReply }
  | { readonly _tag: "Deadline"; readonly exec: number }
  | { readonly _tag: "Abort"; readonly exec: number }
  | { readonly _tag: "GraceOver"; readonly exec: number }
  | { readonly _tag: "MarkerWait"; readonly exec: number };

interface Generation {
  readonly child: Child;
  readonly scope: Scope.Closeable;
  readonly events: Queue.Queue<LoopEvent>;
  /** An execution is consuming `events`. */
  active: boolean;
  /** The child was killed or broke; it must not be used again. */
  dead: boolean;
}

const MARKER_WAIT_MS = 2_000;

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(3))} second${s === 1 ? "" : "s"}`;
}

function countChars(code: string): number {
  let n = code.length;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

const SIGNALS: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
  24: "SIGXCPU",
  25: "SIGXFSZ",
};

/**
 * The signal that ended the process. A sandbox wrapper (bwrap) exits with 128 + the
 * signal number when the process inside it is killed by a signal.
 */
export function exitSignal(status: ExitStatus, wrapped: boolean): string | null {
  if (status.signal !== null) return status.signal;
  if (wrapped && status.code !== null && status.code > 128) {
    return SIGNALS[status.code - 128] ?? null;
  }
  return null;
}

/** Why the R process ended, in words, from its exit status and the limits. */
export function likelyCause(status: ExitStatus, limits: ResolvedSessionOptions["limits"]): string {
  const signal = exitSignal(status, true);
  switch (signal) {
    case "SIGXCPU":
      return `the CPU time limit${limits.cpu ? ` (${limits.cpu} s)` : ""} was reached`;
    case "SIGXFSZ":
      return `the file size limit${limits.fsize ? ` (${limits.fsize} bytes)` : ""} was reached`;
    case "SIGKILL":
      return `it was killed (out of memory${
        limits.memory ? " or the memory limit" : ""
      }, or killed from outside)`;
    case "SIGSEGV":
    case "SIGBUS":
    case "SIGABRT":
    case "SIGILL":
      return `R crashed (${signal})`;
    case null:
      break;
    default:
      return `it was ended by ${signal}`;
  }
  if (status.code === 0) return "R exited normally: the code may have called quit()";
  return `R exited with status ${status.code}`;
}

/**
 * Creates a session in the current scope: validates the options, chooses the backend
 * (failing closed), finds R and starts the first child. Closing the scope closes it.
 */
export const makeSession = (
  options?: SessionOptions,
): Effect.Effect<Session, SessionCreateError, Scope.Scope> =>
  Effect.gen(function* () {
    const opts = yield* Effect.try({
      try: () => resolveSessionOptions(options),
      catch: (e) => e as TypeError | RangeError,
    });
    const choice = yield* Effect.tryPromise({
      try: () =>
        chooseBackend({
          sandbox: opts.sandbox,
          backend: opts.backend,
          allowUnsandboxed: opts.allowUnsandboxed,
        }),
      catch: (e) => e as SandboxUnavailableError | TypeError,
    });
    const install = yield* Effect.tryPromise({
      try: () => findR({ rPath: opts.rPath, rHome: opts.rHome }),
      catch: (e) =>
        e instanceof SessionStartError
          ? e
          : new SessionStartError(`Cannot find R: ${e}`, { cause: e }),
    });
    const id = `sess_${randomHex(6)}`;
    const log = yield* Effect.acquireRelease(
      Effect.try({
        try: () => makeSessionLog(id, opts.auditLog, opts.verbose),
        catch: (e) => e as TypeError,
      }),
      (l) => Effect.sync(() => l.close()),
    );
    if (choice.fellBack) {
      log.verbose(
        "No sandbox backend works here; running UNSANDBOXED because allowUnsandboxed is set",
      );
      process.stderr.write(
        "[securer] warning: no sandbox backend works on this machine; R runs unsandboxed (allowUnsandboxed: true)\n",
      );
    }
    const unenforced = Object.keys(opts.limits).filter((name) =>
      !(choice.capabilities.limits as readonly string[]).includes(name)
    );
    if (unenforced.length > 0) {
      const line =
        `warning: the ${choice.backend.name} backend does not enforce these limits here: ${
          unenforced.join(", ")
        }`;
      log.verbose(line);
      if (!log.isVerbose) process.stderr.write(`[securer] ${line}\n`);
    }
    const sessionScope = yield* Scope.Scope;
    const session = yield* makeSessionCore({
      id,
      opts,
      log,
      sessionScope,
      childConfig: {
        install,
        backend: choice.backend,
        capabilities: choice.capabilities,
        limits: opts.limits,
        tools: opts.tools,
        env: opts.env,
        maxMessageBytes: opts.maxMessageBytes,
        startTimeoutMs: opts.startTimeout,
      },
      sandboxed: choice.backend.name !== "unsandboxed",
      unenforcedLimits: unenforced,
    });
    return session;
  });

interface CoreConfig {
  readonly id: string;
  readonly opts: ResolvedSessionOptions;
  readonly log: SessionLog;
  readonly sessionScope: Scope.Scope;
  readonly childConfig: Parameters<typeof startChild>[0];
  readonly sandboxed: boolean;
  readonly unenforcedLimits: readonly string[];
}

const makeSessionCore = (
  config: CoreConfig,
): Effect.Effect<Session, SessionStartError, Scope.Scope> =>
  Effect.gen(function* () {
    const { id, opts, log, sessionScope, childConfig } = config;
    const backendName = childConfig.backend.name;
    const toolsByName = new Map<string, Tool>(opts.tools.map((t) => [t.name, t]));
    const lifecycle = yield* Semaphore.make(1);
    let closed = false;
    let busy = false;
    let executions = 0;
    let nextExecId = 0;
    let current: Deferred.Deferred<Generation, SessionStartError> = yield* Deferred.make<
      Generation,
      SessionStartError
    >();
    let ready: Generation | null = null;
    let pendingFailure: ExecuteError | null = null;

    // ---- generations -------------------------------------------------------------
    const onChildEvent = (gen: Generation) => (event: ChildEvent) => {
      if (gen.active) {
        Queue.offerUnsafe(gen.events, event);
        return;
      }
      if (gen.dead || event._tag === "Marker") return; // a disposed child, or late markers
      // The child died or misbehaved while idle: report it to the next execute and
      // replace it now.
      const status = event._tag === "Exited" ? event.status : null;
      const reason = event._tag === "Broken"
        ? event.reason
        : event._tag === "Message"
        ? `an unexpected ${event.message.type} message`
        : "";
      pendingFailure = status ? crashedError(status, "while idle", []) : new ProtocolError(
        `R broke the protocol while idle (${reason}); the session was restarted and its state lost`,
      );
      if (status) {
        log.audit("child_crashed", {
          exit_code: status.code,
          signal: status.signal,
          while: "idle",
        });
      } else log.audit("protocol_error", { reason });
      Effect.runFork(replaceGeneration(gen, "the R process failed while idle"));
    };

    const startGeneration: Effect.Effect<Generation, SessionStartError> = Effect.gen(function* () {
      const scope = yield* Scope.make();
      const events = yield* Queue.unbounded<LoopEvent>();
      const holder: { gen: Generation | null } = { gen: null };
      const child = yield* startChild(childConfig, (e) => {
        if (holder.gen) onChildEvent(holder.gen)(e);
      }).pipe(
        Scope.provide(scope),
        Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause))),
      );
      const gen: Generation = { child, scope, events, active: false, dead: false };
      holder.gen = gen;
      // An exit that raced the handshake's completion is still reported.
      const status = child.exitStatus();
      if (status !== null) onChildEvent(gen)({ _tag: "Exited", status });
      log.audit("session_start", {
        sandbox: config.sandboxed,
        pid: child.pid,
        backend: backendName,
      });
      log.verbose(`Session started (sandbox=${config.sandboxed}, pid=${child.pid})`);
      return gen;
    });

    /** Starts a generation into a fresh `current` deferred (in the background). */
    const launch = Effect.gen(function* () {
      const deferred = yield* Deferred.make<Generation, SessionStartError>();
      current = deferred;
      ready = null;
      yield* startGeneration.pipe(
        Effect.tap((gen) =>
          Effect.sync(() => {
            if (closed) return;
            ready = gen;
          })
        ),
        Effect.flatMap((gen) =>
          closed ? Scope.close(gen.scope, Exit.void).pipe(Effect.as(gen)) : Effect.succeed(gen)
        ),
        Effect.exit,
        Effect.flatMap((exit) => Deferred.done(deferred, exit)),
        Effect.forkIn(sessionScope),
      );
    });

    const disposeGeneration = (gen: Generation) =>
      Effect.gen(function* () {
        gen.dead = true;
        gen.child.kill();
        yield* Scope.close(gen.scope, Exit.void);
      });

    const replaceGeneration = (gen: Generation, reason: string) =>
      lifecycle.withPermit(Effect.gen(function* () {
        if (closed || ready !== gen) {
          yield* disposeGeneration(gen);
          return;
        }
        log.verbose("Restarting session");
        log.audit("session_restart", { reason });
        yield* disposeGeneration(gen);
        yield* launch;
      }));

    /** The generation to run on: waits for a start in progress, retries a failed one. */
    const acquireGeneration = Effect.gen(function* () {
      const exit = yield* Effect.exit(Deferred.await(current));
      if (Exit.isSuccess(exit) && !exit.value.dead) return exit.value;
      yield* lifecycle.withPermit(Effect.gen(function* () {
        const again = yield* Effect.exit(Deferred.await(current));
        if (Exit.isFailure(again) || again.value.dead) yield* launch;
      }));
      return yield* Deferred.await(current);
    });

    // ---- execution -----------------------------------------------------------------
    function crashedError(status: ExitStatus, when: string, output: readonly string[]) {
      const cause = likelyCause(status, opts.limits);
      const signal = exitSignal(status, config.sandboxed);
      const how = signal ? `killed by ${signal}` : `exit status ${status.code}`;
      return new ChildCrashedError(
        `R process died ${when} (${how}): ${cause}; the session was restarted and its state lost`,
        { exitCode: status.code, signal, likelyCause: cause, output },
      );
    }

    /** The pre-checks after the busy guard, in the reference's order and wording. */
    const preChecks = (code: string, o: ResolvedExecuteOptions) =>
      Effect.gen(function* () {
        if (opts.maxExecutions !== undefined && executions >= opts.maxExecutions) {
          return yield* Effect.fail(
            new MaxExecutionsError(
              `Maximum executions (${opts.maxExecutions}) reached for this session.`,
            ),
          );
        }
        const hook = opts.preExecuteHook;
        if (hook !== undefined) {
          const verdict = yield* Effect.tryPromise({
            try: async () => await hook(code),
            catch: (e) =>
              new PreExecuteHookError(
                `\`preExecuteHook\` error: ${e instanceof Error ? e.message : String(e)}`,
                { blocked: false, cause: e },
              ),
          });
          if (verdict === false) {
            return yield* Effect.fail(
              new PreExecuteHookError("Execution blocked by `preExecuteHook`.", { blocked: true }),
            );
          }
        }
        const length = countChars(code);
        if (length > o.maxCodeLength) {
          return yield* Effect.fail(
            new CodeTooLongError(`Code too long (${length} chars, max ${o.maxCodeLength}).`),
          );
        }
        if (o.validate) {
          const v = validateCode(code);
          if (!v.valid) {
            return yield* Effect.fail(
              new RSyntaxError(
                `Code has a syntax error and was not executed:\n${v.error?.message ?? ""}`,
                {
                  line: v.error?.line ?? null,
                  column: v.error?.column ?? null,
                },
              ),
            );
          }
        }
      });

    const execute = (code: string, options?: ExecuteOptions) =>
      Effect.gen(function* () {
        if (typeof code !== "string") {
          return yield* Effect.fail(new TypeError("`code` must be a single character string."));
        }
        const o = yield* Effect.try({
          try: () => resolveExecuteOptions(options),
          catch: (e) => e as TypeError | RangeError,
        });
        if (closed) return yield* Effect.fail(new SessionClosedError("Session is not running."));
        if (busy) {
          return yield* Effect.fail(
            new SessionBusyError(
              "<SecureSession> does not support concurrent `execute()` calls; wait for the current execution to complete.",
            ),
          );
        }
        busy = true; // no yield point between the check and the guard below
        return yield* Effect.gen(function* () {
          yield* preChecks(code, o);
          executions++;
          const gen = yield* acquireGeneration;
          if (pendingFailure !== null) {
            const failure = pendingFailure;
            pendingFailure = null;
            return yield* Effect.fail(failure);
          }
          return yield* runExecution(gen, code, o);
        }).pipe(Effect.ensuring(Effect.sync(() => {
          busy = false;
        })));
      });

    const runExecution = (gen: Generation, code: string, o: ResolvedExecuteOptions) => {
      // Timer and abort events carry the execution id: one that fires as its execution
      // ends may still be queued when the next one starts, and must be ignored there.
      const execId = ++nextExecId;
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
        log.audit("execute_start", { code: auditCode(code) });
        if (gen.dead && pendingFailure !== null) {
          // It failed while idle, between being handed out and being marked active.
          const failure = pendingFailure;
          pendingFailure = null;
          return yield* Effect.fail(failure);
        }
        const exited = gen.child.exitStatus();
        if (exited !== null) Queue.offerUnsafe(gen.events, { _tag: "Exited", status: exited });

        const after = (ms: number, e: LoopEvent) =>
          Effect.sleep(ms).pipe(Effect.andThen(Effect.sync(() => offer(e))), Effect.forkChild);
        if (o.signal?.aborted) {
          log.audit("execute_timeout", { timeout_ms: null, elapsed_ms: 0 });
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
              log.audit("execute_timeout", { timeout_ms: o.timeout, elapsed_ms: Math.round(ms) });
              log.verbose(
                abortedBy === "signal"
                  ? `Execution aborted (${secs(ms)})`
                  : `Execution timed out after ${secs(o.timeout ?? ms).replace(/\.00s$/, "s")}`,
              );
            } else {
              log.audit("execute_error", { error: error.message, elapsed_ms: Math.round(ms) });
              log.verbose(`Execution error: ${error.message} (${secs(ms)})`);
            }
            return yield* Effect.fail(error);
          });
        const restartBecause = (reason: string) =>
          Effect.gen(function* () {
            gen.dead = true;
            gen.child.kill();
            yield* Effect.forkIn(replaceGeneration(gen, reason), sessionScope);
          });
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
            log.audit("protocol_error", { reason });
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
                  log.audit("limit_exceeded", { limit: "maxToolCalls", value: o.maxToolCalls });
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
                const fiber = yield* runToolCall(prepared, {
                  toolsByName,
                  toolTimeout: opts.toolTimeout,
                  log,
                }).pipe(
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
              yield* after(opts.interruptGrace, { _tag: "GraceOver", exec: execId });
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
              log.audit("child_crashed", {
                exit_code: event.status.code,
                signal: event.status.signal,
                likely_cause: likelyCause(event.status, opts.limits),
              });
              yield* restartBecause("the R process died");
              return yield* finishError(
                phase === "interrupting"
                  ? timeoutError(false)
                  : closed
                  ? new SessionClosedError("Session is not running.")
                  : crashedError(event.status, "during execution", output),
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
            const message = opts.sanitizeErrors ? sanitizeErrorMessage(m.message) : m.message;
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
          log.audit("execute_complete", { elapsed_ms: Math.round(ms) });
          log.verbose(`Execution complete (${secs(ms)})`);
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
        Effect.onInterrupt(() =>
          Effect.gen(function* () {
            gen.dead = true;
            gen.child.kill();
            yield* Effect.forkIn(
              replaceGeneration(gen, "the execution was interrupted"),
              sessionScope,
            );
          })
        ),
        Effect.ensuring(Effect.sync(() => {
          gen.active = false;
          gen.child.setOutput(null);
          o.signal?.removeEventListener("abort", onAbort);
        })),
      );
    };

    // ---- lifecycle -------------------------------------------------------------------
    const close: Effect.Effect<void> = lifecycle.withPermit(Effect.gen(function* () {
      if (closed) return;
      closed = true;
      const exit = yield* Effect.exit(Deferred.await(current));
      if (Exit.isSuccess(exit)) yield* disposeGeneration(exit.value);
      ready = null;
      log.audit("session_close");
      log.verbose("Session closed");
    }));

    const restart: Session["restart"] = Effect.gen(function* () {
      if (closed) return yield* Effect.fail(new SessionClosedError("Session is not running."));
      if (busy) {
        return yield* Effect.fail(
          new SessionBusyError("Cannot restart while an execution is in progress."),
        );
      }
      yield* lifecycle.withPermit(Effect.gen(function* () {
        log.verbose("Restarting session");
        log.audit("session_restart", { reason: "requested" });
        const exit = yield* Effect.exit(Deferred.await(current));
        if (Exit.isSuccess(exit)) yield* disposeGeneration(exit.value);
        pendingFailure = null;
        yield* launch;
      }));
      yield* Deferred.await(current);
    });

    yield* Effect.addFinalizer(() => close);
    yield* launch;
    yield* Deferred.await(current);

    return {
      id,
      execute,
      restart,
      close,
      isAlive: () => !closed && ready !== null && !ready.dead && ready.child.exitStatus() === null,
      tools: () => opts.tools.map(toolInfo),
      info: () => ({
        id,
        pid: ready?.child.pid ?? null,
        backend: backendName,
        sandboxed: config.sandboxed,
        capabilities: childConfig.capabilities,
        unenforcedLimits: config.unenforcedLimits,
        executions,
        rVersion: ready?.child.rVersion ?? null,
      }),
    } satisfies Session;

    function prepareToolCall(m: ChildMessage & { type: "tool_call" }) {
      try {
        const args: Record<string, { wire: unknown; value: unknown }> = {};
        for (const [k, w] of Object.entries(m.args)) args[k] = { wire: w, value: fromWire(w) };
        return { tool: m.tool, args };
      } catch (e) {
        return e instanceof WireFormatError ? e : new WireFormatError(String(e));
      }
    }
  });
