/**
 * `formatToolError`: a failed execution as text for a language model — sanitized (no host
 * paths, pids, addresses or stack traces), with the output the code printed before it
 * failed, and an explicit note when the R session's state was lost, so the model knows to
 * recreate its variables instead of trusting them.
 *
 * @module
 */
import { sanitizeErrorMessage } from "../tools/sanitize_error_message.ts";

/** The sentence a model gets when the session it worked in lost its state. */
export const STATE_LOST_NOTE: string =
  "Note: the R session was restarted, so every variable, function and loaded package from " +
  "earlier calls is gone; recreate what you need.";

/** Errors whose session lost its state, by tag. */
const STATE_LOST = new Set(["ChildCrashedError", "ProtocolError"]);

/** Output lines kept in an error's text. */
const OUTPUT_LINES = 20;

/**
 * Formats anything an execution threw as text for a model: `Error: <message>` (R errors as
 * R shows them, `Error in f() : boom`), a syntax error as such, the output printed before
 * the failure, and {@linkcode STATE_LOST_NOTE} after a crash, a protocol violation or a
 * timeout that had to restart R. Never throws.
 *
 * @example
 * ```ts
 * import { formatToolError, SecureSession } from "@securer/securer";
 *
 * await using session = await SecureSession.create();
 * try {
 *   await session.execute('stop("no such table")');
 * } catch (e) {
 *   console.log(formatToolError(e)); // Error: no such table
 * }
 * ```
 */
export function formatToolError(error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const tag = (e as { _tag?: unknown })._tag ?? e.name;
  const message = sanitizeErrorMessage(e.message);
  const lines: string[] = [];
  const output = (e as { output?: unknown }).output;
  if (Array.isArray(output) && output.length > 0) {
    const kept = output.slice(-OUTPUT_LINES).map((l) => sanitizeErrorMessage(String(l), 2000));
    lines.push("Output before the error:");
    if (output.length > kept.length) lines.push(`... (${output.length - kept.length} lines)`);
    lines.push(...kept);
  }
  lines.push(headline(tag, message, e));
  const stateKept = (e as { stateKept?: unknown }).stateKept;
  if (STATE_LOST.has(String(tag)) || (tag === "ExecutionTimeoutError" && stateKept === false)) {
    lines.push(STATE_LOST_NOTE);
  }
  return lines.join("\n");
}

function headline(tag: unknown, message: string, e: Error): string {
  switch (tag) {
    case "RSyntaxError":
      return `Syntax error, the code was not run: ${message}`;
    case "RExecutionError": {
      const call = (e as { call?: unknown }).call;
      return typeof call === "string" && call !== ""
        ? `Error in ${sanitizeErrorMessage(call, 200)} : ${message}`
        : `Error: ${message}`;
    }
    default:
      return `Error: ${message}`;
  }
}
