/**
 * `SecureSessionPool`, the Promise API of the session pool: a thin shell over one
 * `ManagedRuntime` that owns the Effect pool (`session_pool.ts`). Disposing the runtime
 * closes the pool.
 *
 * @module
 */
import { Effect, ManagedRuntime } from "effect";
import { layerPool, SessionPool as PoolKey } from "../effect/mod.ts";
import { borrowedSecureSession, type SecureSession } from "../facade/secure_session.ts";
import { runOrThrow, valueOrThrow } from "../facade/run_or_throw.ts";
import type { ExecuteResult } from "../session/run_execution.ts";
import type { ToolInfo } from "../tools/securer_tool.ts";
import type { PoolExecuteOptions, PoolOptions } from "./pool_options.ts";
import type { PoolStatus } from "./pool_status.ts";
import type { SessionPool } from "./session_pool.ts";

/** A session lent by {@linkcode SecureSessionPool.acquire}; `await using` gives it back. */
export interface SessionLease extends AsyncDisposable {
  /** The session; it stops working (`SessionClosedError`) once the lease is released. */
  readonly session: SecureSession;
  /** Gives the session back to the pool, cancelling what still runs on it. Safe to call twice. */
  release(): Promise<void>;
}

/** Options of {@linkcode SecureSessionPool.acquire}. */
export interface AcquireOptions {
  /** How long to wait for a free session, in milliseconds. @default the pool's */
  readonly acquireTimeout?: number;
}

/**
 * A pool of warm R sessions, run truly concurrently: each execution takes a free session,
 * waiting up to `acquireTimeout` in FIFO order. A session whose R process dies, breaks the
 * protocol or is killed after a hard timeout is never lent again: it is closed and
 * replaced in the background. `sandbox` defaults to `true`.
 *
 * @example
 * ```ts
 * import { SecureSessionPool } from "@securer/securer";
 *
 * await using pool = await SecureSessionPool.create({ size: 2, acquireTimeout: 5_000 });
 * const [a, b] = await Promise.all([pool.execute("1 + 1"), pool.execute("2 * 3")]);
 * console.log(a.value, b.value); // 2 6
 * ```
 */
export class SecureSessionPool implements AsyncDisposable {
  readonly #runtime: ManagedRuntime.ManagedRuntime<SessionPool, unknown>;
  readonly #pool: SessionPool;

  private constructor(
    runtime: ManagedRuntime.ManagedRuntime<SessionPool, unknown>,
    pool: SessionPool,
  ) {
    this.#runtime = runtime;
    this.#pool = pool;
  }

  /**
   * Starts a pool; resolves once all of its sessions have started.
   *
   * @throws {SandboxUnavailableError} when `sandbox` is on and no sandbox works here.
   * @throws {SessionStartError} when R cannot be found or started.
   * @throws {TypeError | RangeError} for invalid options (`size` must be 1 to 100).
   */
  static async create(options?: PoolOptions): Promise<SecureSessionPool> {
    const runtime = ManagedRuntime.make(layerPool(options));
    try {
      const pool = valueOrThrow(await runtime.runPromiseExit(Effect.service(PoolKey)));
      return new SecureSessionPool(runtime, pool);
    } catch (e) {
      await runtime.dispose();
      throw e;
    }
  }

  /**
   * Runs R code on the next free session.
   *
   * @throws {PoolExhaustedError} when no session is free within `acquireTimeout`.
   * @throws {PoolClosedError} once the pool is closed (also for executions it cancelled).
   * @throws See `ExecuteError` in the errors module for the rest.
   */
  execute(code: string, options?: PoolExecuteOptions): Promise<ExecuteResult> {
    return runOrThrow(this.#pool.execute(code, options));
  }

  /**
   * Lends a session until the lease is released (`await using` releases it).
   *
   * @throws {PoolExhaustedError} when no session is free within `acquireTimeout`.
   * @throws {PoolClosedError} once the pool is closed.
   */
  async acquire(options?: AcquireOptions): Promise<SessionLease> {
    const lease = await runOrThrow(this.#pool.acquire(options));
    const release = () => runOrThrow(lease.release);
    return {
      session: borrowedSecureSession(lease.session),
      release,
      [Symbol.asyncDispose]: release,
    };
  }

  /** Runs `fn` with a lent session, given back afterwards whatever happens. */
  async withSession<T>(fn: (session: SecureSession) => Promise<T>): Promise<T> {
    const lease = await this.acquire();
    try {
      return await fn(lease.session);
    } finally {
      await lease.release();
    }
  }

  /** Counts of the pool's sessions by state (all zero once closed). */
  status(): PoolStatus {
    return this.#pool.status();
  }

  /** The pool's size (0 once closed). */
  size(): number {
    return this.#pool.size();
  }

  /** Sessions ready to be lent now. */
  available(): number {
    return this.#pool.available();
  }

  /** The tools, without their functions. */
  tools(): readonly ToolInfo[] {
    return this.#pool.tools();
  }

  /** `<SecureSessionPool> size=4 idle=4 busy=0`, or `<SecureSessionPool> [closed]`. */
  toString(): string {
    return this.#pool.format();
  }

  /**
   * Closes the pool: executions in flight are aborted (as an aborted `signal` aborts them)
   * and reject with `PoolClosedError`, leases end, every session is closed. Safe to call
   * twice; always settles.
   */
  async close(): Promise<void> {
    await runOrThrow(this.#pool.close);
    await this.#runtime.dispose();
  }

  /** Closes the pool (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
