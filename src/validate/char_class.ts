/**
 * Character classes as R's lexer sees them in a UTF-8 locale on Linux:
 * ASCII digits only for numbers, `iswalpha()` letters for names (measured
 * from R, see `alpha_table.ts`), and glibc's `blank` class for white space.
 *
 * @module
 */
import { ALPHA_RANGES_ENCODED } from "./alpha_table.ts";

const ALPHA_RANGES: readonly number[] = (() => {
  const out: number[] = [];
  let prev = 0;
  for (const pair of ALPHA_RANGES_ENCODED.split(" ")) {
    const dot = pair.indexOf(".");
    const start = prev + parseInt(pair.slice(0, dot), 36);
    const end = start + parseInt(pair.slice(dot + 1), 36);
    out.push(start, end);
    prev = end;
  }
  return out;
})();

/** ASCII `0`-`9`, the only digits R's number lexer accepts. */
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `iswalpha()`: may start a name (besides `.`). */
export function isAlpha(c: number): boolean {
  if (c < 0x80) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  const r = ALPHA_RANGES;
  let lo = 0;
  let hi = (r.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c < r[mid * 2]) hi = mid - 1;
    else if (c > r[mid * 2 + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** `iswalnum()`: may continue a name (besides `.` and `_`). */
export function isAlnum(c: number): boolean {
  return isDigit(c) || isAlpha(c);
}

/** Characters `SkipSpace()` skips: space, tab, form feed and glibc's non-ASCII blanks. */
export function isBlank(c: number): boolean {
  if (c < 0x80) return c === 32 || c === 9 || c === 12;
  return c === 0x1680 || (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200a) ||
    c === 0x205f || c === 0x3000;
}

/** Unicode bidirectional formatting characters, which R refuses inside quotes. */
export function isBidi(c: number): boolean {
  return c >= 0x202a && c <= 0x2069 && !(c > 0x202e && c < 0x2066);
}

/** Number of bytes `c` takes in UTF-8. */
export function utf8Length(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/** Number of bytes `s` takes in UTF-8 (a lone surrogate counts as U+FFFD). */
export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n++;
        i++;
      }
    }
  }
  return n;
}
