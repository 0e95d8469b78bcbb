/**
 * What R's `token()` (gram.y, R 4.2) skips between tokens: blanks
 * (`SkipSpace()`), comments, and the `#line N "file"` directive, which R
 * reads in a comment starting at column 1 and which renumbers the following
 * lines, renames the file in error messages and restarts the context R
 * shows in them.
 *
 * @module
 */
import { isBlank, isDigit } from "./char_class.ts";
import { lexNumber } from "./lex_number.ts";
import { lexString } from "./lex_string.ts";
import { EOF, type SourceReader } from "./reader.ts";

/** ASCII comment text other than tab and newline. */
function isCommentAscii(c: number): boolean {
  return c >= 32 && c < 127;
}

/** R's `SkipSpace()`: reads up to the first character that is not blank and returns it. */
export function skipSpace(r: SourceReader): number {
  const src = r.src;
  for (;;) {
    let p = r.pos;
    let c = p < src.length ? src.charCodeAt(p) : -1;
    while (c === 32 || c === 12) c = ++p < src.length ? src.charCodeAt(p) : -1;
    if (c > 10 && c < 0x80) {
      r.consumed(p + 1); // fast path: a plain ASCII character
      return c;
    }
    if (p > r.pos) r.consumed(p);
    c = r.getc();
    if (!isBlank(c)) return c;
  }
}

/**
 * Skips a comment whose `#` was just read, up to and including the newline
 * (or the end), which it returns. A `#line` directive at column 1 sets
 * `file.filename` when it names a file.
 */
export function skipComment(r: SourceReader, file: { filename: string }): number {
  let c = 35;
  let directive = r.col === 1;
  if (directive) {
    for (let i = 0; i < 4; i++) {
      c = r.getc();
      if (c !== "line".charCodeAt(i)) {
        directive = false;
        break;
      }
    }
    if (directive) c = lineDirective(r, file);
  }
  const src = r.src;
  while (c !== 10 && c !== EOF) {
    let p = r.pos;
    while (p < src.length && isCommentAscii(src.charCodeAt(p))) p++;
    if (p > r.pos) r.consumed(p);
    c = r.getc();
  }
  return c;
}

/** The rest of `#line N "file"` after `#line`, as R's `ParseLineDirective` reads it. */
function lineDirective(r: SourceReader, file: { filename: string }): number {
  let c = skipSpace(r);
  if (!isDigit(c)) return c;
  const start = r.pos - 1;
  lexNumber(r, c);
  const lineNumber = parseInt(r.slice(start, r.pos), 10);
  c = skipSpace(r);
  if (c === 34) {
    const name = lexString(r, 34, false);
    if (name !== null) file.filename = name;
  } else r.ungetc();
  do c = r.getc(); while (c !== 10 && c !== EOF);
  r.line = lineNumber;
  r.contextStart = r.pos;
  return c;
}
