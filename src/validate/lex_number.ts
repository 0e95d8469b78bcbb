/**
 * Numeric constants as R's `NumericValue()` (gram.y, R 4.2) reads them:
 * decimals, exponents, hexadecimal with optional binary exponent (`0x1p3`,
 * `0x1.8p3`; a hex fraction needs the exponent), and the `L` and `i`
 * suffixes. A malformed constant is R's ERROR token ("unexpected input").
 * Like R, the characters read before giving up stay consumed.
 *
 * @module
 */
import { isDigit } from "./char_class.ts";
import { plainError } from "./parse_error.ts";
import type { SourceReader } from "./reader.ts";
import { T, type TokenKind } from "./tokens.ts";

/** Size of R's `yytext` buffer (`MAXELTSIZE`); longer tokens overflow it. */
export const YYTEXT_SIZE = 8192;

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * Reads the rest of a number whose first character `first` was just read.
 * Returns `NUM_CONST`, or `ERROR` for a malformed constant; the constant's
 * text (with any `L` or `i` suffix) ends at the reader's position.
 */
export function lexNumber(r: SourceReader, first: number): TokenKind {
  const start = r.pos - 1;
  if (first !== 46) { // fast path: digits ended by a character that cannot continue a number
    const src = r.src;
    let p = r.pos;
    let d = p < src.length ? src.charCodeAt(p) : 0;
    while (d >= 48 && d <= 57) d = ++p < src.length ? src.charCodeAt(p) : 0;
    if (
      d !== 46 && d !== 101 && d !== 69 && d !== 120 && d !== 88 && d !== 76 && d !== 105 &&
      p - start < YYTEXT_SIZE - 1
    ) {
      if (p > r.pos) r.consumed(p);
      r.touchNext(true); // R reads the next character and gives it back
      return T.NUM_CONST;
    }
  }
  let seendot = first === 46;
  let seenexp = false;
  let last = first;
  let count = 1;
  let c: number;
  for (;;) {
    c = r.getc(true);
    if (!(isDigit(c) || c === 46 || c === 101 || c === 69 || c === 120 || c === 88 || c === 76)) {
      break;
    }
    count++;
    if (c === 76) break; // 'L' ends the number
    if (c === 120 || c === 88) {
      if (count > 2 || last !== 48) break; // "0x" must come first
      let nd = 0;
      for (;;) {
        c = r.getc(true);
        if (!(isHex(c) || c === 46)) break;
        if (c === 46) {
          if (seendot) return T.ERROR;
          seendot = true;
        }
        nd++;
      }
      if (nd === 0) return T.ERROR;
      if (c === 112 || c === 80) {
        seenexp = true;
        c = r.getc(true);
        if (!isDigit(c) && c !== 43 && c !== 45) {
          return T.ERROR;
        }
        if (c === 43 || c === 45) c = r.getc(true);
        let ne = 0;
        while (isDigit(c)) {
          c = r.getc(true);
          ne++;
        }
        if (ne === 0) return T.ERROR;
      }
      if (seendot && !seenexp) return T.ERROR;
      break;
    }
    if (c === 101 || c === 69) {
      if (seenexp) break;
      seenexp = true;
      seendot = true; // R marks "seen" so no '.' may follow the exponent
      c = r.getc(true);
      if (!isDigit(c) && c !== 43 && c !== 45) {
        return T.ERROR;
      }
      if (c === 43 || c === 45) {
        c = r.getc(true);
        if (!isDigit(c)) return T.ERROR;
      }
    }
    if (c === 46) {
      if (seendot) break;
      seendot = true;
    }
    last = c;
  }
  // R keeps a trailing 'L' or 'i' and gives back any other character, but
  // only after storing the text, so an overflow is reported on the line of
  // the character that ended the number.
  const lineAfter = r.line;
  if (c !== 76 && c !== 105) r.ungetc();
  const length = r.pos - start;
  if (length >= YYTEXT_SIZE - 1) {
    const line = length > YYTEXT_SIZE - 1 ? r.line : lineAfter;
    throw plainError("limit", `input buffer overflow at line ${line}`, line, r.col);
  }
  return T.NUM_CONST;
}
