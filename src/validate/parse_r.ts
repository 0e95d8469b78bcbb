/**
 * Entry point for parsing R code into a syntax tree without running R.
 *
 * @module
 */
import type { RProgram } from "./ast.ts";
import { ParseAbort, type RParseError } from "./parse_error.ts";
import { Parser } from "./parser.ts";

export type { RParseError, RParseErrorKind } from "./parse_error.ts";

/** Outcome of {@link parseR}: the program, or R's error. */
export type ParseRResult =
  | { readonly ok: true; readonly program: RProgram }
  | { readonly ok: false; readonly error: RParseError };

/**
 * Parses R code exactly as R 4.2's `parse(text = code)` does, in
 * TypeScript: same accepted programs, same first error, same message and
 * position. On success returns the syntax tree (see `ast.ts`).
 *
 * Like `parse(text =)`, it refuses a carriage return outside strings and comments
 * ("unexpected input"), so CRLF line endings are errors in both.
 *
 * Known deviations, all on inputs R cannot receive or that no one writes:
 * - a NUL character (R strings cannot hold one) is "unexpected input";
 * - a lone UTF-16 surrogate is read as U+FFFD;
 * - code nested more than 1000 levels deep (bodies of `function`, `if`,
 *   loops, right-associative operators; chains of unary operators are
 *   exempt) is refused with `Cannot parse: code nested more than 1000
 *   levels deep` to protect the JavaScript stack, where R accepts 2000 to
 *   9997 levels depending on the construct; beyond R's own parser stack
 *   the error is R's `out of memory while parsing`.
 *
 * Where R prints a partial character (an escaped non-ASCII character, a
 * context line cut inside a character), each stray byte becomes U+FFFD,
 * which is what a UTF-8 reader of R's message sees.
 *
 * @example
 * ```ts
 * import { parseR } from "./parse_r.ts";
 *
 * const ok = parseR("x <- c(1, 2) |> sum()");
 * if (ok.ok) console.log(ok.program.exprs.length); // 1
 *
 * const bad = parseR("f(x))");
 * if (!bad.ok) console.log(bad.error.message); // <text>:1:5: unexpected ')' ...
 * ```
 */
export function parseR(code: string): ParseRResult {
  try {
    return { ok: true, program: new Parser(code).parseProgram() };
  } catch (e) {
    if (e instanceof ParseAbort) return { ok: false, error: e.error };
    throw e;
  }
}
