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
import { KEYWORDS, T, type Token, type TokenKind } from "./tokens.ts";

/** R's `CONTEXTSTACK_SIZE`: brackets and `if`s nested deeper are an error. */
const CONTEXT_STACK_SIZE = 50;

const LBRACE = 123;
const LBRACKET = 91;
const LPAREN = 40;
const IF_CTX = 105; // 'i'

/** Token kinds after which newlines are skipped (R's `EatLines = 1`). */
const EATS_LINES: readonly boolean[] = (() => {
  const a: boolean[] = [];
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
  ) a[k] = true;
  return Object.freeze(a);
})();

/** Token kinds after which a newline ends the expression (R's `EatLines = 0`). */
const KEEPS_LINES: readonly boolean[] = (() => {
  const a: boolean[] = [];
  for (
    const k of [T.SYMBOL, T.PLACEHOLDER, T.STR_CONST, T.NUM_CONST, T.NULL_CONST, T.NEXT, T.BREAK]
  ) a[k] = true;
  return Object.freeze(a);
})();

/** R's lexer over one source text. */
export class Lexer {
  /** The character reader. */
  readonly reader: SourceReader;
  /** File name in syntax error messages; `#line N "file"` changes it. */
  filename = "<text>";
  /** R's `EatLines`: skip newline tokens. The parser sets it too. */
  eatLines = false;
  private readonly ctx: number[] = [32];
  private saved: Token | null = null;

  /** Lexes `code` as `parse(text = code)` does. */
  constructor(code: string) {
    this.reader = new SourceReader(code);
  }

