/**
 * R's `yylex()` (gram.y, R 4.2) over the scanner's `token()`: the context
 * stack and the context-sensitive newline handling:
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
import { plainError } from "./parse_error.ts";
import { Scanner } from "./scanner.ts";
import { T as T_, type TokenKind } from "./tokens.ts";

// V8 reads an imported binding through its module cell at every use, while it folds a
// module constant; re-binding the imports this module uses on its hot path saves about
// 7% of validateCode's time.
const T = T_;

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

/**
 * R's lexer over one source text: the scanner plus the context stack. The
 * current token is in the scanner's fields.
 *
 * The lexer holds its scanner rather than extending it: V8 reads fields and
 * calls methods of a subclass instance markedly slower in the base class.
 */
export class Lexer {
  /** Reads the tokens; holds the current one. */
  readonly scanner: Scanner;
  /** R's `EatLines`: skip newline tokens. The parser sets it too. */
  eatLines = false;
  /** R's context stack: `ctx[0..depth]`, bottom `' '`. */
  private readonly ctx: number[] = [32];
  private depth = 0;
  /** A token read ahead while looking for `else` (see {@link advance}). */
  private saved = false;
  private savedKind: TokenKind = T.END;
  private savedEnd = 0;
  private savedValue: string | null = null;

  /** Lexes `code` as `parse(text = code)` does. */
  constructor(code: string) {
    this.scanner = new Scanner(code);
  }

  /** R's `ParseInit()`, run before each top-level expression. */
  reset(): void {
    this.depth = 0;
    this.ctx[0] = 32;
    this.saved = false;
    this.eatLines = false;
  }

  /** R's `yylex()`: reads the next token the grammar sees into the fields. */
  advance(): void {
    const s = this.scanner;
    for (;;) {
      if (this.saved) this.restore();
      else s.token();
      const kind = s.kind;
      if (kind === T.NEWLINE) {
        const top = this.ctx[this.depth];
        if (this.eatLines || top === LBRACKET || top === LPAREN) continue;
        if (top === IF_CTX) this.ifBodyEnd();
        return;
      }
      const rule = LINE_RULE[kind];
      if (rule === EAT) this.eatLines = true;
      else if (rule === KEEP) this.eatLines = false;
      else this.track(kind);
      return;
    }
  }

  /** Context stack moves and newline rules of the tokens not in {@link LINE_RULE}. */
  private track(kind: TokenKind): void {
    switch (kind) {
      case T.IF: {
        const top = this.ctx[this.depth];
        if (top === LBRACE || top === LBRACKET || top === LPAREN || top === IF_CTX) {
          this.push(IF_CTX);
        }
        this.eatLines = true;
        break;
      }
      case T.ELSE:
        this.ifpop();
        this.eatLines = true;
        break;
      case T.SEMI:
      case T.COMMA:
        this.ifpop();
        break;
      case T.LBB:
        if (this.depth >= CONTEXT_STACK_SIZE - 1) this.overflow();
        this.ctx[++this.depth] = LBRACKET;
        this.ctx[++this.depth] = LBRACKET;
        break;
      case T.LBRACKET:
        this.push(LBRACKET);
        break;
      case T.LBRACE:
        this.push(LBRACE);
        this.eatLines = true;
        break;
      case T.LPAREN:
        this.push(LPAREN);
        break;
      case T.RBRACKET:
      case T.RPAREN:
        this.closeBracket();
        this.eatLines = false;
        break;
      case T.RBRACE:
        this.closeBracket();
        break;
    }
  }

  /**
   * A newline after an `if` body inside brackets: looks past the newlines
   * for `else`. The token found is the current one if it ends the `if`
   * (a closing bracket, `,`, `else`); otherwise it is kept for the next
   * read and the current token is a newline at its position.
   */
  private ifBodyEnd(): void {
    const s = this.scanner;
    do s.token(); while (s.kind === T.NEWLINE);
    const k = s.kind;
    if (k === T.RBRACE || k === T.RPAREN || k === T.RBRACKET) {
      this.closeBracket();
      return;
    }
    if (k === T.ELSE) this.eatLines = true;
    this.ifpop();
    if (k === T.COMMA || k === T.ELSE) return;
    this.saved = true;
    this.savedKind = k;
    this.savedEnd = s.end;
    this.savedValue = s.value;
    s.kind = T.NEWLINE;
    s.end = s.start;
    s.value = null;
  }

  /** Makes the token kept by {@link ifBodyEnd} current again. */
  private restore(): void {
    const s = this.scanner;
    this.saved = false;
    s.kind = this.savedKind;
    s.end = this.savedEnd;
    s.value = this.savedValue;
  }

  private push(c: number): void {
    if (this.depth >= CONTEXT_STACK_SIZE) this.overflow();
    this.ctx[++this.depth] = c;
  }

  /** Pops the `if`s and then the bracket a closing bracket ends. */
  private closeBracket(): void {
    while (this.ctx[this.depth] === IF_CTX) this.depth--;
    if (this.depth > 0) this.depth--;
    else this.ctx[0] = 0; // R steps below its stack here; a syntax error always follows
  }

  private ifpop(): void {
    if (this.ctx[this.depth] === IF_CTX) this.depth--;
  }

  private overflow(): never {
    const s = this.scanner;
    throw plainError("limit", `contextstack overflow at line ${s.reader.line}`, s.line, s.col);
  }
}
