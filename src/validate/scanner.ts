/**
 * R's `token()` (gram.y, R 4.2): reads the next token from the characters,
 * without the context rules of `yylex()` (those are in `lexer.ts`).
 *
 * The current token lives in the scanner's fields (`kind`, `line`, `col`,
 * `start`, `end`, `value`) rather than in an object per token, and its text
 * is cut from the source only when asked for.
 *
 * The commonest tokens are read by index, without R's character-by-character
 * reader: ASCII names and integers, punctuation R reads without looking
 * further (`(`, `,` ...), newlines, and one- or two-character operators
 * whose next character is ASCII. Each fast path leaves the reader exactly as
 * R's reading would (position, line, column, and the character R looked at
 * and gave back, which error messages show), and hands anything else
 * (strings, comments, non-ASCII text, `<<-`, `->`, `::`) to the general path
 * below, built on the reader's `getc`.
 *
 * @module
 */
import { isAlnum, isAlpha, isDigit, utf8Length } from "./char_class.ts";
import { lexNumber as lexNumber_, YYTEXT_SIZE as YYTEXT_SIZE_ } from "./lex_number.ts";
import { lexOperator, shortOperator as shortOperator_ } from "./lex_operator.ts";
import { skipComment, skipSpace } from "./lex_space.ts";
import { lexRawString, lexString as lexString_ } from "./lex_string.ts";
import { plainError } from "./parse_error.ts";
import { EOF as EOF_, SourceReader } from "./reader.ts";
import {
  KEYWORD_LENGTHS as KEYWORD_LENGTHS_,
  keywordKind as keywordKind_,
  OP_TEXT as OP_TEXT_,
  T as T_,
  type TokenKind,
} from "./tokens.ts";

// V8 reads an imported binding through its module cell at every use, while it folds a
// module constant; re-binding the imports this module uses on its hot path saves about
// 7% of validateCode's time.
const lexNumber = lexNumber_;
const shortOperator = shortOperator_;
const YYTEXT_SIZE = YYTEXT_SIZE_;
const lexString = lexString_;
const EOF = EOF_;
const KEYWORD_LENGTHS = KEYWORD_LENGTHS_;
const keywordKind = keywordKind_;
const OP_TEXT = OP_TEXT_;
const T = T_;

/** 1 for the ASCII characters that continue a name: letters, digits, `.` and `_`. */
const NAME_ASCII: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    t[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 ||
        c === 95
      ? 1
      : 0;
  }
  return t;
})();

/** Token kind of each ASCII punctuation character that is a token on its own (R does not look past it). */
const SINGLE: Uint8Array = (() => {
  const t = new Uint8Array(128);
  t[123] = T.LBRACE;
  t[125] = T.RBRACE;
  t[40] = T.LPAREN;
  t[41] = T.RPAREN;
  t[93] = T.RBRACKET;
  t[63] = T.QUESTION;
  t[43] = T.PLUS;
  t[47] = T.SLASH;
  t[94] = T.CARET;
  t[126] = T.TILDE;
  t[36] = T.DOLLAR;
  t[64] = T.AT;
  t[92] = T.BACKSLASH;
  t[44] = T.COMMA;
  t[59] = T.SEMI;
  return t;
})();

/** Reads tokens from one source text; the current token is in the fields. */
export class Scanner {
  /** The character reader. */
  readonly reader: SourceReader;
  /** File name in syntax error messages; `#line N "file"` changes it. */
  filename = "<text>";
  /** R's `HavePlaceholder`: a `_` has been read, so finished expressions must be checked. */
  sawPlaceholder = false;
  /** Kind of the current token. */
  kind: TokenKind = T.END;
  /** Line of the current token's first character (1-based; `#line` directives apply). */
  line = 0;
  /** Column of the current token's first character as R counts it (tabs to multiples of 8). */
  col = 0;
  /** Index in the source where the current token starts. */
  start = 0;
  /** Index in the source just past the current token. */
  end = 0;
  /** Decoded value of a string constant or a backticked name; null for other tokens. */
  value: string | null = null;

  /** Scans `code` as `parse(text = code)` reads it. */
  constructor(code: string) {
    this.reader = new SourceReader(code);
  }

  /** The current symbol's name (backticks removed, escapes decoded). */
  name(): string {
    return this.value ?? this.reader.src.slice(this.start, this.end);
  }