  /** R's `ParseInit()`, run before each top-level expression. */
  reset(): void {
    this.ctx.length = 1;
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
          while (this.top() === IF_CTX) this.ctx.pop();
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
      if (EATS_LINES[kind]) this.eatLines = true;
      else if (KEEPS_LINES[kind]) this.eatLines = false;
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
            if (this.ctx.length - 1 >= CONTEXT_STACK_SIZE - 1) this.overflow(tok);
            this.ctx.push(LBRACKET, LBRACKET);
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
            while (this.top() === IF_CTX) this.ctx.pop();
            this.pop();
            this.eatLines = false;
            break;
          case T.RBRACE:
            while (this.top() === IF_CTX) this.ctx.pop();
            this.pop();
            break;
        }
      }
      return tok;
    }
  }

  private top(): number {
    return this.ctx[this.ctx.length - 1];
  }

  private push(c: number, tok: Token): void {
    if (this.ctx.length - 1 >= CONTEXT_STACK_SIZE) this.overflow(tok);
    this.ctx.push(c);
  }

  private pop(): void {
    if (this.ctx.length > 1) this.ctx.pop();
    else this.ctx[0] = 0; // R steps below its stack here; a syntax error always follows
  }

  private ifpop(): void {
    if (this.top() === IF_CTX) this.ctx.pop();
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
    const line = r.line;
    const col = r.col;
    const start = c === EOF ? r.pos : r.pos - (c > 0xffff ? 2 : 1);
    const tok = (kind: TokenKind, text = ""): Token => ({ kind, line, col, start, text });
    if (c === EOF) return tok(T.END);
    if (c === 46) { // '.'
      const n = r.getc(true);
      r.ungetc();
      if (!isDigit(n)) return this.symbol(start, line, col);
      const num = lexNumber(r, c);
      return tok(num.kind, num.text);
    }
    if (isDigit(c)) {
      const num = lexNumber(r, c);
      return tok(num.kind, num.text);
    }
    if (c === 114 || c === 82) { // r"..." or R'...'
      const q = r.nextchar(34) ? 34 : r.nextchar(39) ? 39 : 0;
      if (q !== 0) {
        const s = lexRawString(r, q);
        return tok(s.kind, s.text);
      }
    }
    if (c === 34 || c === 39 || c === 96) {
      const s = lexString(r, c, c === 96);
      return tok(s.kind, s.text);
    }
    if (c === 37) return this.special(tok);
    if (c === 95) return tok(T.PLACEHOLDER, "_");
    if (isAlpha(c)) return this.symbol(start, line, col);
    return this.operator(c, tok);
  }

  private operator(c: number, tok: (kind: TokenKind, text?: string) => Token): Token {
    const r = this.reader;
    switch (c) {
      case 60: // <
        if (r.nextchar(61)) return tok(T.LE, "<=");
        if (r.nextchar(45)) return tok(T.LEFT_ASSIGN, "<-");
        if (r.nextchar(60)) return r.nextchar(45) ? tok(T.LEFT_ASSIGN, "<<-") : tok(T.ERROR);
        return tok(T.LT, "<");
      case 45: // -
        if (r.nextchar(62)) {
          return r.nextchar(62) ? tok(T.RIGHT_ASSIGN, "->>") : tok(T.RIGHT_ASSIGN, "->");
        }
        return tok(T.MINUS, "-");
      case 62: // >
        return r.nextchar(61) ? tok(T.GE, ">=") : tok(T.GT, ">");
      case 33: // !
        return r.nextchar(61) ? tok(T.NE, "!=") : tok(T.BANG, "!");
      case 61: // =
        if (r.nextchar(61)) return tok(T.EQ, "==");
        if (r.nextchar(62)) return tok(T.PIPEBIND, "=>");
        return tok(T.EQ_ASSIGN, "=");
      case 58: // :
        if (r.nextchar(58)) {
          return r.nextchar(58) ? tok(T.NS_GET_INT, ":::") : tok(T.NS_GET, "::");
        }
        if (r.nextchar(61)) return tok(T.LEFT_ASSIGN, ":=");
        return tok(T.COLON, ":");
      case 38: // &
        return r.nextchar(38) ? tok(T.AND2, "&&") : tok(T.AND, "&");
      case 124: // |
        if (r.nextchar(124)) return tok(T.OR2, "||");
        if (r.nextchar(62)) return tok(T.PIPE, "|>");
        return tok(T.OR, "|");
      case 123:
        return tok(T.LBRACE, "{");
      case 125:
        return tok(T.RBRACE, "}");
      case 40:
        return tok(T.LPAREN, "(");
      case 41:
        return tok(T.RPAREN, ")");
      case 91:
        return r.nextchar(91) ? tok(T.LBB, "[[") : tok(T.LBRACKET, "[");
      case 93:
        return tok(T.RBRACKET, "]");
      case 63:
        return tok(T.QUESTION, "?");
      case 42: // * and ** (which R reads as ^)
        return r.nextchar(42) ? tok(T.CARET, "**") : tok(T.STAR, "*");
      case 43:
        return tok(T.PLUS, "+");
      case 47:
        return tok(T.SLASH, "/");
      case 94:
        return tok(T.CARET, "^");
      case 126:
        return tok(T.TILDE, "~");
      case 36:
        return tok(T.DOLLAR, "$");
      case 64:
        return tok(T.AT, "@");
      case 92:
        return tok(T.BACKSLASH, "\\");
      case 10:
        return tok(T.NEWLINE);
      case 44:
        return tok(T.COMMA, ",");
      case 59:
        return tok(T.SEMI, ";");
    }
    return tok(c < 0x80 ? T.UNDEFINED : T.ERROR);
  }

  private symbol(start: number, line: number, col: number): Token {
    const r = this.reader;
    for (;;) {
      const c = r.getc();
      if (c === EOF) break;
      if (c !== 46 && c !== 95 && !isAlnum(c)) {
        r.ungetc();
        break;
      }
    }
    const text = r.src.slice(start, r.pos);
    this.checkYytext(text);
    const kind = KEYWORDS.get(text) ?? T.SYMBOL;
    return { kind, line, col, start, text };
  }

  private special(tok: (kind: TokenKind, text?: string) => Token): Token {
    const r = this.reader;
    const start = r.pos - 1;
    for (;;) {
      const c = r.getc();
      if (c === EOF) break;
      if (c === 10) {
        r.ungetc();
        return tok(T.ERROR);
      }
      if (c === 37) break;
    }
    const text = r.src.slice(start, r.pos);
    this.checkYytext(text);
    return tok(T.SPECIAL, text);
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

  private skipSpace(): number {
    const r = this.reader;
    for (;;) {
      const c = r.getc();
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
    while (c !== 10 && c !== EOF) c = r.getc();
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
