/**
 * R's lexer (`token()` and `yylex()` in gram.y, R 4.2), including the
 * context-sensitive newline handling:
 *
 * - inside `(` and `[` newlines are skipped; inside `{` and at top level
 *   they end an expression, except right after a binary operator, `=`,
 *   `function`, `if`, `else`, `for`, `while`, `repeat`, `{`, and wherever
 *   the parser asks to skip them (after an `if`/`for`/`while` condition and
 *   after a function's formals);
 * - inside brackets an `if` body is followed by a look-ahead past newlines:
 *   an `else` there joins the `if`; at top level it does not, which is why
 *   `if (a) b \n else c` is an error only at top level.
 *
 * @module
 */
import { isAlnum, isAlpha, isBlank, isDigit, utf8Length } from "./char_class.ts";
import { lexNumber, YYTEXT_SIZE } from "./lex_number.ts";
import { lexRawString, lexString } from "./lex_string.ts";
import { plainError } from "./parse_error.ts";
import { EOF, SourceReader } from "./reader.ts";
import { keywordKind, T, type Token, type TokenKind } from "./tokens.ts";

/** R's `CONTEXTSTACK_SIZE`: brackets and `if`s nested deeper are an error. */
const CONTEXT_STACK_SIZE = 50;

const LBRACE = 123;
const LBRACKET = 91;
const LPAREN = 40;
const IF_CTX = 105; // 'i'

const EAT = 1;
const KEEP = 2;

/** Per token kind: EAT if newlines after it are skipped (R's `EatLines = 1`), KEEP if not. */
const LINE_RULE: readonly number[] = (() => {
  const a: number[] = new Array(64).fill(0);
  for (
    const k of [
      T.PLUS,
      T.MINUS,
      T.STAR,
      T.SLASH,
      T.CARET,
      T.LT,
      T.LE,
      T.GE,
      T.GT,
      T.EQ,
      T.NE,
      T.OR,
      T.AND,
      T.OR2,
      T.AND2,
      T.PIPE,
      T.PIPEBIND,
      T.SPECIAL,
      T.FUNCTION,
      T.WHILE,
      T.REPEAT,
      T.FOR,
      T.IN,
      T.QUESTION,
      T.BANG,
      T.COLON,
      T.TILDE,
      T.DOLLAR,
      T.AT,
      T.LEFT_ASSIGN,
      T.RIGHT_ASSIGN,
      T.EQ_ASSIGN,
    ]
  ) a[k] = EAT;
  for (
    const k of [T.SYMBOL, T.PLACEHOLDER, T.STR_CONST, T.NUM_CONST, T.NULL_CONST, T.NEXT, T.BREAK]
  ) a[k] = KEEP;
  return a;
})();

/** ASCII characters that continue a name. */
function isNameAscii(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 ||
    c === 95;
}

/** ASCII comment text other than tab and newline. */
function isCommentAscii(c: number): boolean {
  return c >= 32 && c < 127;
}

/** R's lexer over one source text. */
export class Lexer {
  /** The character reader. */
  readonly reader: SourceReader;
  /** File name in syntax error messages; `#line N "file"` changes it. */
  filename = "<text>";
  /** R's `EatLines`: skip newline tokens. The parser sets it too. */
  eatLines = false;
  /** R's `HavePlaceholder`: a `_` has been read, so finished expressions must be checked. */
  sawPlaceholder = false;
  /** R's context stack: `ctx[0..depth]`, bottom `' '`. */
  private readonly ctx: number[] = new Array(CONTEXT_STACK_SIZE + 2).fill(32);
  private depth = 0;
  private saved: Token | null = null;
  private tLine = 0;
  private tCol = 0;
  private tStart = 0;

  /** Lexes `code` as `parse(text = code)` does. */
  constructor(code: string) {
    this.reader = new SourceReader(code);
  }