  /**
   * The current token's text: a name, a string's decoded value, a number or
   * an operator as written (`"<-"`, `"**"`, `"%in%"`); empty for newlines,
   * the end of input and unexpected characters.
   */
  text(): string {
    switch (this.kind) {
      case T.SYMBOL:
        return this.name();
      case T.STR_CONST:
        return this.value!;
      case T.END:
      case T.ERROR:
      case T.UNDEFINED:
      case T.NEWLINE:
      case T.INCOMPLETE_STRING:
        return "";
    }
    return this.reader.src.slice(this.start, this.end);
  }

  /** The function name R uses for the current operator (`->` is `<-`, `**` is `^`). */
  opName(): string {
    const k = this.kind;
    const fixed = OP_TEXT[k];
    if (fixed !== "") return fixed;
    const len = this.end - this.start;
    switch (k) {
      case T.LEFT_ASSIGN:
        return len === 3 ? "<<-" : this.reader.src.charCodeAt(this.start) === 58 ? ":=" : "<-";
      case T.RIGHT_ASSIGN:
        return len === 3 ? "<<-" : "<-";
    }
    return this.text();
  }

  /** R's `token()`: reads the next token into the fields. */
  token(): void {
    const r = this.reader;
    const src = r.src;
    const n = src.length;
    let p = r.pos;
    let c = p < n ? src.charCodeAt(p) : -1;
    while (c === 32 || c === 12) c = ++p < n ? src.charCodeAt(p) : -1;
    // Fast paths (see the module doc), each leaving the reader as the general
    // path below would. First ASCII names, except r/R before a quote (a raw string).
    if (((c | 32) - 97) >>> 0 < 26) { // an ASCII letter
      let q = p + 1;
      let d = q < n ? src.charCodeAt(q) : 10;
      if ((c | 32) !== 114 || (d !== 34 && d !== 39)) {
        while (d < 0x80 && NAME_ASCII[d] === 1) d = ++q < n ? src.charCodeAt(q) : 10;
        const len = q - p;
        if (d < 0x80 && len * 3 < YYTEXT_SIZE - 1) {
          this.fast(p, q);
          this.kind = len < 16 && (KEYWORD_LENGTHS[c] >> len) & 1
            ? keywordKind(src, p, q)
            : T.SYMBOL;
          return;
        }
      }
    } else if (c >= 48 && c <= 57) { // integers R ends at a character that cannot continue them
      let q = p + 1;
      let d = q < n ? src.charCodeAt(q) : 0;
      while (d >= 48 && d <= 57) d = ++q < n ? src.charCodeAt(q) : 0;
      if (
        d < 0x80 && d !== 46 && d !== 101 && d !== 69 && d !== 120 && d !== 88 && d !== 76 &&
        d !== 105 && q - p < YYTEXT_SIZE - 1
      ) {
        this.fast(p, q);
        this.kind = T.NUM_CONST;
        return;
      }
    } else if (c >= 0 && c < 0x80) {
      const k = SINGLE[c];
      if (k !== 0) { // punctuation R reads without looking further
        r.consumed(p + 1);
        this.line = r.line;
        this.col = p + 1 - r.lineStart + r.colAdjust;
        this.start = p;
        this.end = p + 1;
        this.value = null;
        this.kind = k as TokenKind;
        return;
      }
      if (c !== 10) {
        const d = p + 1 < n ? src.charCodeAt(p + 1) : 10;
        const op = d < 0x80 ? shortOperator(c, d) : 0;
        if (op !== 0) return this.operatorFast(op, p);
      } else {
        if (p > r.pos) r.consumed(p);
        r.getc();
        this.line = r.line;
        this.col = 0;
        this.start = p;
        this.end = p + 1;
        this.value = null;
        this.kind = T.NEWLINE;
        return;
      }
    }
    if (c > 10 && c < 0x80 && c !== 35) r.consumed(p + 1); // a plain ASCII character
    else {
      c = skipSpace(r);
      if (c === 35) c = skipComment(r, this);
    }
    this.line = r.line;
    this.col = r.col;
    const start = this.start = c === EOF ? r.pos : r.pos - (c > 0xffff ? 2 : 1);
    this.value = null;
    // Most tokens are names other than r/R (which may start a raw string).
    if ((c >= 97 && c <= 122 && c !== 114) || (c >= 65 && c <= 90 && c !== 82)) {
      this.symbol(start);
      return;
    }
    switch (c) {
      case EOF:
        return this.done(T.END);
      case 46: { // '.'
        const next = r.getc(true);
        r.ungetc();
        if (!isDigit(next)) return this.symbol(start);
        return this.done(lexNumber(r, c));
      }
      case 48:
      case 49:
      case 50:
      case 51:
      case 52:
      case 53:
      case 54:
      case 55:
      case 56:
      case 57:
        return this.done(lexNumber(r, c));
      case 114:
      case 82: { // r"..." or R'...' (R tries both quotes with nextchar)
        const q = r.pos < src.length ? src.charCodeAt(r.pos) : 0;
        if (q !== 34 && q !== 39) {
          r.touchNext(true);
          return this.symbol(start);
        }
        r.consumed(r.pos + 1);
        return this.quoted(lexRawString(r, q), T.STR_CONST);
      }
      case 34:
      case 39:
        return this.quoted(lexString(r, c, false), T.STR_CONST);
      case 96:
        return this.quoted(lexString(r, c, true), T.SYMBOL);
      case 37:
        return this.special();
      case 95:
        this.sawPlaceholder = true;
        return this.done(T.PLACEHOLDER);
    }
    if (c >= 0x80 && isAlpha(c)) return this.symbol(start);
    this.done(lexOperator(r, c));
  }

