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
 * column, so the position is the one R 4.3+ reports.
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

/** Thrown inside the parser to stop at the first error. */
export class ParseAbort extends Error {
  /** The error to report. */
  readonly error: RParseError;
  /** Wraps `error`. */
  constructor(error: RParseError) {
    super(error.message);
    this.name = "ParseAbort";
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

/** Builds R's message for a syntax error at `line`:`col` given what the lexer has read. */
export function syntaxError(
  reader: SourceReader,
  filename: string,
  detail: string,
  line: number,
  col: number,
): ParseAbort {
  const lines = contextLines(reader);
  let ctxLine = reader.line;
  if (lines.length > 0 && lines[lines.length - 1] === "") {
    lines.pop();
    ctxLine--;
  }
  const head = `${filename ? filename + ":" : ""}${line}:${col}: ${detail}`;
  let message = head;
  if (lines.length === 1) {
    const width = `${ctxLine}: `.length;
    message += `\n${ctxLine}: ${tabExpand(lines[0])}\n${"^".padStart(width + col + 1)}`;
  } else if (lines.length >= 2) {
    const width = `${ctxLine}:`.length;
    message += `\n${ctxLine - 1}: ${tabExpand(lines[lines.length - 2])}` +
      `\n${ctxLine}: ${tabExpand(lines[lines.length - 1])}\n${"^".padStart(width + col + 1)}`;
  }
  return new ParseAbort({ message, detail, line, column: col, kind: "syntax" });
}

/** The lines of R's context buffer: the last 256 bytes read, split at newlines. */
function contextLines(reader: SourceReader): string[] {
  const encoder = new TextEncoder();
  const read = encoder.encode(reader.src.slice(reader.contextStart, reader.pos));
  const holes = encoder.encode(reader.src.slice(reader.pos, reader.maxPos)).length;
  const keep = Math.min(read.length, Math.max(0, CONTEXT_BYTES - holes));
  const text = new TextDecoder().decode(read.subarray(read.length - keep));
  return keep === 0 ? [] : text.split("\n");
}

/** R's `tabExpand()`: tabs to the next multiple of 8 bytes, lines cut at 192 bytes. */
function tabExpand(line: string): string {
  if (line.indexOf("\t") < 0 && line.length * 3 < LINE_BYTES) return line;
  const bytes = new TextEncoder().encode(line);
  const out: number[] = [];
  for (let i = 0; i < bytes.length && out.length < LINE_BYTES; i++) {
    if (bytes[i] === 9) {
      do out.push(32); while ((out.length & 7) !== 0);
    } else out.push(bytes[i]);
  }
  return new TextDecoder().decode(new Uint8Array(out));
}
