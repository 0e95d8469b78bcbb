/**
 * The Effect API of securer (SPEC §5): sessions as scoped resources, and the services and
 * layers that provide them. The Promise API in `mod.ts` is a thin shell over this.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { makeSession } from "@securer/securer/effect";
 *
 * const program = Effect.scoped(Effect.gen(function* () {
 *   const session = yield* makeSession({ sandbox: false });
 *   const result = yield* session.execute("1 + 1");
 *   return result.value;
 * }));
 * ```
 *
 * @module
 */
import { Context, Effect, Layer, type Scope } from "effect";
import type { SessionOptions } from "../session/options.ts";
import { builtinCatalog } from "../../backends/builtin.ts";
import { makeSession as makeSessionIn, type SessionCreateError } from "../session/make_session.ts";
import { Session } from "../session/session.ts";
import { makeSessionPool as makeSessionPoolIn, SessionPool } from "../pool/session_pool.ts";
import type { PoolOptions } from "../pool/pool_options.ts";

export type { ExecuteResult, SessionCreateError } from "../session/make_session.ts";
export type {
  DroppedOutput,
  FileOptions,
  OutputFile,
  PlotImage,
  PlotOptions,
} from "../plots/types.ts";
export { Session, type SessionInfo } from "../session/session.ts";
export type { ExecuteOptions, SessionOptions } from "../session/options.ts";
export {
  type PoolAcquireError,
  type PoolExecuteError,
  type PoolLease,
  SessionPool,
} from "../pool/session_pool.ts";
export type { PoolExecuteOptions, PoolOptions, ResetMode } from "../pool/pool_options.ts";
export type { PoolStatus } from "../pool/pool_status.ts";
export {
  type BackendFailure,
  ChildCrashedError,
  CodeTooLongError,
  type ExecuteError,
  ExecutionTimeoutError,
  MaxExecutionsError,
  type OutputTail,
  PoolClosedError,
  PoolExhaustedError,
  PreExecuteHookError,
  ProtocolError,
  RExecutionError,
  RSyntaxError,
  SandboxUnavailableError,
  SessionBusyError,
  SessionClosedError,
  SessionStartError,
  ToolCallLimitError,
  ToolError,
} from "../errors.ts";

/**
 * Creates a session in the current scope (closing the scope closes it), choosing among the
 * built-in backends (or the `backend` option).
 */
export const makeSession = (
  options?: SessionOptions,
): Effect.Effect<Session, SessionCreateError, Scope.Scope> =>
  makeSessionIn(options, builtinCatalog());

/** Creates sessions on demand; each lives in the caller's scope. */
export interface SessionFactory {
  /** Creates a session in the current scope (closing the scope closes it). */
  readonly make: (
    options?: SessionOptions,
  ) => Effect.Effect<Session, SessionCreateError, Scope.Scope>;
}

/** The {@linkcode SessionFactory} service key. */
export const SessionFactory: Context.Service<SessionFactory, SessionFactory> = Context.Service<
  SessionFactory
>("@securer/securer/SessionFactory");

/** A layer providing one session built with `options`, closed when the layer is released. */
export function layer(options?: SessionOptions): Layer.Layer<Session, SessionCreateError> {
  return Layer.effect(Session, makeSession(options));
}

/** A layer providing the {@linkcode SessionFactory}. */
export const layerFactory: Layer.Layer<SessionFactory> = Layer.succeed(SessionFactory, {
  make: makeSession,
});

/**
 * A layer providing one sandboxed session with every default: the platform's sandbox is
 * probed and the layer fails with `SandboxUnavailableError` when none works.
 */
export const layerAuto: Layer.Layer<Session, SessionCreateError> = layer({ sandbox: true });

/** Runs `f` with a fresh session that is closed afterwards, whatever happens. */
export const withSession = <A, E, R>(
  options: SessionOptions | undefined,
  f: (session: Session) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E | SessionCreateError, R> =>
  Effect.scoped(Effect.flatMap(makeSession(options), f));

/**
 * Creates a session pool in the current scope (closing the scope closes it and all its
 * sessions), once all of its sessions have started. `sandbox` defaults to `true`.
 */
export const makeSessionPool = (
  options?: PoolOptions,
): Effect.Effect<SessionPool, SessionCreateError, Scope.Scope> =>
  makeSessionPoolIn(
    options,
    (sessionOptions, hooks) => makeSessionIn(sessionOptions, builtinCatalog(), hooks),
  );

/** A layer providing a {@linkcode SessionPool} built with `options`, closed when released. */
export function layerPool(options?: PoolOptions): Layer.Layer<SessionPool, SessionCreateError> {
  return Layer.effect(SessionPool, makeSessionPool(options));
}
