/**
 * The audit log (JSONL, SPEC §11) and verbose lines.
 *
 * The audit file is opened once per session, append-only, with mode 0600; symlinks and
 * device files are refused. Each line is one JSON object with `timestamp` (UTC ISO-8601
 * with milliseconds), `event` and `session_id`, written synchronously so lines are never
 * reordered or lost when the host exits.
 *
 * The child decides how many events an execution makes (a loop of tool calls), so the log
 * is bounded per execution: past {@linkcode AUDIT_EXECUTION_BYTES}, events are counted
 * instead of written, and one `audit_suppressed` line says how many of each were left out
 * before the execution's closing event. The session and execution start and end events are
 * always written (their free-text fields are cut at {@linkcode AUDIT_CODE_MAX}).
 *
 * @module
 */
import * as fs from "node:fs";
import { dirname, resolve } from "node:path";

/** The events an audit log records. */
export type AuditEvent =
  | "session_start"
  | "session_close"
  | "session_restart"
  | "execute_start"
  | "execute_complete"
  | "execute_error"
  | "execute_timeout"
  | "tool_call"
  | "tool_result"
  | "protocol_error"
  | "limit_exceeded"
  | "child_crashed"
  | "audit_suppressed";

/** Longest `code` field in `execute_start`, in characters. */
export const AUDIT_CODE_MAX = 10_000;

/** Audit bytes one execution may write, past its always-written start and end events. */
export const AUDIT_EXECUTION_BYTES = 1_048_576;

/** Events written whatever the budget: one of each per session or per execution. */
const ALWAYS_WRITTEN: ReadonlySet<AuditEvent> = new Set<AuditEvent>([
  "session_start",
  "session_close",
  "session_restart",
  "execute_start",
  "execute_complete",
  "execute_error",
  "execute_timeout",
]);
const ENDS_EXECUTION: ReadonlySet<AuditEvent> = new Set<AuditEvent>([
  "execute_complete",
  "execute_error",
  "execute_timeout",
]);

/** Where verbose lines go: `true` for stderr, or a function that receives each line. */
export type VerboseOption = boolean | ((line: string) => void);

/**
 * Checks an audit log path and opens it for appending.
 *
 * @throws {TypeError} "auditLog path must be a non-empty string", "... must not point to a
 *   device file", "... must not be a symlink", or "... must be a regular file".
 */
export function openAuditFile(path: unknown): number {
  if (typeof path !== "string" || path.trim() === "") {
    throw new TypeError("auditLog path must be a non-empty string");
  }
  const full = resolve(path);
  if (full === "/dev" || full.startsWith("/dev/") || dirname(full) === "/dev") {
    throw new TypeError("auditLog path must not point to a device file");
  }
  let stat: fs.Stats | null = null;
  try {
    stat = fs.lstatSync(full);
  } catch {
    // Does not exist yet.
  }
  if (stat?.isSymbolicLink()) throw new TypeError("auditLog path must not be a symlink");
  if (stat && !stat.isFile()) throw new TypeError("auditLog path must not point to a device file");
  fs.mkdirSync(dirname(full), { recursive: true, mode: 0o700 });
  const flags = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT |
    (fs.constants.O_NOFOLLOW ?? 0);
  let fd: number;
  try {
    fd = fs.openSync(full, flags, 0o600);
  } catch (e) {
    if ((e as { code?: string }).code === "ELOOP") {
      throw new TypeError("auditLog path must not be a symlink");
    }
    throw e;
  }
  if (!fs.fstatSync(fd).isFile()) {
    fs.closeSync(fd);
    throw new TypeError("auditLog path must be a regular file");
  }
  fs.fchmodSync(fd, 0o600);
  return fd;
}

/** Writes audit lines and verbose lines for one session. */
export interface SessionLog {
  /** Appends one audit event (no-op without an audit log). */
  audit(event: AuditEvent, fields?: Record<string, unknown>): void;
  /** Emits one verbose line, prefixed `[securer] ` (no-op unless verbose). */
  verbose(line: string): void;
  /** Whether verbose lines are wanted (to skip building them). */
  readonly isVerbose: boolean;
  /** Closes the audit file. */
  close(): void;
}

/** Creates the log for a session. `auditLog` must already be validated by the caller. */
export function makeSessionLog(
  sessionId: string,
  auditLog: string | undefined,
  verbose: VerboseOption | undefined,
): SessionLog {
  let fd = auditLog === undefined ? null : openAuditFile(auditLog);
  const sink = verbose === true
    ? (line: string) => process.stderr.write(`${line}\n`)
    : typeof verbose === "function"
    ? verbose
    : null;
  let spent = 0;
  const suppressed = new Map<AuditEvent, number>();
  const write = (event: AuditEvent, fields: Record<string, unknown>) => {
    const line = `${
      JSON.stringify({
        timestamp: new Date().toISOString(),
        event,
        session_id: sessionId,
        ...fields,
      })
    }\n`;
    if (!ALWAYS_WRITTEN.has(event) && event !== "audit_suppressed") {
      if (spent + line.length > AUDIT_EXECUTION_BYTES) {
        suppressed.set(event, (suppressed.get(event) ?? 0) + 1);
        return;
      }
      spent += line.length;
    }
    try {
      fs.writeSync(fd!, line);
    } catch {
      // An audit write failure must not break the session.
    }
  };
  const flushSuppressed = () => {
    if (suppressed.size === 0) return;
    const events = Object.fromEntries(suppressed);
    suppressed.clear();
    write("audit_suppressed", { events, limit_bytes: AUDIT_EXECUTION_BYTES });
  };
  return {
    isVerbose: sink !== null,
    audit(event, fields = {}) {
      if (fd === null) return;
      if (event === "execute_start" || ENDS_EXECUTION.has(event) || event === "session_close") {
        flushSuppressed();
      }
      if (event === "execute_start") spent = 0;
      write(event, ALWAYS_WRITTEN.has(event) ? capText(fields) : fields);
    },
    verbose(line) {
      if (sink === null) return;
      try {
        sink(`[securer] ${line}`);
      } catch {
        // A failing logger must not break the session.
      }
    },
    close() {
      if (fd === null) return;
      try {
        fs.closeSync(fd);
      } catch {
        // Already closed.
      }
      fd = null;
    },
  };
}

/** Truncates code for the audit log, marking the cut with `... [truncated]`. */
export function auditCode(code: string): string {
  return code.length > AUDIT_CODE_MAX ? `${code.slice(0, AUDIT_CODE_MAX)}... [truncated]` : code;
}

/** Seconds with two decimals, as the reference's verbose lines print them: `0.24s`. */
export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

/** Cuts every string field past {@linkcode AUDIT_CODE_MAX} characters, marking the cut. */
function capText(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === "string" && v.length > AUDIT_CODE_MAX + 20) {
      out ??= { ...fields };
      out[k] = `${v.slice(0, AUDIT_CODE_MAX)}... [truncated]`;
    }
  }
  return out ?? fields;
}
