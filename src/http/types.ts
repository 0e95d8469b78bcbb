/**
 * The shapes the HTTP layer needs from what runs the code: a pool for one-shot executions
 * and sessions for the persistent ones. `SecureSessionPool` and `SecureSession` fill them.
 *
 * @module
 */
import type { ExecuteOptions } from "../session/options.ts";
import type { ExecuteResult } from "../session/run_execution.ts";
import type { ToolInfo } from "../tools/securer_tool.ts";
import type { RExecutor } from "../agents/r_executor.ts";

/** How many sessions a pool holds and what they are doing. */
export interface PoolStatus {
  /** Sessions the pool holds. */
  readonly total: number;
  /** Sessions running an execution or lent out. */
  readonly busy: number;
  /** Sessions ready to take an execution. */
  readonly idle: number;
  /** Sessions that died and wait to be replaced. */
  readonly dead: number;
  /** Sessions starting. */
  readonly starting: number;
}

/** Options of one pooled execution, as the HTTP layer passes them. */
export interface PoolExecuteOptions extends ExecuteOptions {
  /** How long to wait for a free session, in milliseconds (0: fail at once). */
  readonly acquireTimeout?: number;
}

/** What the HTTP layer uses of a pool (`SecureSessionPool` has all of it). */
export interface HttpPool {
  /** Runs code on a free session. */
  execute(code: string, options?: PoolExecuteOptions): Promise<ExecuteResult>;
  /** The pool's counts. */
  status(): PoolStatus;
  /** The tools the code may call, without their functions. */
  tools(): readonly ToolInfo[];
  /** Closes every session. */
  close(): Promise<void>;
}

/** What the HTTP layer uses of a persistent session (`SecureSession` has all of it). */
export interface HttpSession {
  /** Runs code in the session. */
  execute(code: string, options?: ExecuteOptions): Promise<ExecuteResult>;
  /** Closes the session. */
  close(): Promise<void>;
}

/**
 * Mounts MCP's Streamable HTTP transport at `/mcp`: given what the app runs code on, a
 * fetch-style handler. `mcpOverHttp()` from `./mcp` is one; `./http` itself never loads
 * the MCP SDK.
 */
export type McpMount = (executor: RExecutor) => (request: Request) => Promise<Response>;
