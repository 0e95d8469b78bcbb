/**
 * `SecureSession`, the Promise API of a session: a thin shell over one `ManagedRuntime`
 * that owns the Effect session (SPEC §5). It holds no logic of its own: the session's
 * operations are self-contained effects, run and rethrown by `runOrThrow`; disposing the
 * runtime closes the session.
 *
 * @module
 */
import { Effect, ManagedRuntime } from "effect";
import { layer, Session as SessionKey } from "../effect/mod.ts";
import type { ExecuteOptions, SessionOptions } from "../session/options.ts";
import { runOrThrow, valueOrThrow } from "./run_or_throw.ts";
import type { ExecuteResult } from "../session/run_execution.ts";
import type { Session, SessionInfo } from "../session/session.ts";
import type { ToolInfo } from "../tools/securer_tool.ts";

/**
 * The safety net for a session that becomes unreachable without `close()`: when the garbage
 * collector reclaims it, its runtime is disposed, which kills R and removes its files. It is
 * not a substitute for `close()` — collection may come late, or never before the host exits
 * (then the exit hook cleans up).
 */
const unclosed: FinalizationRegistry<ManagedRuntime.ManagedRuntime<Session, unknown>> =
  new FinalizationRegistry((runtime) => {
    runtime.dispose().catch(() => undefined);
  });

let borrow: (session: Session) => SecureSession;

/**
 * Wraps a session its owner keeps (a pool lends its sessions this way): `close()` calls the
 * session's own `close`, and nothing disposes it when the wrapper is collected.
 */
export function borrowedSecureSession(session: Session): SecureSession {
  return borrow(session);
}

/**
 * A persistent R session: state survives between executions, tools are callable, and the
 * R process is restarted after a crash, a protocol violation or a hard timeout.
 *
 * @example
 * ```ts
 * import { SecureSession, securerTool } from "@securer/securer";
 *
 * const add = securerTool({
 *   name: "add",
 *   args: { a: "numeric", b: "numeric" },
 *   fn: ({ a, b }) => Number(a) + Number(b), // a, b: RValueOf<"numeric">, maybe vectors or NA
 * });
 * await using session = await SecureSession.create({ tools: [add], sandbox: true });
 * const r = await session.execute("x <- add(1, 2)\nx * 10");
 * console.log(r.value); // 30
 * ```
 */
export class SecureSession implements AsyncDisposable {
  readonly #close: () => Promise<void>;
  readonly #session: Session;

  static {
    borrow = (session) => new SecureSession(null, session);
  }

  /** `runtime` owns the session; `null` for a session lent by its owner (a pool's lease). */
  private constructor(
    runtime: ManagedRuntime.ManagedRuntime<Session, unknown> | null,
    session: Session,
  ) {
    this.#session = session;
    if (runtime === null) {
      this.#close = () => runOrThrow(session.close);
      return;
    }
    this.#close = () => runtime.dispose();
    unclosed.register(this, runtime, this);
  }

  /**
   * Starts a session.
   *
   * @throws {SandboxUnavailableError} when `sandbox: true` and no sandbox works here.
   * @throws {SessionStartError} when R cannot be found or started.
   * @throws {TypeError | RangeError} for invalid options.
   */
  static async create(options?: SessionOptions): Promise<SecureSession> {
    const runtime = ManagedRuntime.make(layer(options));
    try {
      const session = valueOrThrow(await runtime.runPromiseExit(Effect.service(SessionKey)));
      return new SecureSession(runtime, session);
    } catch (e) {
      await runtime.dispose();
      throw e;
    }
  }

  /** The session id (`sess_` + 12 hex digits). */
  get id(): string {
    return this.#session.id;
  }

  /**
   * Runs R code in the session's global environment.
   *
   * @throws {RExecutionError} when the code raises an R error (the session stays usable).
   * @throws {ExecutionTimeoutError} when it runs past `timeout` (the session stays usable).
   * @throws See `ExecuteError` in the errors module for the rest.
   */
  execute(code: string, options?: ExecuteOptions): Promise<ExecuteResult> {
    return runOrThrow(this.#session.execute(code, options));
  }

  /** Replaces the R process with a fresh one; all state is lost. */
  restart(): Promise<void> {
    return runOrThrow(this.#session.restart);
  }

  /** Closes the session: kills R and removes its files. Safe to call twice. */
  async close(): Promise<void> {
    unclosed.unregister(this);
    await this.#close();
  }

  /** Whether the session is open and its R process is running. */
  isAlive(): boolean {
    return this.#session.isAlive();
  }

  /** The tools, without their functions. */
  tools(): readonly ToolInfo[] {
    return this.#session.tools();
  }

  /** Facts about the session: id, pid, backend, capabilities, executions. */
  info(): SessionInfo {
    return this.#session.info();
  }

  /** Closes the session (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
