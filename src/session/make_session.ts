/**
 * Creating a session (SPEC §4, §5): a scoped resource that validates its options, chooses
 * the sandbox backend (failing closed), finds R, opens its log and starts its first child.
 * The session itself — the lifecycle, the generations of R children and the executions —
 * is in `session_core.ts`.
 *
 * @module
 */
import { Effect, Scope } from "effect";
import type { Session } from "./session.ts";
import { makeSessionLog } from "./session_log.ts";
import { type SandboxUnavailableError, SessionStartError } from "../errors.ts";
import { resolveSessionOptions, type SessionOptions } from "./options.ts";
import { randomHex } from "../platform/files.ts";
import { findR } from "../channel/find_r.ts";
import { type BackendCatalog, chooseBackend } from "../sandbox/choose_backend.ts";
import { makeSessionCore } from "./session_core.ts";

export type { ExecuteResult } from "./run_execution.ts";
export { exitSignal, likelyCause } from "./crashed_error.ts";

/** Errors creating a session can fail with. */
export type SessionCreateError =
  | SessionStartError
  | SandboxUnavailableError
  | TypeError
  | RangeError;

/** Internal hooks a session's owner (the pool) may pass: not part of the public options. */
export interface SessionHooks {
  /**
   * Called (synchronously) whenever the session loses its child and replaces it: the child
   * died, broke the protocol or was killed after a hard timeout or an interruption. `reason`
   * is `IDLE_FAILED` (`session_lifecycle.ts`) when the child failed while idle.
   */
  readonly onChildLost?: (reason: string) => void;
}

/**
 * Creates a session in the current scope: validates the options, chooses the backend from
 * `catalog` (failing closed), finds R and starts the first child. Closing the scope closes
 * it.
 */
export const makeSession: (
  options: SessionOptions | undefined,
  catalog: BackendCatalog,
  hooks?: SessionHooks,
) => Effect.Effect<Session, SessionCreateError, Scope.Scope> = Effect.fn("Session.make")(
  function* (options: SessionOptions | undefined, catalog: BackendCatalog, hooks?: SessionHooks) {
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
        capture: opts.capture,
      },
      sandboxed: choice.backend.name !== "unsandboxed",
      unenforcedLimits: unenforced,
      onChildLost: hooks?.onChildLost,
    });
    return session;
  },
);
