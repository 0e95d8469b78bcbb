/**
 * The errors an execution ends with, built from plain facts (pure): a timeout (with or
 * without the session state), an R error (a syntax error with its position, or a runtime
 * error with its call and traceback) and a protocol violation.
 *
 * @module
 */
import { ExecutionTimeoutError, ProtocolError, RExecutionError, RSyntaxError } from "../errors.ts";
import type { ChildMessage } from "../channel/protocol.ts";
import { sanitizeErrorMessage } from "../tools/sanitize_error_message.ts";

/** `0.5 seconds`, `1 second`: a duration for an error message. */
function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(3))} second${s === 1 ? "" : "s"}`;
}

/**
 * The error for an execution stopped by its deadline (`timeout` ms) or its abort signal;
 * `stateKept` says whether R stopped at the interrupt or had to be killed.
 */
export function timeoutError(
  abortedBy: "timeout" | "signal",
  timeout: number | null,
  stateKept: boolean,
  output: readonly string[],
): ExecutionTimeoutError {
  const signal = abortedBy === "signal";
  return new ExecutionTimeoutError(
    (signal
      ? "Execution aborted by its signal"
      : `Execution timed out after ${seconds(timeout ?? 0)}`) +
      (stateKept
        ? " (R was interrupted; the session state was kept)"
        : " (R did not stop and was restarted; the session state was lost)"),
    { timeoutMs: signal ? null : timeout, stateKept, output },
  );
}

/**
 * The error for R's `error` message: a syntax error (its position read from R's
 * `<text>:line:column:` prefix) or a runtime error, its message sanitized when asked.
 */
export function rError(
  m: Extract<ChildMessage, { readonly type: "error" }>,
  sanitize: boolean,
  output: readonly string[],
): RSyntaxError | RExecutionError {
  const message = sanitize ? sanitizeErrorMessage(m.message) : m.message;
  if (m.parse) {
    const pos = /^<text>:(\d+):(\d+):/.exec(m.message);
    return new RSyntaxError(message, {
      line: pos ? Number(pos[1]) : null,
      column: pos ? Number(pos[2]) : null,
    });
  }
  return new RExecutionError(m.interrupted ? "Execution interrupted" : message, {
    call: m.call ?? null,
    traceback: m.traceback ?? [],
    output,
  });
}

/** The error for a protocol violation during an execution. */
export function protocolError(reason: string): ProtocolError {
  return new ProtocolError(
    `R broke the protocol (${reason}); the R process was killed and the session restarted, losing its state`,
  );
}
