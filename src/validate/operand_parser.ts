/**
 * The operands of R's grammar (gram.y, R 4.2), the middle level of the parser (see
 * `parser.ts`): what an operator applies to (constants, names, `pkg::name`, parenthesised
 * expressions, unary `?`, `next`, `break` and the compound constructs of
 * `parse_compound.ts`), and the argument lists of calls and indexing, with R's
 * `xxfuncall` rewriting of the called expression.
 *
 * The expression levels these rules recurse into are abstract here and defined by
 * `Parser`.
 *
 * @module
 */
import type { RArg, RCall, RNode } from "./ast.ts";
import {
  arg as arg_,
  binary as binary_,
  call as call_,
  nul as nul_,
  special as special_,
  str as str_,
  sym as sym_,
} from "./ast_build.ts";
import { utf8ByteLength } from "./char_class.ts";
import { checkName } from "./lex_string.ts";
import {
  braces,
  forExpr,
  functionDef,
  ifExpr,
  repeatExpr,
  type RuleParser,
  whileExpr,
} from "./parse_compound.ts";
import { plainError } from "./parse_error.ts";
import {
  P_HELP,
  P_NONE as P_NONE_,
  PREC as PREC_,
  startsExpr as startsExpr_,
} from "./precedence.ts";
import {
  MAX_NESTING as MAX_NESTING_,
  MAX_STACK as MAX_STACK_,
  TokenReader,
  TOO_DEEP as TOO_DEEP_,
} from "./token_reader.ts";
import { OP_TEXT as OP_TEXT_, T as T_, type TokenKind } from "./tokens.ts";

// V8 reads an imported binding through its module cell at every use, while it folds a
// module constant: the imports used on the hot path are re-bound (see `parser.ts`).
const arg = arg_;
const binary = binary_;
const call = call_;
const nul = nul_;
const special = special_;
const str = str_;
const sym = sym_;
const P_NONE = P_NONE_;
const PREC = PREC_;
const startsExpr = startsExpr_;
const OP_TEXT = OP_TEXT_;
const T = T_;
const MAX_NESTING = MAX_NESTING_;
const MAX_STACK = MAX_STACK_;
const TOO_DEEP = TOO_DEEP_;

/** The operand rules of the parser, on its token level; `Parser` adds the expression levels. */
export abstract class OperandParser extends TokenReader implements RuleParser {
  /** `expr_or_assign_or_help` from the next token, ending a rule of precedence `p`. */
  abstract eoah(p: number, below: number): RNode;

  /** `expr_or_help` from the next token; `p` is P_NONE or P_HELP. */
  abstract eoh(p: number, below: number): RNode;

  /** Binary `?` after the first `expr` of an `expr_or_help`. */
  protected abstract help(left: RNode, p: number): RNode;

  /**
   * Extends `left`, which starts at `line`:`col`, over binary and postfix
   * operators that bind tighter than `p`.
   */
  protected abstract operators(left: RNode, p: number, line: number, col: number): RNode;

  // ---- primaries ----------------------------------------------------------

  /** The operand an operator applies to, starting with the look-ahead token. */
  protected primary(): RNode {
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
  protected namespaced(left: RNode, line: number, col: number): RNode {
    const k = this.peek();
    if (k !== T.NS_GET && k !== T.NS_GET_INT) return left;
    this.la = false;
    const name = this.take();
    if (name !== T.SYMBOL && name !== T.STR_CONST) throw this.unexpected();
    this.shift(2);
    return binary(OP_TEXT[k], left, this.leaf(), line, col);
  }

  // ---- calls and their arguments ------------------------------------------

  /**
   * R's `xxfuncall`: a string in call position becomes a name (so does
   * `NA_character_`, as `NA`); `f()` has no arguments.
   */
  protected funcall(fn: RNode, args: RArg[], line: number, col: number): RCall {
    if (fn.type === "num" && fn.text === "NA_character_") {
      fn = sym("NA", false, line, col);
    } else if (fn.type === "str") {
      checkName(fn.value, utf8ByteLength(fn.value), line, col);
      fn = sym(fn.value, true, line, col);
    }
    if (args.length === 1 && args[0].value === null && args[0].name === null) args = [];
    return call(fn, args, "call", line, col);
  }

  /**
   * `sublist` up to `close`, after `first` if not null; after each `,`
   * newlines are skipped (the rule `cr`).
   */
  protected sublist(close: TokenKind, first: RArg | null): RArg[] {
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
