/**
 * The Effect shell of the session lifecycle: it holds the one lifecycle state, applies the
 * pure {@linkcode transition}s and performs their actions — starting children (a
 * "generation" each) in the background, disposing them, replacing them under the
 * lifecycle lock in fibers of the session's scope, logging — and runs executions one at a
 * time (the loop of one execution is in `run_execution.ts`).
 *
 * @module
 */
import { Cause, Deferred, Effect, Exit, Fiber, Queue, type Scope, Semaphore } from "effect";
import type { Session } from "./session.ts";
import type { SessionLog } from "./session_log.ts";
import type { ChildConfig, ChildEvent } from "../channel/start_child.ts";
import { type SessionBusyError, type SessionClosedError, SessionStartError } from "../errors.ts";
import { type ExecutionContext, runExecution } from "./run_execution.ts";
import { crashedError } from "./crashed_error.ts";
import {
  type ExecuteOptions,
  type ResolvedExecuteOptions,
  type ResolvedSessionOptions,
  resolveExecuteOptions,
} from "./options.ts";
import { type Tool, toolInfo } from "../tools/securer_tool.ts";
import {
  disposeGeneration,
  type Generation,
  killGeneration,
  startGeneration,
} from "./generation.ts";
import {
  currentGen,
  initialState,
  isClosing,
  type LifecycleAction,
  type LifecycleEvent,
  type LifecycleState,
  type Refusal,
  type Transition,
  transition,
} from "./session_lifecycle.ts";
import { preChecks } from "./pre_checks.ts";
import { holdingEventLoop } from "../platform/keep_alive.ts";

/** What the session core needs from `makeSession`. */
export interface CoreConfig {
  readonly id: string;
  readonly opts: ResolvedSessionOptions;
  readonly log: SessionLog;
  /** The session's scope: background fibers run in it and are interrupted when it closes. */
  readonly sessionScope: Scope.Scope;
  readonly childConfig: ChildConfig;
  readonly sandboxed: boolean;
  readonly unenforcedLimits: readonly string[];
  /** Called whenever a child is lost and replaced (crash, protocol breach, hard timeout). */
  readonly onChildLost?: ((reason: string) => void) | undefined;
}

/** The shell's own state. */
interface Core {
  readonly config: CoreConfig;
  /** Serializes replacing, restarting and closing. */
  readonly lock: Semaphore.Semaphore;
  /** Runs an effect now, from a callback outside any fiber. */
  readonly runNow: (effect: Effect.Effect<void>) => void;
  /** The lifecycle state: the one record of what the session is doing. */
  state: LifecycleState<Generation>;
  /** The latest start of a child, to wait for. */
  current: Deferred.Deferred<Generation, SessionStartError>;
  /** The fiber running the latest start, or `null` before the first. */
  launching: Fiber.Fiber<unknown, unknown> | null;
}

type Actions = readonly LifecycleAction<Generation>[];

/** Applies a transition now: the state changes at once; the caller performs the actions. */
function decide(
  core: Core,
  event: LifecycleEvent<Generation>,
): Transition<Generation> | Refusal {
  const next = transition(core.state, event);
  if (next._tag === "Transition") core.state = next.state;
  return next;
}

/** Applies a transition and performs its actions; a refusal fails with its error. */
function apply(
  core: Core,
  event: LifecycleEvent<Generation>,
): Effect.Effect<Actions, SessionClosedError | SessionBusyError> {
  return Effect.suspend(() => {
    const next = decide(core, event);
    if (next._tag === "Refusal") return Effect.fail(next.error);
    return Effect.as(perform(core, next.actions), next.actions);
  });
}

/** {@linkcode apply} for an event no state refuses. */
function applyAlways(core: Core, event: LifecycleEvent<Generation>): Effect.Effect<Actions> {
  return Effect.orDie(apply(core, event));
}

/** Performs the shell's actions in order (the outcomes are left to the caller). */
function perform(core: Core, actions: Actions): Effect.Effect<void> {
  return Effect.forEach(actions, (a): Effect.Effect<void> => {
    switch (a._tag) {
      case "Launch":
        return launch(core);
      case "Dispose":
        return disposeGeneration(a.gen);
      case "Kill":
        return Effect.sync(() => killGeneration(a.gen));
      case "Replace":
        core.config.onChildLost?.(a.reason);
        return Effect.asVoid(Effect.forkIn(
          core.lock.withPermit(
            applyAlways(core, { _tag: "ReplaceBegins", gen: a.gen, reason: a.reason }),
          ),
          core.config.sessionScope,
        ));
      case "Audit":
        return Effect.sync(() => core.config.log.audit(a.event, a.fields));
      case "Verbose":
        return Effect.sync(() => core.config.log.verbose(a.line));
      default:
        return Effect.void;
    }
  }, { discard: true });
}