  /** R's `ParseInit()`, run before each top-level expression. */
  reset(): void {
    this.depth = 0;
    this.ctx[0] = 32;
    this.saved = null;
    this.eatLines = false;
  }

  /** R's `yylex()`: the next token the grammar sees. */
  next(): Token {
    for (;;) {
      let tok = this.token();
      const kind = tok.kind;
      if (kind === T.NEWLINE) {
        const top = this.top();
        if (this.eatLines || top === LBRACKET || top === LPAREN) continue;
        if (top !== IF_CTX) return tok;
        // In an `if` body inside brackets: look past the newlines for `else`.
        while (tok.kind === T.NEWLINE) tok = this.token();
        const k = tok.kind;
        if (k === T.RBRACE || k === T.RPAREN || k === T.RBRACKET) {
          while (this.ctx[this.depth] === IF_CTX) this.depth--;
          this.pop();
          return tok;
        }
        if (k === T.COMMA) {
          this.ifpop();
          return tok;
        }
        if (k === T.ELSE) {
          this.eatLines = true;
          this.ifpop();
          return tok;
        }
        this.ifpop();
        this.saved = tok;
        return { kind: T.NEWLINE, line: tok.line, col: tok.col, start: tok.start, text: "" };
      }
      const rule = LINE_RULE[kind];
      if (rule === EAT) this.eatLines = true;
      else if (rule === KEEP) this.eatLines = false;
      else {
        switch (kind) {
          case T.IF:
            if (
              this.top() === LBRACE || this.top() === LBRACKET || this.top() === LPAREN ||
              this.top() === IF_CTX
            ) {
              this.push(IF_CTX, tok);
            }
            this.eatLines = true;
            break;
          case T.ELSE:
            this.ifpop();
            this.eatLines = true;
            break;
          case T.SEMI:
          case T.COMMA:
            this.ifpop();
            break;
          case T.LBB:
            if (this.depth >= CONTEXT_STACK_SIZE - 1) this.overflow(tok);
            this.ctx[++this.depth] = LBRACKET;
            this.ctx[++this.depth] = LBRACKET;
            break;
          case T.LBRACKET:
            this.push(LBRACKET, tok);
            break;
          case T.LBRACE:
            this.push(LBRACE, tok);
            this.eatLines = true;
            break;
          case T.LPAREN:
            this.push(LPAREN, tok);
            break;
          case T.RBRACKET:
          case T.RPAREN:
            while (this.ctx[this.depth] === IF_CTX) this.depth--;
            this.pop();
            this.eatLines = false;
            break;
          case T.RBRACE:
            while (this.ctx[this.depth] === IF_CTX) this.depth--;
            this.pop();
            break;
        }
      }
      return tok;
    }
  }

  private top(): number {
    return this.ctx[this.depth];
  }

  private push(c: number, tok: Token): void {
    if (this.depth >= CONTEXT_STACK_SIZE) this.overflow(tok);
    this.ctx[++this.depth] = c;
  }

  private pop(): void {
    if (this.depth > 0) this.depth--;
    else this.ctx[0] = 0; // R steps below its stack here; a syntax error always follows
  }

  private ifpop(): void {
    if (this.ctx[this.depth] === IF_CTX) this.depth--;
  }

  private overflow(tok: Token): never {
    throw plainError(
      "limit",
      `contextstack overflow at line ${this.reader.line}`,
      tok.line,
      tok.col,
    );
  }

