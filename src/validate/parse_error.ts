/**
 * Parse errors and R's wording for them.
 *
 * A syntax error (bison's `yyerror`) is reported the way `parse(text=)`
 * words it in R 4.2: `<text>:LINE:COL: unexpected X`, then the last one or
 * two lines the lexer had read (at most 256 bytes, tabs expanded, each line
 * cut at 192 bytes) and a caret line, exactly as R's `parseError()` lays
 * them out. Errors R raises from the lexer or from grammar actions
 * (`'\q' is an unrecognized escape ...`, `repeated formal argument 'x' on
 * line 1`, the pipe checks) carry R's message as is; R 4.2 gives those no
 * column, so the position points at the offending character or construct.
 *
 * @module
 */
import type { SourceReader } from "./reader.ts";

/** What raised the error. */
export type RParseErrorKind =
  /** The grammar rejected a token (R's `unexpected ...`). */
  | "syntax"
  /** The lexer rejected a string, name or escape. */
  | "lexical"
  /** A grammar action rejected a construct (pipe rules, repeated formals, placeholder). */
  | "semantic"
  /** A size limit of R's parser (nesting depth, buffer sizes). */
  | "limit";

/** A parse error with R's message and position. */
export interface RParseError {
  /** R's `conditionMessage()` for the error, e.g. `<text>:1:3: unexpected symbol` plus context lines. */
  readonly message: string;
  /** The first line of {@link message}'s error text without context, e.g. `unexpected symbol`. */
  readonly detail: string;
  /** 1-based line R reports (or would report, where R 4.2 gives none). */
  readonly line: number;
  /** Column as R counts it: characters from 1, tabs to multiples of 8; 0 for a line end. */
  readonly column: number;
  /** Which part of the parser raised it. */
  readonly kind: RParseErrorKind;
}

/**
 * Thrown inside the parser to stop at the first error, and caught by
 * `parseR`. Not an `Error`: it never leaves the parser, and capturing a stack
 * trace through the parser's recursion would cost more than parsing.
 */
export class ParseAbort {
  /** The error to report. */
  readonly error: RParseError;
  /** Wraps `error`. */
  constructor(error: RParseError) {
    this.error = error;
  }
}

/** Builds a non-syntax error whose message is R's text as is. */
export function plainError(
  kind: RParseErrorKind,
  message: string,
  line: number,
  column: number,
): ParseAbort {
  return new ParseAbort({ message, detail: message, line, column, kind });
}

const CONTEXT_BYTES = 256;
const LINE_BYTES = 192;
const MESSAGE_BYTES = 999;

/**
 * Builds R's message for a syntax error at `line`:`col` given what the lexer has read.
 *
 * The message is assembled as a binary string (one character per UTF-8
 * byte), because R counts its context window, line cuts and message cap in
 * bytes and prints a character they split as raw bytes. ASCII text is its
 * own binary string, so the usual case needs no conversion.
 */
export function syntaxError(
  reader: SourceReader,
  filename: string,
  detail: string,
  line: number,
  col: number,
): ParseAbort {
  const lines = contextLines(reader);
  let ctxLine = reader.line;
  if (lines.length > 0 && lines[lines.length - 1].length === 0) {
    lines.pop();
    ctxLine--;
  }
  const text = line === 0
    ? locationFree(detail, lines)
    : located(`${filename ? filename + ":" : ""}${line}:${col}: ${detail}`, lines, ctxLine, col);
  let end = Math.min(text.length, MESSAGE_BYTES);
  if (end < text.length) {
    while (end > 0 && (text.charCodeAt(end) & 0xc0) === 0x80) end--;
  }
  const message = fromBinary(text.slice(0, end));
  return new ParseAbort({ message, detail, line, column: col, kind: "syntax" });
}

/** `HEAD`, the last one or two context lines numbered, and the caret line. */
function located(head: string, lines: string[], ctxLine: number, col: number): string {
  let out = toBinary(head);
  const n = lines.length;
  if (n === 0) return out;
  const width = n === 1 ? `${ctxLine}: `.length : `${ctxLine}:`.length;
  if (n >= 2) out += `\n${ctxLine - 1}: ` + tabExpand(lines[n - 2]);
  out += `\n${ctxLine}: ` + tabExpand(lines[n - 1]);
  return out + `\n${"^".padStart(width + col + 1)}`;
}

/** R's form when the error line is 0 (after `#line 0`): `DETAIL in "context"`. */
function locationFree(detail: string, lines: string[]): string {
  const n = lines.length;
  const out = toBinary(detail);
  if (n === 1) return out + ' in "' + tabExpand(lines[0]) + '"';
  if (n >= 2) {
    return out + ' in:\n"' + tabExpand(lines[n - 2]) + "\n" + tabExpand(lines[n - 1]) + '"';
  }
  return out;
}

/** The lines of R's context buffer, as binary strings: the last 256 bytes read, split at newlines. */
function contextLines(reader: SourceReader): string[] {
  // 260 UTF-16 units hold at least 256 bytes; R keeps no more.
  const first = Math.max(reader.contextStart, reader.pos - (CONTEXT_BYTES + 4));
  const read = toBinary(reader.slice(first, reader.pos));
  const holes = reader.maxPos > reader.pos
    ? toBinary(reader.slice(reader.pos, reader.maxPos)).length - reader.maxUnread
    : 0;
  const keep = Math.min(read.length, Math.max(0, CONTEXT_BYTES - holes));
  if (keep === 0) return [];
  return read.slice(read.length - keep).split("\n");
}

/** R's `tabExpand()`: tabs to the next multiple of 8 bytes, lines cut at 192 bytes. */
function tabExpand(line: string): string {
  if (line.length < LINE_BYTES && line.indexOf("\t") < 0) return line;
  let out = "";
  for (let i = 0; i < line.length && out.length < LINE_BYTES; i++) {
    const c = line[i];
    if (c === "\t") {
      do out += " "; while ((out.length & 7) !== 0);
    } else out += c;
  }
  return out;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** `text` as a binary string: one character per UTF-8 byte (ASCII text is returned as is). */
function toBinary(text: string): string {
  if (isAscii(text)) return text;
  let out = "";
  for (const b of new TextEncoder().encode(text)) out += String.fromCharCode(b);
  return out;
}

/**
 * A binary string back to text, one U+FFFD per byte of a character the
 * 256-byte window or the 192-byte cut split (R prints those bytes raw).
 */
function fromBinary(s: string): string {
  if (isAscii(s)) return s;
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  const decoder = new TextDecoder();
  let out = "";
  let run = 0; // start of the current run of whole characters
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    let ok = n > 0 && i + n <= b.length;
    for (let k = 1; ok && k < n; k++) ok = (b[i + k] & 0xc0) === 0x80;
    if (ok) {
      i += n;
      continue;
    }
    out += decoder.decode(b.subarray(run, i)) + "\uFFFD";
    run = ++i;
  }
  return out + decoder.decode(b.subarray(run));
}
