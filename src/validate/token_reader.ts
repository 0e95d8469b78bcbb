/**
 * The token level of R's parser (see `parser.ts`): the look-ahead token, read only when
 * bison would read it, the count of symbols bison would hold on its stack (past
 * {@linkcode MAX_STACK} R gives up with "out of memory while parsing"), and the nesting
 * limit {@linkcode MAX_NESTING} that protects the JavaScript call stack.
 *
 * No token objects exist: the current token is the scanner's fields.
 *
 * @module
 */
import type { RNode } from "./ast.ts";
import { nul as nul_, num as num_, str as str_, sym as sym_ } from "./ast_build.ts";
import { Lexer } from "./lexer.ts";
import { type ParseAbort, plainError, syntaxError } from "./parse_error.ts";
import type { Scanner } from "./scanner.ts";
import { T as T_, type TokenKind, unexpectedMessage } from "./tokens.ts";

// V8 reads an imported binding through its module cell at every use, while it folds a
// module constant: the imports used on the hot path are re-bound (see `parser.ts`).
const nul = nul_;
const num = num_;
const str = str_;
const sym = sym_;
const T = T_;

/** Symbols on bison's stack at which R gives up (`YYMAXDEPTH` 10000 states). */
export const MAX_STACK: number = 9999;
/**
 * Nesting of operators and bodies this parser follows before giving up
 * (unary operator chains do not count). Deeper code is reported as
 * {@link TOO_DEEP} instead of risking the JavaScript call stack; R's own
 * limit is between 2000 and 9998 levels depending on the construct.
 */
export const MAX_NESTING: number = 1000;
/** The error for code nested deeper than {@link MAX_NESTING}. */
export const TOO_DEEP: string = `Cannot parse: code nested more than ${MAX_NESTING} levels deep`;

/**
 * The parser's state and token rules, which the grammar levels build on.
 *
 * The look-ahead token is the lexer's current token; `la` says whether it
 * is still to be consumed. A consumed token stays readable in the lexer's
 * fields until the next {@link peek}, so each rule reads what it needs of
 * a token (position, name) before looking further.
 */
export abstract class TokenReader {
  /** The lexer, whose `eatLines` the grammar actions set. */
  readonly lexer: Lexer;
  /** The lexer's scanner, which holds the current token. */
  readonly lx: Scanner;
  /** Whether the current token is a look-ahead not consumed yet. */
  protected la = false;
  /** Symbols bison would hold for the enclosing, unfinished rules. */
  protected depth = 0;
  /** Recursion depth of the expression rule (`expr` in `parser.ts`). */
  protected nesting = 0;

  /** Prepares to parse `code` as `parse(text = code)`. */
  constructor(code: string) {
    this.lexer = new Lexer(code);
    this.lx = this.lexer.scanner;
  }

  // ---- tokens -------------------------------------------------------------

  /** The look-ahead token's kind, reading it if needed (bison reads it only when it must). */
  peek(): TokenKind {
    if (!this.la) {
      this.lexer.advance();
      this.la = true;
    }
    return this.lx.kind;
  }

  /** Consumes the look-ahead token and returns its kind. */
  take(): TokenKind {
    const k = this.peek();
    this.la = false;
    return k;
  }

  /** Consumes the look-ahead token, which must be `kind`. */
  expect(kind: TokenKind): void {
    if (this.take() !== kind) throw this.unexpected();
  }

  /** R's syntax error at the lexer's current token. */
  unexpected(): ParseAbort {
    const lx = this.lx;
    return syntaxError(lx.reader, lx.filename, unexpectedMessage(lx.kind), lx.line, lx.col);
  }

  /** R fails when shifting the current token would put {@link MAX_STACK} symbols on bison's stack. */
  protected shift(below: number): void {
    if (this.depth + below + 1 >= MAX_STACK) this.outOfMemory(this.lx.line, this.lx.col);
  }

  /** R's error when its parser stack is full, at `line`:`col`. */
  protected outOfMemory(line: number, col: number): never {
    throw plainError("limit", "out of memory while parsing", line, col);
  }

  // ---- leaves -------------------------------------------------------------

  /** The constant or name that is the lexer's current token. */
  leaf(): RNode {
    const lx = this.lx;
    switch (lx.kind) {
      case T.STR_CONST:
        return str(lx.value!, lx.line, lx.col);
      case T.SYMBOL:
        return sym(lx.name(), lx.value !== null, lx.line, lx.col);
      case T.NUM_CONST:
        return num(lx.text(), lx.line, lx.col);
      case T.NULL_CONST:
        return nul(lx.line, lx.col);
      case T.PLACEHOLDER:
        return { type: "placeholder", line: lx.line, col: lx.col };
    }
    throw this.unexpected();
  }
}
