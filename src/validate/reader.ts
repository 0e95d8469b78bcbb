/**
 * Character reader with R's position bookkeeping (`xxgetc`/`xxungetc` in
 * gram.y): the line counter, the column counter (one per character, tabs
 * advance to the next multiple of 8) and the last few positions so a read
 * can be undone.
 *
 * @module
 */

/** Returned by {@link SourceReader.getc} at the end of the input. */
export const EOF = -1;

const HISTORY = 16;

/** Reads code points from the source, tracking R's line and column. */
export class SourceReader {
  /** The text R sees: the code followed by the newline `parse(text=)` appends. */
  readonly src: string;
  /** Index in `src` of the next character. */
  pos = 0;
  /** R's `xxlineno`: line of the last character read. */
  line = 1;
  /** R's `xxcolno`: column of the last character read (0 after a newline). */
  col = 0;
  /** Furthest index ever read; reads undone past `pos` leave holes in R's context buffer. */
  maxPos = 0;
  /**
   * Bytes of the character ending at `maxPos` that R never read: R's byte
   * reader looks at only the first byte of a character when it peeks.
   */
  maxUnread = 0;
  /** Start of the text R can still show as context (moved by `#line` directives). */
  contextStart = 0;
  private readonly hPos = new Int32Array(HISTORY);
  private readonly hLine = new Int32Array(HISTORY);
  private readonly hCol = new Int32Array(HISTORY);
  private hTop = 0;

  /** Wraps `code` as `parse(text = code)` reads it. */
  constructor(code: string) {
    this.src = code + "\n";
  }

  /**
   * Reads one code point (lone surrogates read as U+FFFD), or {@link EOF}.
   * `peek` marks a read where R looks at the first byte only.
   */
  getc(peek = false): number {
    const h = this.hTop = (this.hTop + 1) % HISTORY;
    this.hPos[h] = this.pos;
    this.hLine[h] = this.line;
    this.hCol[h] = this.col;
    const src = this.src;
    if (this.pos >= src.length) return EOF;
    let c = src.charCodeAt(this.pos++);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && this.pos < src.length ? src.charCodeAt(this.pos) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        this.pos++;
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
      } else c = 0xfffd;
    }
    if (c === 10) {
      this.line++;
      this.col = 0;
    } else {
      this.col++;
      if (c === 9) this.col = (this.col + 7) & ~7;
    }
    if (this.pos > this.maxPos) {
      this.maxPos = this.pos;
      this.maxUnread = peek && c >= 0x80 ? (c < 0x800 ? 1 : c < 0x10000 ? 2 : 3) : 0;
    } else if (this.pos === this.maxPos && !peek) this.maxUnread = 0;
    return c;
  }

  /** Undoes the last {@link getc} (R's `xxungetc`). */
  ungetc(): void {
    const h = this.hTop;
    this.pos = this.hPos[h];
    this.line = this.hLine[h];
    this.col = this.hCol[h];
    this.hTop = (h + HISTORY - 1) % HISTORY;
  }

  /** Reads the next character if it is `c` (R's `nextchar`). */
  nextchar(c: number): boolean {
    if (this.getc(true) === c) return true;
    this.ungetc();
    return false;
  }
}
