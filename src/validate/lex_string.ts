/**
 * Quoted text as R's `StringValue()` and `RawStringValue()` (gram.y,
 * R 4.2) read it: `"..."`, `'...'`, backticked names and raw strings
 * `r"(...)"` / `R'--[...]--'` (delimiters `()`, `[]`, `{}`, `||`, any
 * number of dashes). Strings may span lines. Escapes: `\a \b \f \n \r \t
 * \v \\ \" \' \`` and backslash before space or newline, octal `\o`..`\ooo`
 * (at most `\377`), `\xh`/`\xhh`, `\uXXXX`/`\u{XXXX}` and
 * `\UXXXXXXXX`/`\U{XXXXXXXX}` (not in backticks). A nul character, mixing
 * `\u`/`\U` with octal or hex escapes, and bidirectional formatting
 * characters written literally are errors, with R's messages.
 *
 * Decoded values: octal and hex escapes above 0x7F become the code point of
 * that byte (R keeps raw bytes); the value is for analysis, not evaluation.
 *
 * @module
 */
import { isBidi, isDigit, utf8Length } from "./char_class.ts";
import { plainError } from "./parse_error.ts";
import { EOF, type SourceReader } from "./reader.ts";

/** Longest name R's `install()` accepts, in bytes. */
export const MAX_NAME_BYTES = 10000;

function hexValue(c: number): number {
  if (isDigit(c)) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * R's `currtext` for error messages: the source read since the opening
 * quote, minus the octal digits R 4.2 drops (`drops`), kept in a 1000-byte
 * buffer that R shortens to `"... "` plus the newer bytes when it fills.
 */
function currtext(r: SourceReader, start: number, drops: readonly number[]): string {
  let text = r.slice(start, r.pos);
  for (let i = drops.length - 1; i >= 0; i--) {
    const d = drops[i] - start;
    if (d < text.length) text = text.slice(0, d) + text.slice(d + 1);
  }
  if (text.length < 300) return text;
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= 1000) return text;
  let buf: number[] = [];
  for (const b of bytes) {
    if (buf.length >= 1000) {
      let skip = 104;
      while ((buf[skip] & 0xc0) === 0x80) skip++;
      buf = [46, 46, 46, 32, ...buf.slice(skip, 1000)];
    }
    buf.push(b);
  }
  return new TextDecoder().decode(new Uint8Array(buf));
}

function lexError(r: SourceReader, message: string) {
  return plainError("lexical", message, r.line, r.col);
}

/** Checks a decoded name as R's `install()` does. */
export function checkName(name: string, bytes: number, line: number, col: number): void {
  if (name.length === 0) {
    throw plainError("semantic", "attempt to use zero-length variable name", line, col);
  }
  if (bytes > MAX_NAME_BYTES) {
    throw plainError(
      "limit",
      `variable names are limited to ${MAX_NAME_BYTES} bytes`,
      line,
      col,
    );
  }
}

/**
 * Reads a quoted string or backticked name whose opening `quote` was just
 * read; `forSymbol` is true for backticks. Returns the decoded value, or
 * null when the input ends before the closing quote (`INCOMPLETE_STRING`).
 */
export function lexString(r: SourceReader, quote: number, forSymbol: boolean): string | null {
  const start = r.pos - 1;
  let drops: number[] | null = null;
  let value = "";
  let runStart = r.pos;
  let useWcs = false;
  let octOrHex = false;
  let chars = 0;
  let bytes = 0;
  let c: number;
  const src = r.src;
  for (;;) {
    // Fast path over plain ASCII characters.
    let p = r.pos;
    let a = p < src.length ? src.charCodeAt(p) : 0;
    while (a >= 32 && a < 127 && a !== quote && a !== 92) {
      a = ++p < src.length ? src.charCodeAt(p) : 0;
    }
    if (p > r.pos) {
      chars += p - r.pos;
      bytes += p - r.pos;
      r.consumed(p);
    }
    const before = r.pos;
    c = r.getc();
    if (c === EOF || c === quote) {
      if (before > runStart) value += src.slice(runStart, before);
      break;
    }
    chars++;
    if (c !== 92) {
      if (c >= 0x80 && isBidi(c)) {
        throw lexError(
          r,
          `bidi formatting not allowed (line ${r.line}), use escapes instead (\\u${
            c.toString(16).padStart(4, "0")
          })`,
        );
      }
      bytes += utf8Length(c);
      continue;
    }
    if (before > runStart) value += src.slice(runStart, before);
    const e = escape(r, start, drops ??= [], forSymbol);
    if (e < 0) {
      // \u or \U: a code point
      useWcs = true;
      value += String.fromCodePoint(-e - 1);
    } else {
      if (e >= 0x100) octOrHex = true;
      const cp = e & 0xff;
      value += String.fromCharCode(cp);
      bytes += e >= 0x100 ? 1 : utf8Length(cp);
    }
    runStart = r.pos;
  }
  if (c === EOF) return null;
  if (forSymbol) {
    checkName(value, bytes, r.line, r.col);
    return value;
  }
  if (useWcs) {
    if (octOrHex) {
      throw lexError(r, "mixing Unicode and octal/hex escapes in a string is not allowed");
    }
    if (chars + 1 >= 10000) {
      throw lexError(
        r,
        `string at line ${r.line} containing Unicode escapes not in this locale\n` +
          "is too long (max 10000 chars)",
      );
    }
  }
  return value;
}

