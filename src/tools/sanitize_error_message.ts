/**
 * Error-message sanitising (the reference's `sanitize_error_message`): strips stack
 * traces, file paths, process ids and host names from messages that cross a trust
 * boundary (tool errors sent to R, errors shown to an LLM).
 *
 * The text may come from the R child, so it is hostile: the work is linear in the input,
 * and only the first {@linkcode SANITIZE_INPUT_FACTOR} × `maxLength` characters are read.
 * Every pattern below is free of nested or overlapping quantifiers that could backtrack
 * (a stack line's indentation is `[ \t]+`, which cannot run across lines).
 *
 * @module
 */

/** How many times `maxLength` of the input is examined at most. */
export const SANITIZE_INPUT_FACTOR = 8;

const TRACE = /(Traceback|Call stack|Stack trace):?[ \t]*\r?\n[\s\S]*$/i;
const JS_STACK = /\n[ \t]+at [\s\S]*$/;
const UNIX_PATH =
  /(\/Users|\/home|\/tmp|\/var|\/etc|\/opt|\/root|\/private|\/usr|\/srv|\/mnt)\/[^ '",:)}\n]+/g;
const WINDOWS_PATH = /[A-Za-z]:\\[^ '",:)}\n]+/g;
const PROCESS_QUOTED = /process\s*'\d+'/gi;
const PROCESS_BARE = /process\s+\d{2,}/gi;
const PID = /PID\s*:?\s*\d+/gi;
const IPV4 = /\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g;
const HOST_AFTER =
  /\b(connect|resolve|host|server|connection)(\s+(to|from|at))?\s+([A-Za-z0-9.-]+\.[A-Za-z]{2,}|localhost)(:\d+)?/gi;

/**
 * Removes paths, pids, addresses and traces from an error message and caps its length.
 *
 * @param message The message (anything else becomes `"Unknown error"`).
 * @param maxLength Longest result, including the `...` that marks a cut. @default 500
 */
export function sanitizeErrorMessage(message: unknown, maxLength = 500): string {
  if (typeof message !== "string") return "Unknown error";
  let s = capInput(message, maxLength * SANITIZE_INPUT_FACTOR);
  if (s.trim() === "") return "Unknown error";
  s = s.replace(TRACE, "").replace(JS_STACK, "");
  s = s.replace(UNIX_PATH, "[path]").replace(WINDOWS_PATH, "[path]");
  s = s.replace(PROCESS_QUOTED, "process '[pid]'").replace(PROCESS_BARE, "process [pid]");
  s = s.replace(PID, "PID [pid]");
  s = s.replace(IPV4, "[host]");
  s = s.replace(
    HOST_AFTER,
    (_m, verb: string, prep?: string) => `${verb}${prep ? ` ${prep.trim()}` : ""} [host]`,
  );
  s = s.trimEnd();
  if (s === "") return "Unknown error";
  return s.length > maxLength ? `${s.slice(0, maxLength - 3)}...` : s;
}

/**
 * The first `limit` characters of `text`; when it is cut, the cut word is dropped too, so a
 * path, address or id cut in half cannot slip past the patterns.
 */
function capInput(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const head = text.slice(0, limit);
  const lastSpace = Math.max(head.lastIndexOf(" "), head.lastIndexOf("\n"), head.lastIndexOf("\t"));
  return lastSpace > 0 ? head.slice(0, lastSpace) : "";
}