/** Starts a child in the background into a fresh `current`. */
function launch(core: Core): Effect.Effect<void> {
  const { config } = core;
  return Effect.gen(function* () {
    const deferred = yield* Deferred.make<Generation, SessionStartError>();
    core.current = deferred;
    const facts = { backend: config.childConfig.backend.name, sandboxed: config.sandboxed };
    // Only the start itself may be interrupted (the session closing interrupts the fibers of
    // its scope): what follows always runs, so `current` is always completed and whoever
    // waits for it — `close()` among them — always wakes.
    core.launching = yield* Effect.uninterruptibleMask((restore) =>
      restore(startGeneration(config.childConfig, config.log, facts, onChildEvent(core))).pipe(
        Effect.exit,
        Effect.tap((exit) =>
          applyAlways(
            core,
            Exit.isSuccess(exit)
              ? { _tag: "StartSucceeded", gen: exit.value }
              : { _tag: "StartFailed" },
          )
        ),
        Effect.flatMap((exit) =>
          Exit.isFailure(exit) && Cause.hasInterrupts(exit.cause)
            ? Deferred.fail(
              deferred,
              new SessionStartError("Cannot start R: the session was closed during the start"),
            )
            : Deferred.done(deferred, exit)
        ),
      )
    ).pipe(Effect.forkIn(config.sessionScope));
  });
}

/** Routes a child's event: to the running execution, or as a failure of the idle child. */
function onChildEvent(core: Core): (gen: Generation, event: ChildEvent) => void {
  const crashed = crashedOf(core.config);
  return (gen, event) => {
    if (gen.active) {
      Queue.offerUnsafe(gen.events, event);
      return;
    }
    if (gen.dead || event._tag === "Marker") return; // a disposed child, or late markers
    // The child died or misbehaved while idle: report it to the next execute and
    // replace it now.
    const next = decide(core, {
      _tag: "ChildFailedIdle",
      gen,
      failure: event._tag === "Exited"
        ? {
          _tag: "Exited",
          status: event.status,
          error: crashed(event.status, "while idle", [], gen.child.sandbox.usage()),
        }
        : {
          _tag: "Broke",
          reason: event._tag === "Broken"
            ? event.reason
            : `an unexpected ${event.message.type} message`,
        },
    });
    if (next._tag === "Transition") core.runNow(perform(core, next.actions));
  };
}

function crashedOf(config: CoreConfig): ExecutionContext["crashed"] {
  return (status, when, output, usage) =>
    crashedError(status, when, output, config.opts.limits, config.sandboxed, usage);
}

/** The first action of a kind, if any. */
function find<T extends LifecycleAction<Generation>["_tag"]>(
  actions: Actions,
  tag: T,
): Extract<LifecycleAction<Generation>, { _tag: T }> | undefined {
  return actions.find((a) => a._tag === tag) as
    | Extract<LifecycleAction<Generation>, { _tag: T }>
    | undefined;
}

/** The child to run on: waits for a start in progress, relaunches a failed one. */
function acquireGeneration(
  core: Core,
): Effect.Effect<Generation, SessionStartError | SessionClosedError | SessionBusyError> {
  return Effect.gen(function* () {
    yield* Effect.exit(Deferred.await(core.current));
    const ready = find(yield* apply(core, { _tag: "AcquireRequested" }), "Use");
    if (ready !== undefined) return ready.gen;
    const retried = yield* core.lock.withPermit(Effect.gen(function* () {
      // The background replacement has not started yet, or the last start failed.
      yield* Effect.exit(Deferred.await(core.current));
      return yield* apply(core, { _tag: "AcquireRetried" });
    }));
    const use = find(retried, "Use");
    if (use !== undefined) return use.gen;
    return yield* Deferred.await(core.current);
  });
}

/** One execution, once the session was marked running. */
function runGuarded(
  core: Core,
  context: ExecutionContext,
  code: string,
  o: ResolvedExecuteOptions,
) {
  return Effect.gen(function* () {
    yield* preChecks(code, o, core.config.opts, core.state.executions);
    yield* apply(core, { _tag: "PreChecksPassed" });
    const gen = yield* acquireGeneration(core);
    const begun = yield* apply(core, { _tag: "ExecutionBegins" });
    const failed = find(begun, "Fail");
    if (failed !== undefined) return yield* Effect.fail(failed.error);
    const run = find(begun, "Run")!;
    return yield* runExecution(context, gen, run.execId, code, o);
  });
}

