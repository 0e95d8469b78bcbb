/**
 * R's grammar (gram.y, R 4.2) as a precedence-climbing parser that stops
 * at the same token as R's LALR(1) parser and raises R's grammar-action
 * errors at the same moments.
 *
 * How it maps onto gram.y:
 * - three expression levels: `expr` (all binary operators),
 *   `expr_or_help` (adds binary `?`; call arguments, conditions, default
 *   values) and `expr_or_assign_or_help` (adds `=`; top level, `{}`, `()`,
 *   bodies of `function`, `if`, `for`, `while`, `repeat`, unary `?`);
 * - bison resolves shift/reduce conflicts by comparing the rule being
 *   reduced with the look-ahead token; each sub-parse gets the precedence
 *   of the rule it completes (`if` 3, `else` 4, `function`/loops 2, `?` 1,
 *   `=` 6) and extends only over tokens that bind tighter. Comparison
 *   operators are non-associative: `a == b == c` fails at the second `==`;
 * - tokens are read only when bison would need its look-ahead, and the
 *   actions that steer the lexer (skip newlines after a condition, after
 *   formals and after `,` in arguments; stop skipping after `}`) run at
 *   the same points.
 *
 * The compound constructs (`{}`, `if`, loops, `function`) are in
 * `parse_compound.ts`. For speed, a name or constant followed by no
 * operator is taken without going through the operator rules, positions
 * are passed down rather than read back from nodes, and no token objects
 * exist: the current token is the scanner's fields.
 *
 * @module
 */
import type { RArg, RCall, RNode, RProgram } from "./ast.ts";
import {
  arg as arg_,
  binary as binary_,
  call as call_,
  nul as nul_,
  num as num_,
  special as special_,
  str as str_,
  sym as sym_,
} from "./ast_build.ts";
import { utf8ByteLength } from "./char_class.ts";
import { checkName } from "./lex_string.ts";
import { Lexer } from "./lexer.ts";
import {
  braces,
  forExpr,
  functionDef,
  ifExpr,
  repeatExpr,
  type RuleParser,
  whileExpr,
} from "./parse_compound.ts";
import type { Scanner } from "./scanner.ts";
import { type ParseAbort, plainError, syntaxError } from "./parse_error.ts";
import { buildPipe, findPlaceholder } from "./pipe.ts";
import {
  ASSOC as ASSOC_,
  LEFT as LEFT_,
  NONASSOC as NONASSOC_,
  P_EQ_ASSIGN,
  P_HELP,
  P_NONE as P_NONE_,
  P_TILDE,
  P_UMINUS,
  P_UNOT,
  PREC as PREC_,
  startsExpr as startsExpr_,
} from "./precedence.ts";
import { OP_TEXT as OP_TEXT_, T as T_, type TokenKind, unexpectedMessage } from "./tokens.ts";

// V8 reads an imported binding through its module cell at every use, while it folds a
// module constant; re-binding the imports this module uses on its hot path saves about
// 7% of validateCode's time.
const arg = arg_;
const binary = binary_;
const call = call_;
const nul = nul_;
const num = num_;
const special = special_;
const str = str_;
const sym = sym_;
const ASSOC = ASSOC_;
const LEFT = LEFT_;
const NONASSOC = NONASSOC_;
const P_NONE = P_NONE_;
const PREC = PREC_;
const startsExpr = startsExpr_;
const OP_TEXT = OP_TEXT_;
const T = T_;

/** Symbols on bison's stack at which R gives up (`YYMAXDEPTH` 10000 states). */
const MAX_STACK = 9999;
/**
 * Nesting of operators and bodies this parser follows before giving up
 * (unary operator chains do not count). Deeper code is reported as
 * {@link TOO_DEEP} instead of risking the JavaScript call stack; R's own
 * limit is between 2000 and 9998 levels depending on the construct.
 */
export const MAX_NESTING = 1000;
/** The error for code nested deeper than {@link MAX_NESTING}. */
export const TOO_DEEP: string = `Cannot parse: code nested more than ${MAX_NESTING} levels deep`;

/**
 * Parses R source text into an {@link RProgram}, throwing {@link ParseAbort} on error.
 *
 * The look-ahead token is the lexer's current token; `la` says whether it
 * is still to be consumed. A consumed token stays readable in the lexer's
 * fields until the next {@link peek}, so each rule reads what it needs of
 * a token (position, name) before looking further.
 */
