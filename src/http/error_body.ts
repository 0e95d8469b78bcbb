/**
 * Errors as HTTP answers: which status each error class gets, and its JSON body (the
 * error's `_tag`, message and public fields). Errors the server does not know are 500 with a
 * generic message, so nothing internal leaks. An R error's images and files (drawn and
 * written before it failed) are in the body, in base64.
 *
 * @module
 */
import { withCapturedJson } from "./captured_json.ts";

/** An error the HTTP layer raises itself (bad request, not found, too many sessions...). */
export class HttpError extends Error {
  /** The tag of the JSON body. */
  readonly _tag: string;
  /** The HTTP status. */
  readonly status: number;
  /** The request field at fault, for a 400. */
  readonly field: string | undefined;
  /** Creates the error. */
  constructor(status: number, tag: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this._tag = tag;
    this.field = field;
  }
}

/** The status code of each error tag the sessions and the pool raise. */
export const STATUS_BY_TAG: Readonly<Record<string, number>> = {
  // The code was taken and checked or run, and failed: 422.
  RSyntaxError: 422,
  CodeTooLongError: 422,
  RExecutionError: 422,
  ExecutionTimeoutError: 422,
  ToolCallLimitError: 422,
  ChildCrashedError: 422,
  ProtocolError: 422,
  PreExecuteHookError: 422,
  // The persistent session is running another execution.
  SessionBusyError: 409,
  // No capacity now, or the server is going away: 503 (retry later).
  PoolExhaustedError: 503,
  PoolClosedError: 503,
  SessionClosedError: 503,
  MaxExecutionsError: 503,
  SandboxUnavailableError: 503,
  SessionStartError: 503,
};

const FIELDS = ["output", "call", "line", "column", "timeoutMs", "stateKept"] as const;
/** Kept when not empty: what an R error drew and wrote before it (base64 in `toJson`). */
const CAPTURED = ["images", "files", "dropped"] as const;

/** The status and JSON body for any thrown value. */
export function errorAnswer(e: unknown): { status: number; body: Record<string, unknown> } {
  if (e instanceof HttpError) {
    const body: Record<string, unknown> = { _tag: e._tag, message: e.message };
    if (e.field !== undefined) body.field = e.field;
    return { status: e.status, body };
  }
  const tag = e instanceof Error ? (e as { _tag?: unknown })._tag : undefined;
  const status = typeof tag === "string" ? STATUS_BY_TAG[tag] : undefined;
  if (status === undefined || !(e instanceof Error)) {
    return { status: 500, body: { _tag: "InternalError", message: "Internal server error." } };
  }
  const body: Record<string, unknown> = { _tag: tag, message: e.message };
  for (const key of FIELDS) {
    const value = (e as unknown as Record<string, unknown>)[key];
    if (value !== undefined) body[key] = value;
  }
  for (const key of CAPTURED) {
    const value = (e as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value) && value.length > 0) body[key] = value;
  }
  return { status, body: withCapturedJson(body) };
}