function executionContext(core: Core): ExecutionContext {
  const { opts, log } = core.config;
  return {
    log,
    toolsByName: new Map<string, Tool>(opts.tools.map((t) => [t.name, t])),
    toolTimeout: opts.toolTimeout,
    interruptGrace: opts.interruptGrace,
    sanitizeErrors: opts.sanitizeErrors,
    capture: opts.capture,
    crashed: crashedOf(core.config),
    isClosed: () => isClosing(core.state),
    takeIdleFailure: Effect.flatMap(
      applyAlways(core, { _tag: "IdleFailureChecked" }),
      (actions) => {
        const failed = find(actions, "Fail");
        return failed === undefined ? Effect.void : Effect.fail(failed.error);
      },
    ),
    replace: (gen, reason) => Effect.asVoid(applyAlways(core, { _tag: "ChildLost", gen, reason })),
  };
}

/** Builds the session on its first child, in the session's scope. */
export const makeSessionCore = (
  config: CoreConfig,
): Effect.Effect<Session, SessionStartError, Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Effect.context<never>();
    const core: Core = {
      config,
      lock: yield* Semaphore.make(1),
      runNow: (effect) => void Effect.runForkWith(context)(effect),
      state: initialState(),
      current: yield* Deferred.make<Generation, SessionStartError>(),
      launching: null,
    };
    const execution = executionContext(core);

    const execute = Effect.fn("Session.execute")(
      function* (code: string, options?: ExecuteOptions) {
        if (typeof code !== "string") {
          return yield* Effect.fail(new TypeError("`code` must be a single character string."));
        }
        const o = yield* Effect.try({
          try: () => resolveExecuteOptions(options),
          catch: (e) => e as TypeError | RangeError,
        });
        // No yield point between marking the session running and installing the guard.
        return yield* Effect.suspend(() => {
          const next = decide(core, { _tag: "ExecuteRequested" });
          if (next._tag === "Refusal") return Effect.fail(next.error);
          // An execution in flight keeps the host alive; an idle session does not.
          return holdingEventLoop(runGuarded(core, execution, code, o)).pipe(
            Effect.ensuring(applyAlways(core, { _tag: "ExecuteFinished" })),
          );
        });
      },
    );

    const restart: Session["restart"] = Effect.fn("Session.restart")(function* () {
      yield* apply(core, { _tag: "RestartRequested" });
      yield* core.lock.withPermit(Effect.gen(function* () {
        yield* apply(core, { _tag: "RestartBegins" });
        yield* Effect.exit(Deferred.await(core.current));
        yield* apply(core, { _tag: "RestartProceeds" });
      }));
      yield* Deferred.await(core.current);
    })();

    const close: Session["close"] = Effect.fn("Session.close")(function* () {
      yield* applyAlways(core, { _tag: "CloseRequested" });
      yield* core.lock.withPermit(Effect.gen(function* () {
        // A start in progress is waited for; its child is disposed as it comes up. The start's
        // fiber is what is waited for, not its outcome: a start forked as the session's scope
        // closes may never run, and then no outcome ever comes.
        if (core.launching !== null) yield* Fiber.await(core.launching);
        yield* applyAlways(core, { _tag: "CloseProceeds" });
        // Whoever still waits for a start (a restart racing the close) wakes up now.
        yield* Deferred.fail(
          core.current,
          new SessionStartError("Cannot start R: the session is closed"),
        );
      }));
    })();

    yield* Effect.addFinalizer(() => close);
    yield* launch(core);
    yield* Deferred.await(core.current);

    return {
      id: config.id,
      execute,
      restart,
      close,
      isAlive: () => {
        const gen = currentGen(core.state);
        return !isClosing(core.state) && gen !== null && !gen.dead &&
          gen.child.exitStatus() === null;
      },
      tools: () => config.opts.tools.map(toolInfo),
      info: () => ({
        id: config.id,
        pid: currentGen(core.state)?.child.pid ?? null,
        backend: config.childConfig.backend.name,
        sandboxed: config.sandboxed,
        // Which limits hold for the whole sandbox (its cgroup) and which per process.
        capabilities: {
          ...config.childConfig.capabilities,
          ...(currentGen(core.state)?.child.sandbox.limitScope
            ? { limitScope: currentGen(core.state)!.child.sandbox.limitScope }
            : {}),
        },
        unenforcedLimits: config.unenforcedLimits,
        executions: core.state.executions,
        rVersion: currentGen(core.state)?.child.rVersion ?? null,
      }),
    } satisfies Session;
  });