/**
 * Reads the escape after a backslash. Returns the character for simple
 * escapes, `0x100 + byte` for octal and hex escapes, and `-(codePoint + 1)`
 * for `\u`/`\U`.
 */
function escape(
  r: SourceReader,
  start: number,
  drops: number[],
  forSymbol: boolean,
): number {
  let c = r.getc();
  if (c >= 48 && c <= 55) {
    let octal = c - 48;
    c = r.getc();
    if (c >= 48 && c <= 55) {
      octal = 8 * octal + c - 48;
      c = r.getc();
      if (c >= 48 && c <= 55) octal = 8 * octal + c - 48;
      else {
        r.ungetc();
        drops.push(r.pos - 1); // R 4.2 pops the last digit from its error text
      }
    } else {
      r.ungetc();
      drops.push(r.pos - 1);
    }
    if (octal === 0) throw lexError(r, `nul character not allowed (line ${r.line})`);
    if (octal > 0xff) {
      throw lexError(r, `exceeded maximum allowed octal value \\377 (line ${r.line})`);
    }
    return 0x100 + octal;
  }
  if (c === 120) { // \x
    let val = 0;
    for (let i = 0; i < 2; i++) {
      c = r.getc();
      const h = hexValue(c);
      if (h < 0) {
        r.ungetc();
        if (i === 0) {
          throw lexError(
            r,
            `'\\x' used without hex digits in character string starting "${
              currtext(r, start, drops)
            }"`,
          );
        }
        break;
      }
      val = 16 * val + h;
    }
    if (val === 0) throw lexError(r, `nul character not allowed (line ${r.line})`);
    return 0x100 + val;
  }
  if (c === 117 || c === 85) return unicodeEscape(r, start, drops, forSymbol, c === 85);
  switch (c) {
    case 97:
      return 7;
    case 98:
      return 8;
    case 102:
      return 12;
    case 110:
      return 10;
    case 114:
      return 13;
    case 116:
      return 9;
    case 118:
      return 11;
    case 92:
    case 34:
    case 39:
    case 96:
    case 32:
    case 10:
      return c;
  }
  // R reads a character byte by byte here and prints only the first byte of
  // a non-ASCII one, which a UTF-8 reader shows as U+FFFD.
  let text = currtext(r, start, drops);
  let shown = String.fromCharCode(c);
  if (c >= 0x80 || c === EOF) {
    shown = "\uFFFD";
    text = text.slice(0, text.length - (c > 0xffff ? 2 : c === EOF ? 0 : 1)) + shown;
  }
  throw lexError(
    r,
    `'\\${shown}' is an unrecognized escape in character string starting "${text}"`,
  );
}

function unicodeEscape(
  r: SourceReader,
  start: number,
  drops: readonly number[],
  forSymbol: boolean,
  big: boolean,
): number {
  const name = big ? "U" : "u";
  const digits = big ? 8 : 4;
  if (forSymbol) {
    const form = big ? "\\Uxxxxxxxx" : "\\uxxxx";
    throw lexError(r, `${form} sequences not supported inside backticks (line ${r.line})`);
  }
  const delim = r.nextchar(123);
  let val = 0;
  for (let i = 0; i < digits; i++) {
    const c = r.getc();
    const h = hexValue(c);
    if (h < 0) {
      r.ungetc();
      if (i === 0) {
        throw lexError(
          r,
          `'\\${name}' used without hex digits in character string starting "${
            currtext(r, start, drops)
          }"`,
        );
      }
      break;
    }
    val = 16 * val + h;
  }
  if (delim && r.getc() !== 125) {
    const form = big ? "\\U{xxxxxxxx}" : "\\u{xxxx}";
    throw lexError(r, `invalid ${form} sequence (line ${r.line})`);
  }
  if (val === 0) throw lexError(r, `nul character not allowed (line ${r.line})`);
  if (big && val > 0x10ffff) {
    const form = delim ? "\\U{xxxxxxxx}" : "\\Uxxxxxxxx";
    throw lexError(
      r,
      `invalid ${form} value ${val.toString(16).padStart(6, " ")} (line ${r.line})`,
    );
  }
  // Lone surrogates are accepted by R (with a warning); keep them printable here.
  return -((val >= 0xd800 && val <= 0xdfff ? 0xfffd : val) + 1);
}

/**
 * Reads a raw string; the `r`/`R` and the quote were just read. Returns its
 * text, or null when the input ends first (`INCOMPLETE_STRING`).
 */
export function lexRawString(r: SourceReader, quote: number): string | null {
  let ndash = 0;
  while (r.nextchar(45)) ndash++;
  const open = r.getc();
  const delim = open === 40 ? 41 : open === 91 ? 93 : open === 123 ? 125 : open === 124 ? 124 : -1;
  if (delim < 0) throw lexError(r, `malformed raw string literal at line ${r.line}`);
  const bodyStart = r.pos;
  for (;;) {
    const before = r.pos;
    const c = r.getc();
    if (c === EOF) return null;
    if (c === delim) {
      let nd = 0;
      while (nd < ndash && r.nextchar(45)) nd++;
      if (nd === ndash && r.nextchar(quote)) {
        return r.slice(bodyStart, before);
      }
      continue;
    }
    if (c >= 0x80 && isBidi(c)) {
      throw lexError(
        r,
        `bidi formatting not allowed (line ${r.line}), use escapes instead (\\u${
          c.toString(16).padStart(4, "0")
        })`,
      );
    }
  }
}