export class Parser implements RuleParser {
  /** The lexer, whose `eatLines` the grammar actions set. */
  readonly lexer: Lexer;
  /** The lexer's scanner, which holds the current token. */
  readonly lx: Scanner;
  /** Whether the current token is a look-ahead not consumed yet. */
  private la = false;
  /** Symbols bison would hold for the enclosing, unfinished rules. */
  private depth = 0;
  /** Recursion depth of {@link expr}. */
  private nesting = 0;

  /** Prepares to parse `code` as `parse(text = code)`. */
  constructor(code: string) {
    this.lexer = new Lexer(code);
    this.lx = this.lexer.scanner;
  }

  /** Parses every top-level expression. */
  parseProgram(): RProgram {
    const lx = this.lx;
    const exprs: RNode[] = [];
    for (;;) {
      this.lexer.reset();
      const k = this.peek();
      if (k === T.END) break;
      if (k === T.NEWLINE) {
        this.la = false;
        continue;
      }
      const e = this.eoah(P_NONE, 0);
      const end = this.take();
      if (end !== T.NEWLINE && end !== T.SEMI) throw this.unexpected();
      const ph = lx.sawPlaceholder ? findPlaceholder(e) : null;
      if (ph) throw plainError("semantic", "invalid use of pipe placeholder", ph.line, ph.col);
      exprs.push(e);
    }
    return { exprs };
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
  private shift(below: number): void {
    if (this.depth + below + 1 >= MAX_STACK) this.outOfMemory(this.lx.line, this.lx.col);
  }

  private outOfMemory(line: number, col: number): never {
    throw plainError("limit", "out of memory while parsing", line, col);
  }

  // ---- expression levels --------------------------------------------------

  /** `expr_or_assign_or_help` from the next token, ending a rule of precedence `p`. */
  eoah(p: number, below: number): RNode {
    this.depth += below;
    let left = this.expr(P_NONE, 0);
    for (;;) {
      const k = this.peek();
      if (k === T.EQ_ASSIGN) { // '=' binds tighter than every rule that ends here
        this.la = false;
        left = binary("=", left, this.eoah(P_EQ_ASSIGN, 2), left.line, left.col);
      } else if (k === T.QUESTION && p === P_NONE) {
        this.la = false;
        left = binary("?", left, this.eoah(P_HELP, 2), left.line, left.col);
      } else {
        this.depth -= below;
        return left;
      }
    }
  }

  /** `expr_or_help` from the next token; `p` is P_NONE or P_HELP. */
  eoh(p: number, below: number): RNode {
    this.depth += below;
    let left = this.expr(P_NONE, 0);
    if (p === P_NONE && this.peek() === T.QUESTION) left = this.help(left, p);
    this.depth -= below;
    return left;
  }

  /** Binary `?` after the first `expr` of an `expr_or_help`. */
  private help(left: RNode, p: number): RNode {
    while (p === P_NONE && this.peek() === T.QUESTION) {
      this.la = false;
      left = binary("?", left, this.eoh(P_HELP, 2), left.line, left.col);
    }
    return left;
  }

  /** `expr` from the next token, as the last part of a rule of precedence `p`. */
  private expr(p: number, below: number): RNode {
    const k = this.peek();
    const line = this.lx.line;
    const col = this.lx.col;
    if (++this.nesting > MAX_NESTING) throw plainError("limit", TOO_DEEP, line, col);
    this.depth += below;
    let left: RNode;
    if (k === T.SYMBOL || k === T.NUM_CONST || k === T.STR_CONST) {
      // The commonest operand, read here rather than through primary().
      this.shift(0);
      left = this.leaf();
      this.la = false;
      const next = this.peek();
      if ((next === T.NS_GET || next === T.NS_GET_INT) && k !== T.NUM_CONST) {
        left = this.namespaced(left, line, col);
      }
    } else if (k === T.MINUS || k === T.PLUS || k === T.BANG || k === T.TILDE) {
      left = this.unary();
    } else left = this.primary();
    if (PREC[this.peek()] !== 0) left = this.operators(left, p, line, col);
    this.depth -= below;
    this.nesting--;
    return left;
  }

  /** A chain of unary operators and its operand, read in a loop rather than by recursion. */
  private unary(): RNode {
    const lx = this.lx;
    const ops: number[] = []; // kind, line and column of each operator
    for (let k = lx.kind; k === T.MINUS || k === T.PLUS || k === T.BANG || k === T.TILDE;) {
      this.shift(0);
      ops.push(k, lx.line, lx.col);
      this.depth++;
      this.la = false;
      k = this.peek();
    }
    let line = lx.line;
    let col = lx.col;
    let left = this.primary();
    for (let i = ops.length - 3; i >= 0; i -= 3) {
      const k = ops[i];
      const q = k === T.BANG ? P_UNOT : k === T.TILDE ? P_TILDE : P_UMINUS;
      this.depth--;
      const operand = this.operators(left, q, line, col);
      line = ops[i + 1];
      col = ops[i + 2];
      left = special(OP_TEXT[k], [arg(null, operand)], "unary", line, col);
    }
    return left;
  }

  /**
   * Extends `left`, which starts at `line`:`col`, over binary and postfix
   * operators that bind tighter than `p`.
   */
  private operators(left: RNode, p: number, line: number, col: number): RNode {
    for (;;) {
      const k = this.peek();
      const q = PREC[k];
      if (q === 0 || q < p) return left;
      if (q === p) {
        const assoc = ASSOC[q];
        if (assoc === LEFT) return left;
        if (assoc === NONASSOC) throw this.unexpected();
      }
      this.la = false;
      left = this.infix(left, k, q, line, col);
      if (k === T.PIPE) { // the call a pipe builds is positioned at its right-hand side
        line = left.line;
        col = left.col;
      }
    }
  }

  /**
   * The operator `k` of precedence `q`, just consumed, applied to `left`,
   * which starts at `line`:`col`.
   */
  private infix(left: RNode, k: TokenKind, q: number, line: number, col: number): RNode {
    const lx = this.lx;
    const opLine = lx.line;
    const opCol = lx.col;
    switch (k) {
      case T.LPAREN:
        return this.funcall(left, this.sublist(T.RPAREN, null), line, col);
      case T.LBRACKET: {
        const args = this.sublist(T.RBRACKET, arg(null, left));
        return call(sym("[", false, opLine, opCol), args, "index", line, col);
      }
      case T.LBB: {
        const args = this.sublist(T.RBRACKET, arg(null, left));
        this.expect(T.RBRACKET);
        return call(sym("[[", false, opLine, opCol), args, "index", line, col);
      }
      case T.DOLLAR:
      case T.AT: {
        const name = this.take();
        if (name !== T.SYMBOL && name !== T.STR_CONST) throw this.unexpected();
        this.shift(2);
        return binary(OP_TEXT[k], left, this.leaf(), line, col);
      }
    }
    const op = lx.opName();
    const rhs = this.expr(q, 2);
    switch (k) {
      case T.PIPE:
        return buildPipe(left, rhs);
      case T.PIPEBIND:
        throw plainError(
          "semantic",
          "'=>' is disabled; set '_R_USE_PIPEBIND_' envvar to a true value to enable it",
          opLine,
          opCol,
        );
      case T.RIGHT_ASSIGN:
        return binary(op, rhs, left, line, col);
    }
    return binary(op, left, rhs, line, col);
  }

  /**
   * R's `xxfuncall`: a string in call position becomes a name (so does
   * `NA_character_`, as `NA`); `f()` has no arguments.
   */
  private funcall(fn: RNode, args: RArg[], line: number, col: number): RCall {
    if (fn.type === "num" && fn.text === "NA_character_") {
      fn = sym("NA", false, line, col);
    } else if (fn.type === "str") {
      checkName(fn.value, utf8ByteLength(fn.value), line, col);
      fn = sym(fn.value, true, line, col);
    }
    if (args.length === 1 && args[0].value === null && args[0].name === null) args = [];
    return call(fn, args, "call", line, col);
  }

  // ---- primaries ----------------------------------------------------------

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

  /** The operand an operator applies to, starting with the look-ahead token. */
  private primary(): RNode {
    const lx = this.lx;
    const k = lx.kind;
    const line = lx.line;
    const col = lx.col;
    if (startsExpr(k)) this.shift(0);
    this.la = false;
    switch (k) {
      case T.SYMBOL:
      case T.STR_CONST:
        return this.namespaced(this.leaf(), line, col);
      case T.NUM_CONST:
      case T.NULL_CONST:
      case T.PLACEHOLDER:
        return this.leaf();
      case T.LBRACE:
        return braces(this, line, col);
      case T.LPAREN: {
        const inner = this.eoah(P_NONE, 1);
        this.expect(T.RPAREN);
        return special("(", [arg(null, inner)], "paren", line, col);
      }
      case T.QUESTION:
        return special("?", [arg(null, this.eoah(P_HELP, 1))], "unary", line, col);
      case T.FUNCTION:
      case T.BACKSLASH:
        return functionDef(this, k === T.BACKSLASH, line, col);
      case T.IF:
        return ifExpr(this, line, col);
      case T.FOR:
        return forExpr(this, line, col);
      case T.WHILE:
        return whileExpr(this, line, col);
      case T.REPEAT:
        return repeatExpr(this, line, col);
      case T.NEXT:
        return special("next", [], "keyword", line, col);
      case T.BREAK:
        return special("break", [], "keyword", line, col);
    }
    throw this.unexpected();
  }

  /** `left` (a name or string just consumed, at `line`:`col`), or `left::name` / `left:::name`. */
  private namespaced(left: RNode, line: number, col: number): RNode {
    const k = this.peek();
    if (k !== T.NS_GET && k !== T.NS_GET_INT) return left;
    this.la = false;
    const name = this.take();
    if (name !== T.SYMBOL && name !== T.STR_CONST) throw this.unexpected();
    this.shift(2);
    return binary(OP_TEXT[k], left, this.leaf(), line, col);
  }

  /**
   * `sublist` up to `close`, after `first` if not null; after each `,`
   * newlines are skipped (the rule `cr`).
   */
  private sublist(close: TokenKind, first: RArg | null): RArg[] {
    const args: RArg[] = first === null ? [] : [first];
    let below = 2; // expr '(' before the first argument, expr '(' sublist cr ',' after
    for (;;) {
      this.depth += below;
      args.push(this.sub());
      this.depth -= below;
      if (this.peek() !== T.COMMA) break;
      this.la = false;
      this.lexer.eatLines = true;
      below = 5;
    }
    this.expect(close);
    return args;
  }

  /** One argument: empty, `expr_or_help`, or `name =` with an optional value. */
  private sub(): RArg {
    const lx = this.lx;
    const k = this.peek();
    if (k === T.NUM_CONST) {
      const first = this.leaf();
      this.la = false;
      return arg(null, this.eohFrom(first, false, lx.line, lx.col));
    }
    if (k !== T.SYMBOL && k !== T.STR_CONST && k !== T.NULL_CONST) {
      return arg(null, startsExpr(k) ? this.eoh(P_NONE, 0) : null);
    }
    // A name, string or NULL: the argument's name if `=` follows, else the start of its value.
    const line = lx.line;
    const col = lx.col;
    const quoted = lx.value !== null;
    const text = k === T.SYMBOL ? lx.name() : k === T.STR_CONST ? lx.value! : "NULL";
    this.la = false;
    if (this.peek() !== T.EQ_ASSIGN) {
      const first = k === T.SYMBOL
        ? sym(text, quoted, line, col)
        : k === T.STR_CONST
        ? str(text, line, col)
        : nul(line, col);
      return arg(null, this.eohFrom(first, k !== T.NULL_CONST, line, col));
    }
    this.la = false;
    const value = startsExpr(this.peek()) ? this.eoh(P_NONE, 2) : null;
    if (k === T.STR_CONST) checkName(text, utf8ByteLength(text), line, col);
    return arg(text, value);
  }

  /**
   * The `expr_or_help` whose first token, a constant or name read as
   * `first`, is consumed and the token after it read: the checks and
   * operators {@link eoh} would apply had it started there.
   */
  private eohFrom(first: RNode, name: boolean, line: number, col: number): RNode {
    if (++this.nesting > MAX_NESTING) throw plainError("limit", TOO_DEEP, line, col);
    if (this.depth + 1 >= MAX_STACK) this.outOfMemory(line, col);
    let left = first;
    let next = this.peek();
    if (name && (next === T.NS_GET || next === T.NS_GET_INT)) {
      left = this.namespaced(left, line, col);
      next = this.peek();
    }
    if (PREC[next] !== 0) left = this.operators(left, P_NONE, line, col);
    this.nesting--;
    return this.peek() === T.QUESTION ? this.help(left, P_NONE) : left;
  }
}
