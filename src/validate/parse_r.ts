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
 * Deviations, all on inputs R itself cannot receive or that exhaust its
 * parser: a NUL character is "unexpected input"; nesting deeper than R's
 * parser stack allows (about 5000 levels of operators or bodies) is
 * reported as R's "out of memory while parsing" slightly earlier than R;
 * the escaped character in "'\é' is an unrecognized escape" is shown
 * whole where R shows its first byte.
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
