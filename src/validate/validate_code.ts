/**
 * Pre-validation of R code without an R process (SPEC §10): a syntax check
 * that agrees with R 4.2's own `parse()` and advisory warnings for calls
 * the sandbox may restrict.
 *
 * Error messages are R's `conditionMessage()` for `parse(text = code)`,
 * context lines included, for example:
 *
 * ```text
 * <text>:1:10: unexpected '{'
 * 1: function(x{
 *              ^
 * ```
 *
 * The two context lines and the caret are kept because they show where the
 * error is without the caller having to print the code. Errors R raises
 * while reading strings or checking pipes have no `<text>:line:col:` part in
 * R 4.2 (`'\q' is an unrecognized escape in character string starting
 * "'\q"`); their `line` and `column` point at the offending character or
 * construct, and agree with the line R gives where it gives one.
 * Warning wording is described in `validate/warnings.ts`.
 *
 * @module
 */
import { parseR } from "./parse_r.ts";
import { findWarnings } from "./warnings.ts";

/** Result of {@link validateCode}. */
export interface ValidateResult {
  /** Whether R would parse the code. */
  readonly valid: boolean;
  /** The parse error when `valid` is false. */
  readonly error?: {
    /** R's error message, e.g. `<text>:2:5: unexpected symbol` with context lines. */
    readonly message: string;
    /** 1-based line of the error. */
    readonly line: number;
    /** Column as R reports it: characters from 1, tabs to multiples of 8; 0 at a line end. */
    readonly column: number;
  };
  /** Advisory warnings (empty when the code does not parse); they never block execution. */
  readonly warnings: readonly string[];
}

/**
 * Checks R code for syntax errors exactly as R's `parse()` would, without
 * starting R, and lists calls the sandbox may restrict.
 *
 * @param code R source text; empty or blank code is valid.
 * @returns whether it parses, R's error if not, and advisory warnings.
 * @throws {TypeError} when `code` is not a string.
 *
 * @example
 * ```ts
 * import { validateCode } from "./validate_code.ts";
 *
 * validateCode("x <- 1 + 1");
 * // { valid: true, warnings: [] }
 *
 * validateCode("f(x))").error?.message;
 * // "<text>:1:5: unexpected ')'\n1: f(x))\n        ^"
 *
 * validateCode('system("ls")').warnings;
 * // ["Code contains call to `system()` which may be restricted by the sandbox"]
 * ```
 */
export function validateCode(code: string): ValidateResult {
  if (typeof code !== "string") {
    throw new TypeError("`code` must be a single character string");
  }
  const parsed = parseR(code);
  if (!parsed.ok) {
    const { message, line, column } = parsed.error;
    return { valid: false, error: { message, line, column }, warnings: [] };
  }
  return { valid: true, warnings: findWarnings(parsed.program) };
}
