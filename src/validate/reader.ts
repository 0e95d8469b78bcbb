/**
 * Character reader with R's position bookkeeping (`xxgetc`/`xxungetc` in
 * gram.y): the line counter and the column counter (one per character, tabs
 * advance to the next multiple of 8), plus what R's 256-byte context buffer
 * would hold for error messages.
 *
 * The column is derived from the index: `pos - lineStart` plus a correction
 * for tabs and characters outside the BMP on the current line, so runs of
 * plain characters are consumed by moving the index alone. R's lexer only
 * ever undoes the character it has just read, so one saved position is
 * enough to undo a read.
 *
 * `parse(text =)` reads the code followed by a newline. That newline is
 * virtual here: index `src.length` reads as `\n` ({@link SourceReader.at}),
 * because appending it would build a rope string that V8 walks on every
 * character access.
 *
 * @module
 */

/** Returned by {@link SourceReader.getc} at the end of the input. */
export const EOF = -1;

/** Reads code points from the source, tracking R's line and column. */
export class SourceReader {
  /** The code; R reads it followed by a newline (see the module doc). */
  readonly src: string;
  /** Length of the text R reads: the code and its final newline. */
  readonly len: number;
  /** Index of the next character. */
  pos = 0;
  /** R's `xxlineno`: line of the last character read. */
  line = 1;
  /** Index where the current line starts. */
  lineStart = 0;
  /** Columns to add to `pos - lineStart` for tabs and surrogate pairs read on this line. */
  colAdjust = 0;
  /** Furthest index ever read; reads undone past `pos` leave holes in R's context buffer. */
  maxPos = 0;
  /**
   * Bytes of the character ending at `maxPos` that R never read: R's byte
   * reader looks at only the first byte of a character when it peeks.
   */
  maxUnread = 0;
  /** Start of the text R can still show as context (moved by `#line` directives). */
  contextStart = 0;
  private prevPos = 0;
  private prevLine = 1;
  private prevLineStart = 0;
  private prevColAdjust = 0;

  /** Reads `code` as `parse(text = code)` does. */
  constructor(code: string) {
    this.src = code;
    this.len = code.length + 1;
  }

  /** R's `xxcolno`: column of the last character read (0 after a newline). */
  get col(): number {
    return this.pos - this.lineStart + this.colAdjust;
  }

  /** The character code at index `p` of the text R reads, or {@link EOF} past its end. */
  at(p: number): number {
    const src = this.src;
    return p < src.length ? src.charCodeAt(p) : p === src.length ? 10 : EOF;
  }

  /** The text R reads from index `from` to `to`, with the final newline when `to` reaches it. */
  slice(from: number, to: number): string {
    const src = this.src;
    return to <= src.length ? src.slice(from, to) : src.slice(from) + "\n";
  }

  /**
   * Reads one code point (lone surrogates read as U+FFFD), or {@link EOF}.
   * `peek` marks a read where R looks at the first byte only.
   */
  getc(peek = false): number {
    const src = this.src;
    let pos = this.pos;
    this.prevPos = pos;
    this.prevLine = this.line;
    this.prevLineStart = this.lineStart;
    this.prevColAdjust = this.colAdjust;
    if (pos >= this.len) return EOF;
    let c = pos < src.length ? src.charCodeAt(pos) : 10;
    pos++;
    if (c === 10) {
      this.line++;
      this.lineStart = pos;
      this.colAdjust = 0;
    } else if (c === 9) {
      const before = pos - 1 - this.lineStart + this.colAdjust;
      this.colAdjust += ((before + 8) & ~7) - before - 1;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && pos < src.length ? src.charCodeAt(pos) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        pos++;
        this.colAdjust--;
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
      } else c = 0xfffd;
    }
    this.pos = pos;
    if (pos > this.maxPos) {
      this.maxPos = pos;
      this.maxUnread = peek && c >= 0x80 ? (c < 0x800 ? 1 : c < 0x10000 ? 2 : 3) : 0;
    } else if (pos === this.maxPos && !peek) this.maxUnread = 0;
    return c;
  }

  /** Undoes the last {@link getc} (R's `xxungetc`). */
  ungetc(): void {
    this.pos = this.prevPos;
    this.line = this.prevLine;
    this.lineStart = this.prevLineStart;
    this.colAdjust = this.prevColAdjust;
  }

  /** Reads the next character if it is `c`, which is neither a newline nor a tab (R's `nextchar`). */
  nextchar(c: number): boolean {
    const pos = this.pos;
    if (pos < this.src.length && this.src.charCodeAt(pos) === c) {
      this.consumed(pos + 1);
      return true;
    }
    this.touchNext(true);
    return false;
  }

  /** Moves to `end` over plain characters (no newline, tab or surrogate) just scanned. */
  consumed(end: number): void {
    this.prevPos = end - 1;
    this.prevLine = this.line;
    this.prevLineStart = this.lineStart;
    this.prevColAdjust = this.colAdjust;
    this.pos = end;
    if (end >= this.maxPos) {
      this.maxPos = end;
      this.maxUnread = 0;
    }
  }

  /**
   * Moves to `end` over plain ASCII characters just scanned, then marks the
   * ASCII character at `end` (or the final newline) as read and given back:
   * how R ends a name or a number.
   */
  scanned(end: number): void {
    this.prevPos = end - 1;
    this.prevLine = this.line;
    this.prevLineStart = this.lineStart;
    this.prevColAdjust = this.colAdjust;
    this.pos = end;
    if (end + 1 > this.maxPos) {
      this.maxPos = end + 1;
      this.maxUnread = 0;
    }
  }

  /** Marks the character at `pos` as read and given back (a hole in R's context buffer). */
  touchNext(peek: boolean): void {
    const pos = this.pos;
    if (pos >= this.len) return;
    const c = this.at(pos);
    const wide = c >= 0xd800 && c <= 0xdbff && pos + 1 < this.len;
    const end = pos + (wide ? 2 : 1);
    if (end > this.maxPos) {
      this.maxPos = end;
      this.maxUnread = peek && c >= 0x80 ? (c < 0x800 ? 1 : wide ? 3 : 2) : 0;
    } else if (end === this.maxPos && !peek) this.maxUnread = 0;
  }
}
