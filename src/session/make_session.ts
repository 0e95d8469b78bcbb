/**
 * The session core (SPEC §4, §5, §9) as Effect programs: a session is a scoped resource
 * that owns one R child at a time (a "generation"), replaces it after a crash, a protocol
 * violation or a hard-killed timeout, runs the pre-checks, and runs executions one at a
 * time (the loop of one execution is in `execution.ts`).
 *
 * @module
 */
import { Deferred, Effect, Exit, Queue, Scope, Semaphore } from "effect";
import type { Session } from "./session.ts";
import { makeSessionLog, type SessionLog } from "./session_log.ts";
import { type ChildEvent, startChild } from "../channel/start_child.ts";
import {
  CodeTooLongError,
  type ExecuteError,
  MaxExecutionsError,
  PreExecuteHookError,
  ProtocolError,
  RSyntaxError,
  type SandboxUnavailableError,
  SessionBusyError,
  SessionClosedError,
  SessionStartError,
} from "../errors.ts";
import {
  type ExecutionContext,
  type Generation,
  type LoopEvent,
  runExecution,
} from "./run_execution.ts";
import { crashedError } from "./crashed_error.ts";
import {
  type ExecuteOptions,
  type ResolvedExecuteOptions,
  type ResolvedSessionOptions,
  resolveExecuteOptions,
  resolveSessionOptions,
  type SessionOptions,
} from "./options.ts";
import type { ExitStatus } from "../platform/process.ts";
import { randomHex } from "../platform/files.ts";
import { findR } from "../channel/find_r.ts";
import { type BackendCatalog, chooseBackend } from "../sandbox/choose_backend.ts";
import { type Tool, toolInfo } from "../tools/securer_tool.ts";
import { validateCode } from "../validate/validate_code.ts";

export type { ExecuteResult } from "./run_execution.ts";
export { exitSignal, likelyCause } from "./crashed_error.ts";

/** Errors creating a session can fail with. */
export type SessionCreateError =
  | SessionStartError
  | SandboxUnavailableError
  | TypeError
  | RangeError;

function countChars(code: string): number {
  let n = code.length;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/**
 * Creates a session in the current scope: validates the options, chooses the backend from
 * `catalog` (failing closed), finds R and starts the first child. Closing the scope closes
 * it.
 */
export const makeSession = (
  options: SessionOptions | undefined,
  catalog: BackendCatalog,
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
        }, catalog),
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
      pendingFailure = status ? crashed(status, "while idle", []) : new ProtocolError(
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
        if (Exit.isFailure(again) || again.value.dead) {
          // The background replacement has not started yet (or the last start failed).
          log.verbose("Restarting session");
          log.audit("session_restart", {
            reason: Exit.isFailure(again) ? "the last start failed" : "the R process failed",
          });
          yield* launch;
        }
      }));
      return yield* Deferred.await(current);
    });

    // ---- execution -----------------------------------------------------------------
    const crashed = (status: ExitStatus, when: string, output: readonly string[]) =>
      crashedError(status, when, output, opts.limits, config.sandboxed);

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
          return yield* runExecution(executionContext, gen, ++nextExecId, code, o);
        }).pipe(Effect.ensuring(Effect.sync(() => {
          busy = false;
        })));
      });

    const executionContext: ExecutionContext = {
      log,
      toolsByName,
      toolTimeout: opts.toolTimeout,
      interruptGrace: opts.interruptGrace,
      sanitizeErrors: opts.sanitizeErrors,
      crashed,
      isClosed: () => closed,
      takeIdleFailure: (gen) => {
        if (!gen.dead || pendingFailure === null) return null;
        const failure = pendingFailure;
        pendingFailure = null;
        return failure;
      },
      replace: (gen, reason) =>
        Effect.gen(function* () {
          gen.dead = true;
          gen.child.kill();
          yield* Effect.forkIn(replaceGeneration(gen, reason), sessionScope);
        }),
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
  });