  /** R's `token()`: the next token from the characters. */
  private token(): Token {
    if (this.saved !== null) {
      const t = this.saved;
      this.saved = null;
      return t;
    }
    const r = this.reader;
    let c = this.skipSpace();
    if (c === 35) c = this.skipComment();
    const line = this.tLine = r.line;
    const col = this.tCol = r.col;
    const start = this.tStart = c === EOF ? r.pos : r.pos - (c > 0xffff ? 2 : 1);
    // Most tokens are names other than r/R (which may start a raw string).
    if (
      (c >= 97 && c <= 122 && c !== 114) || (c >= 65 && c <= 90 && c !== 82)
    ) return this.symbol(start, line, col);
    if (c === EOF) return this.tok(T.END, "");
    if (c === 46) { // '.'
      const n = r.getc(true);
      r.ungetc();
      if (!isDigit(n)) return this.symbol(start, line, col);
      const num = lexNumber(r, c);
      return this.tok(num.kind, num.text);
    }
    if (isDigit(c)) {
      const num = lexNumber(r, c);
      return this.tok(num.kind, num.text);
    }
    if (c === 114 || c === 82) { // r"..." or R'...' (R tries both quotes with nextchar)
      const q = r.pos < r.src.length ? r.src.charCodeAt(r.pos) : 0;
      if (q === 34 || q === 39) {
        r.consumed(r.pos + 1);
        const s = lexRawString(r, q);
        return this.tok(s.kind, s.text);
      }
      r.touchNext(true);
    }
    if (c === 34 || c === 39 || c === 96) {
      const s = lexString(r, c, c === 96);
      return this.tok(s.kind, s.text);
    }
    if (c === 37) return this.special();
    if (c === 95) {
      this.sawPlaceholder = true;
      return this.tok(T.PLACEHOLDER, "_");
    }
    if (isAlpha(c)) return this.symbol(start, line, col);
    return this.operator(c);
  }

  /** A token starting where the current one started. */
  private tok(kind: TokenKind, text = ""): Token {
    return { kind, line: this.tLine, col: this.tCol, start: this.tStart, text };
  }

  private operator(c: number): Token {
    const r = this.reader;
    switch (c) {
      case 60: // <
        if (r.nextchar(61)) return this.tok(T.LE, "<=");
        if (r.nextchar(45)) return this.tok(T.LEFT_ASSIGN, "<-");
        if (r.nextchar(60)) {
          return r.nextchar(45) ? this.tok(T.LEFT_ASSIGN, "<<-") : this.tok(T.ERROR);
        }
        return this.tok(T.LT, "<");
      case 45: // -
        if (r.nextchar(62)) {
          return r.nextchar(62) ? this.tok(T.RIGHT_ASSIGN, "->>") : this.tok(T.RIGHT_ASSIGN, "->");
        }
        return this.tok(T.MINUS, "-");
      case 62: // >
        return r.nextchar(61) ? this.tok(T.GE, ">=") : this.tok(T.GT, ">");
      case 33: // !
        return r.nextchar(61) ? this.tok(T.NE, "!=") : this.tok(T.BANG, "!");
      case 61: // =
        if (r.nextchar(61)) return this.tok(T.EQ, "==");
        if (r.nextchar(62)) return this.tok(T.PIPEBIND, "=>");
        return this.tok(T.EQ_ASSIGN, "=");
      case 58: // :
        if (r.nextchar(58)) {
          return r.nextchar(58) ? this.tok(T.NS_GET_INT, ":::") : this.tok(T.NS_GET, "::");
        }
        if (r.nextchar(61)) return this.tok(T.LEFT_ASSIGN, ":=");
        return this.tok(T.COLON, ":");
      case 38: // &
        return r.nextchar(38) ? this.tok(T.AND2, "&&") : this.tok(T.AND, "&");
      case 124: // |
        if (r.nextchar(124)) return this.tok(T.OR2, "||");
        if (r.nextchar(62)) return this.tok(T.PIPE, "|>");
        return this.tok(T.OR, "|");
      case 123:
        return this.tok(T.LBRACE, "{");
      case 125:
        return this.tok(T.RBRACE, "}");
      case 40:
        return this.tok(T.LPAREN, "(");
      case 41:
        return this.tok(T.RPAREN, ")");
      case 91:
        return r.nextchar(91) ? this.tok(T.LBB, "[[") : this.tok(T.LBRACKET, "[");
      case 93:
        return this.tok(T.RBRACKET, "]");
      case 63:
        return this.tok(T.QUESTION, "?");
      case 42: // * and ** (which R reads as ^)
        return r.nextchar(42) ? this.tok(T.CARET, "**") : this.tok(T.STAR, "*");
      case 43:
        return this.tok(T.PLUS, "+");
      case 47:
        return this.tok(T.SLASH, "/");
      case 94:
        return this.tok(T.CARET, "^");
      case 126:
        return this.tok(T.TILDE, "~");
      case 36:
        return this.tok(T.DOLLAR, "$");
      case 64:
        return this.tok(T.AT, "@");
      case 92:
        return this.tok(T.BACKSLASH, "\\");
      case 10:
        return this.tok(T.NEWLINE);
      case 44:
        return this.tok(T.COMMA, ",");
      case 59:
        return this.tok(T.SEMI, ";");
    }
    return this.tok(c < 0x80 ? T.UNDEFINED : T.ERROR);
  }

