/**
 * The `Session` interface (the Effect API of one session), the {@linkcode Session} service
 * key named after it, and what `info()` reports.
 *
 * @module
 */
import { Context, type Effect } from "effect";
import type { Capabilities } from "../sandbox/backend.ts";
import type {
  ExecuteError,
  SessionBusyError,
  SessionClosedError,
  SessionStartError,
} from "../errors.ts";
import type { ExecuteOptions } from "./options.ts";
import type { ExecuteResult } from "./run_execution.ts";
import type { ToolInfo } from "../tools/securer_tool.ts";

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

/** A live session (Effect API). Its service key is {@linkcode Session}. */
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

/** The service key of one {@linkcode Session} (provided by `layer()` in `./effect`). */
export const Session: Context.Service<Session, Session> = Context.Service<Session>(
  "@securer/securer/Session",
);
