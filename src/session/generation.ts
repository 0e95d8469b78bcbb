/**
 * A generation: one R child of a session with its event queue, started in a scope of its
 * own and disposed when the session replaces it.
 *
 * @module
 */
import { Effect, Exit, Queue, Scope } from "effect";
import { type ChildConfig, type ChildEvent, startChild } from "../channel/start_child.ts";
import type { SessionStartError } from "../errors.ts";
import type { TimerEvent } from "./execution_types.ts";
import type { SessionLog } from "./session_log.ts";
import type { Child } from "../channel/start_child.ts";
import type { ToolReply } from "../tools/run_tool_call.ts";
import { holdingEventLoop } from "../platform/keep_alive.ts";

/** Everything the execution loop waits for. */
export type LoopEvent =
  | ChildEvent
  | { readonly _tag: "ToolDone"; readonly call: number; readonly reply: ToolReply }
  | TimerEvent;

/** One R child of a session, with its event queue. */
export interface Generation {
  /** The child. */
  readonly child: Child;
  /** The scope that owns it: closing it kills the child and removes its files. */
  readonly scope: Scope.Closeable;
  /** The events an execution consumes while `active`. */
  readonly events: Queue.Queue<LoopEvent>;
  /** An execution is consuming `events`. */
  active: boolean;
  /** The child was killed or broke; it must not be used again. */
  dead: boolean;
}

/** What the session's audit line and verbose line say about a started child. */
export interface GenerationFacts {
  readonly backend: string;
  readonly sandboxed: boolean;
}

/**
 * Starts a child in a scope of its own. `onEvent` receives its events from the moment the
 * generation exists, including an exit that raced the handshake's completion.
 */
export const startGeneration = (
  config: ChildConfig,
  log: SessionLog,
  facts: GenerationFacts,
  onEvent: (gen: Generation, event: ChildEvent) => void,
): Effect.Effect<Generation, SessionStartError> =>
  holdingEventLoop(Effect.gen(function* () {
    const scope = yield* Scope.make();
    const events = yield* Queue.unbounded<LoopEvent>();
    const holder: { gen: Generation | null } = { gen: null };
    const child = yield* startChild(config, (e) => {
      if (holder.gen) onEvent(holder.gen, e);
    }).pipe(
      Scope.provide(scope),
      Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause))),
    );
    const gen: Generation = { child, scope, events, active: false, dead: false };
    holder.gen = gen;
    // An exit that raced the handshake's completion is still reported.
    const status = child.exitStatus();
    if (status !== null) onEvent(gen, { _tag: "Exited", status });
    log.audit("session_start", {
      sandbox: facts.sandboxed,
      pid: child.pid,
      backend: facts.backend,
    });
    log.verbose(`Session started (sandbox=${facts.sandboxed}, pid=${child.pid})`);
    return gen;
  }));

/** Marks the child dead and kills it now (its scope is closed later). */
export function killGeneration(gen: Generation): void {
  gen.dead = true;
  gen.child.kill();
}

/** Marks the child dead, kills it, and closes its scope (removing its files). */
export const disposeGeneration = (gen: Generation): Effect.Effect<void> =>
  holdingEventLoop(Effect.suspend(() => {
    killGeneration(gen);
    return Scope.close(gen.scope, Exit.void);
  }));