  private symbol(start: number, line: number, col: number): Token {
    const r = this.reader;
    const src = r.src;
    for (;;) {
      let p = r.pos;
      while (p < src.length && isNameAscii(src.charCodeAt(p))) p++;
      if (p > r.pos) r.consumed(p);
      if (p < src.length && src.charCodeAt(p) >= 0x80) {
        if (isAlnum(r.getc())) continue;
        r.ungetc();
        r.touchNext(false);
      } else if (p < src.length && p + 1 > r.maxPos) {
        r.maxPos = p + 1; // R reads the next character and gives it back
        r.maxUnread = 0;
      }
      break;
    }
    const text = src.slice(start, r.pos);
    if (text.length * 3 >= YYTEXT_SIZE - 1) this.checkYytext(text);
    return { kind: keywordKind(src, start, r.pos), line, col, start, text };
  }

  private special(): Token {
    const r = this.reader;
    const start = r.pos - 1;
    for (;;) {
      const c = r.getc();
      if (c === EOF) break;
      if (c === 10) {
        r.ungetc();
        return this.tok(T.ERROR);
      }
      if (c === 37) break;
    }
    const text = r.src.slice(start, r.pos);
    this.checkYytext(text);
    return this.tok(T.SPECIAL, text);
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

  /** R's `SkipSpace()`: returns the first character that is not blank, consumed. */
  private skipSpace(): number {
    const r = this.reader;
    const src = r.src;
    for (;;) {
      let p = r.pos;
      let c = p < src.length ? src.charCodeAt(p) : -1;
      while (c === 32 || c === 12) c = ++p < src.length ? src.charCodeAt(p) : -1;
      if (c > 10 && c < 0x80 && c !== 12) {
        r.consumed(p + 1); // fast path: a plain ASCII character
        return c;
      }
      if (p > r.pos) r.consumed(p);
      c = r.getc();
      if (!isBlank(c)) return c;
    }
  }

  /** Skips a comment (the `#` was just read); handles `#line N "file"` at column 1. */
  private skipComment(): number {
    const r = this.reader;
    let c = 35;
    let directive = r.col === 1;
    if (directive) {
      for (const want of [108, 105, 110, 101]) { // "line"
        c = r.getc();
        if (c !== want) {
          directive = false;
          break;
        }
      }
      if (directive) c = this.lineDirective();
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

  private lineDirective(): number {
    const r = this.reader;
    let c = this.skipSpace();
    if (!isDigit(c)) return c;
    const num = lexNumber(r, c);
    const lineNumber = parseInt(num.text, 10);
    c = this.skipSpace();
    if (c === 34) {
      const s = lexString(r, 34, false);
      if (s.kind === T.STR_CONST) this.filename = s.text;
    } else r.ungetc();
    do c = r.getc(); while (c !== 10 && c !== EOF);
    r.line = lineNumber;
    r.contextStart = r.pos;
    return c;
  }
}