  /** Takes the operator {@link shortOperator} found at `p` (`op`) as the current token. */
  private operatorFast(op: number, p: number): void {
    const r = this.reader;
    const kind = (op - 1) >> 1;
    const len = op - kind * 2;
    if (len === 1) r.scanned(p + 1); // R looked at the next character and gave it back
    else r.consumed(p + 2);
    this.line = r.line;
    this.col = p + 1 - r.lineStart + r.colAdjust;
    this.start = p;
    this.end = p + len;
    this.value = null;
    this.kind = kind as TokenKind;
  }

  /**
   * Takes the ASCII name or number from `p` to `q` as the current token,
   * as R reads it: up to `q`, then one character more given back.
   */
  private fast(p: number, q: number): void {
    const r = this.reader;
    this.line = r.line;
    this.col = p + 1 - r.lineStart + r.colAdjust;
    this.start = p;
    this.end = q;
    this.value = null;
    r.scanned(q);
  }

  /** Ends the current token at the reader's position. */
  private done(kind: TokenKind): void {
    this.kind = kind;
    this.end = this.reader.pos;
  }

  private quoted(value: string | null, kind: TokenKind): void {
    if (value === null) return this.done(T.INCOMPLETE_STRING);
    this.value = value;
    this.done(kind);
  }

  /** A name or keyword whose first character (at `start`) was just read. */
  private symbol(start: number): void {
    const r = this.reader;
    const src = r.src;
    for (;;) {
      let p = r.pos;
      // The final newline (index src.length) ends a name like any newline.
      let c = p < src.length ? src.charCodeAt(p) : 10;
      while (c < 0x80 && NAME_ASCII[c] === 1) c = ++p < src.length ? src.charCodeAt(p) : 10;
      if (p > r.pos) r.consumed(p);
      if (c >= 0x80) {
        if (isAlnum(r.getc())) continue;
        r.ungetc();
        r.touchNext(false);
      } else if (p + 1 > r.maxPos) {
        r.maxPos = p + 1; // R reads the next character and gives it back
        r.maxUnread = 0;
      }
      break;
    }
    const end = this.end = r.pos;
    if ((end - start) * 3 >= YYTEXT_SIZE - 1) this.checkYytext(src.slice(start, end));
    this.kind = keywordKind(src, start, end);
  }

  private special(): void {
    const r = this.reader;
    for (;;) {
      const c = r.getc();
      if (c === EOF) break;
      if (c === 10) {
        r.ungetc();
        return this.done(T.ERROR);
      }
      if (c === 37) break;
    }
    this.checkYytext(r.slice(this.start, r.pos));
    this.done(T.SPECIAL);
  }

  /** R's `yytext` holds at most 8190 bytes plus its terminator. */
  private checkYytext(text: string): void {
    if (text.length * 3 < YYTEXT_SIZE - 1) return;
    let bytes = 0;
    for (const ch of text) bytes += utf8Length(ch.codePointAt(0)!);
    if (bytes >= YYTEXT_SIZE - 1) {
      const r = this.reader;
      throw plainError("limit", `input buffer overflow at line ${r.line}`, r.line, r.col);
    }
  }
}
