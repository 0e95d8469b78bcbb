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
 * The parser is built in three levels: `token_reader.ts` (the look-ahead token, the
 * stack and nesting limits, leaves), `operand_parser.ts` (operands and call arguments) and
 * this file (the expression levels and operators). The compound constructs (`{}`, `if`,
 * loops, `function`) are in `parse_compound.ts`. For speed, a name or constant followed by
 * no operator is taken without going through the operator rules, positions are passed down
 * rather than read back from nodes, and no token objects exist: the current token is the
 * scanner's fields.
 *
 * @module
 */
import type { RNode, RProgram } from "./ast.ts";
import {
  arg as arg_,
  binary as binary_,
  call as call_,
  special as special_,
  sym as sym_,
} from "./ast_build.ts";
import { OperandParser } from "./operand_parser.ts";
import { plainError } from "./parse_error.ts";
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
} from "./precedence.ts";
import { MAX_NESTING as MAX_NESTING_, TOO_DEEP as TOO_DEEP_ } from "./token_reader.ts";
import { OP_TEXT as OP_TEXT_, T as T_, type TokenKind } from "./tokens.ts";

// V8 reads an imported binding through its module cell at every use, while it folds a
// module constant; re-binding the imports this module uses on its hot path saves about
// 7% of validateCode's time.
const arg = arg_;
const binary = binary_;
const call = call_;
const special = special_;
const sym = sym_;
const ASSOC = ASSOC_;
const LEFT = LEFT_;
const NONASSOC = NONASSOC_;
const P_NONE = P_NONE_;
const PREC = PREC_;
const OP_TEXT = OP_TEXT_;
const T = T_;
const MAX_NESTING = MAX_NESTING_;
const TOO_DEEP = TOO_DEEP_;

/**
 * Parses R source text into an {@link RProgram}, throwing `ParseAbort` on error.
 *
 * The look-ahead token is the lexer's current token (see `TokenReader`), and the operands
 * come from {@link OperandParser}; this level adds the program and the expression levels.
 */
export class Parser extends OperandParser {
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
  protected help(left: RNode, p: number): RNode {
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
  protected operators(left: RNode, p: number, line: number, col: number): RNode {
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
}
