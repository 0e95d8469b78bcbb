/**
 * Spare sessions for `resetBetweenUses: "process"`: sessions started ahead of need, so a
 * session that is replaced after each use is replaced at once by one already warm, and a
 * new spare starts in the background. With no spare (`count` 0) a session is simply made.
 *
 * @module
 */
import { Deferred, Effect, Exit, FiberSet, Scope } from "effect";
import type { SessionCreateError, SessionHooks } from "../session/make_session.ts";
import type { SessionOptions } from "../session/options.ts";
import type { Session } from "../session/session.ts";

/** Makes a session in the current scope (the pool passes the built-in backends' maker). */
export type SessionMaker = (
  options: SessionOptions,
  hooks: SessionHooks,
) => Effect.Effect<Session, SessionCreateError, Scope.Scope>;

/** A session started ahead of need. */
interface Spare {
  readonly scope: Scope.Closeable;
  readonly ready: Deferred.Deferred<Session, SessionCreateError>;
  /** Where the session's child-lost hook goes: recorded until the spare is taken. */
  onChildLost: (reason: string) => void;
  lostEarly: boolean;
}

/** The spares, and how the pool takes a session. */
export interface SpareSessions {
  /** A session for the pool, living in the current scope: a spare if one is kept. */
  take(
    onChildLost: (reason: string) => void,
  ): Effect.Effect<Session, SessionCreateError, Scope.Scope>;
  /** Closes the spares not taken. */
  readonly close: Effect.Effect<void>;
}

/** Keeps `count` spares (0 or 1), started in `background`. */
export function spareSessions(
  make: SessionMaker,
  options: SessionOptions,
  count: number,
  background: FiberSet.FiberSet,
): SpareSessions {
  const kept: Spare[] = [];
  let closed = false;

  const start = Effect.suspend(() => {
    if (closed) return Effect.void;
    const spare: Spare = {
      scope: Scope.makeUnsafe(),
      ready: Deferred.makeUnsafe(),
      onChildLost: () => void (spare.lostEarly = true),
      lostEarly: false,
    };
    kept.push(spare);
    const hooks = { onChildLost: (reason: string) => spare.onChildLost(reason) };
    return FiberSet.run(
      background,
      make(options, hooks).pipe(
        Scope.provide(spare.scope),
        Effect.onExit((exit) => Deferred.done(spare.ready, exit)),
      ),
    ).pipe(Effect.asVoid);
  });

  const take = (onChildLost: (reason: string) => void) =>
    Effect.gen(function* () {
      const spare = kept.shift();
      if (count === 0 || spare === undefined) {
        if (count > 0) yield* start;
        return yield* make(options, { onChildLost });
      }
      yield* start;
      yield* Effect.addFinalizer(() => Scope.close(spare.scope, Exit.void));
      const session = yield* Deferred.await(spare.ready);
      if (spare.lostEarly) {
        // It failed while waiting: it is closed with this scope; make a fresh one.
        return yield* make(options, { onChildLost });
      }
      spare.onChildLost = onChildLost;
      return session;
    });

  return {
    take,
    close: Effect.suspend(() => {
      closed = true;
      const all = kept.splice(0);
      return Effect.forEach(all, (s) => Scope.close(s.scope, Exit.void), { discard: true });
    }),
  };
}
