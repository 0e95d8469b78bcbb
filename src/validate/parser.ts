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
 * @module
 */
import type { RArg, RCall, RNode, RParam, RProgram } from "./ast.ts";
import { arg, binary, call, keyword, sym } from "./ast_build.ts";
import { checkName } from "./lex_string.ts";
import { Lexer } from "./lexer.ts";
import { type ParseAbort, plainError, syntaxError } from "./parse_error.ts";
import { buildPipe, findPlaceholder } from "./pipe.ts";
import {
  ASSOC,
  LEFT,
  NONASSOC,
  opName,
  P_ELSE,
  P_EQ_ASSIGN,
  P_HELP,
  P_IF,
  P_LOW,
  P_NONE,
  P_TILDE,
  P_UMINUS,
  P_UNOT,
  PREC,
  startsExpr,
} from "./precedence.ts";
import { T, type Token, type TokenKind, unexpectedMessage } from "./tokens.ts";

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

/** Parses R source text into an {@link RProgram}, throwing {@link ParseAbort} on error. */
export class Parser {
  private readonly lexer: Lexer;
  private la: Token | null = null;
  /** Symbols bison would hold for the enclosing, unfinished rules. */
  private depth = 0;
  /** Recursion depth of {@link expr}. */
  private nesting = 0;

  /** Prepares to parse `code` as `parse(text = code)`. */
  constructor(code: string) {
    this.lexer = new Lexer(code);
  }

  /** Parses every top-level expression. */
  parseProgram(): RProgram {
    const exprs: RNode[] = [];
    for (;;) {
      this.lexer.reset();
      const t = this.next();
      if (t.kind === T.END) break;
      if (t.kind === T.NEWLINE) continue;
      const e = this.eoah(t, P_NONE);
      const end = this.next();
      if (end.kind !== T.NEWLINE && end.kind !== T.SEMI) throw this.unexpected(end);
      const ph = this.lexer.sawPlaceholder ? findPlaceholder(e) : null;
      if (ph) throw plainError("semantic", "invalid use of pipe placeholder", ph.line, ph.col);
      exprs.push(e);
    }
    return { exprs };
  }

  // ---- tokens -------------------------------------------------------------

  private peek(): Token {
    return this.la ??= this.lexer.next();
  }

  private next(): Token {
    const t = this.peek();
    this.la = null;
    return t;
  }

  private expect(kind: TokenKind): Token {
    const t = this.next();
    if (t.kind !== kind) throw this.unexpected(t);
    return t;
  }

  private unexpected(t: Token): ParseAbort {
    const lx = this.lexer;
    return syntaxError(lx.reader, lx.filename, unexpectedMessage(t.kind), t.line, t.col);
  }

  /** R fails when shifting `t` would put {@link MAX_STACK} symbols on bison's stack. */
  private shift(t: Token, below = 0): void {
    if (this.depth + below + 1 >= MAX_STACK) {
      throw plainError("limit", "out of memory while parsing", t.line, t.col);
    }
  }

  // ---- expression levels --------------------------------------------------

  /** `expr_or_assign_or_help` starting with the consumed token `t`, ending a rule of precedence `p`. */
  private eoah(t: Token, p: number, below = 0): RNode {
    this.depth += below;
    let left = this.expr(t, P_NONE);
    for (;;) {
      const k = this.peek().kind;
      if (k === T.EQ_ASSIGN) { // '=' binds tighter than every rule that ends here
        this.next();
        const rhs = this.eoah(this.next(), P_EQ_ASSIGN, 2);
        left = binary("=", left, rhs);
      } else if (k === T.QUESTION && p === P_NONE) {
        this.next();
        const rhs = this.eoah(this.next(), P_HELP, 2);
        left = binary("?", left, rhs);
      } else {
        this.depth -= below;
        return left;
      }
    }
  }

  /** `expr_or_help` starting with `t`; `p` is P_NONE or P_HELP. */
  private eoh(t: Token, p: number, below = 0): RNode {
    this.depth += below;
    let left = this.expr(t, P_NONE);
    while (p === P_NONE && this.peek().kind === T.QUESTION) {
      this.next();
      const rhs = this.eoh(this.next(), P_HELP, 2);
      left = binary("?", left, rhs);
    }
    this.depth -= below;
    return left;
  }

  /** `expr` starting with `t`, as the last part of a rule of precedence `p`. */
  private expr(t: Token, p: number, below = 0): RNode {
    if (++this.nesting > MAX_NESTING) throw plainError("limit", TOO_DEEP, t.line, t.col);
    this.depth += below;
    // Chains of unary operators are read in a loop, not by recursion.
    let prefix: Token[] | null = null;
    while (t.kind === T.MINUS || t.kind === T.PLUS || t.kind === T.BANG || t.kind === T.TILDE) {
      this.shift(t);
      (prefix ??= []).push(t);
      this.depth++;
      t = this.next();
    }
    let left = this.primary(t);
    if (prefix !== null) {
      for (let i = prefix.length - 1; i >= 0; i--) {
        const op = prefix[i];
        const q = op.kind === T.BANG ? P_UNOT : op.kind === T.TILDE ? P_TILDE : P_UMINUS;
        this.depth--;
        left = call(sym(op.text, op), [arg(this.operators(left, q))], "unary", op);
      }
    }
    left = this.operators(left, p);
    this.depth -= below;
    this.nesting--;
    return left;
  }

  /** Extends `left` over binary and postfix operators that bind tighter than `p`. */
  private operators(left: RNode, p: number): RNode {
    for (;;) {
      const op = this.peek();
      const q = PREC[op.kind];
      if (!q || q < p) return left;
      if (q === p) {
        const assoc = ASSOC[q];
        if (assoc === LEFT) return left;
        if (assoc === NONASSOC) throw this.unexpected(op);
      }
      this.next();
      left = this.infix(left, op, q);
    }
  }

  private infix(left: RNode, op: Token, q: number): RNode {
    switch (op.kind) {
      case T.LPAREN:
        return this.funcall(left, this.sublist(T.RPAREN));
      case T.LBRACKET:
        return call(sym("[", op), [arg(left), ...this.sublist(T.RBRACKET)], "index", left);
      case T.LBB: {
        const args = this.sublist(T.RBRACKET);
        this.expect(T.RBRACKET);
        return call(sym("[[", op), [arg(left), ...args], "index", left);
      }
      case T.DOLLAR:
      case T.AT: {
        const t = this.next();
        if (t.kind !== T.SYMBOL && t.kind !== T.STR_CONST) throw this.unexpected(t);
        this.shift(t, 2);
        return binary(op.text, left, this.leaf(t));
      }
    }
    const rhs = this.expr(this.next(), q, 2);
    switch (op.kind) {
      case T.PIPE:
        return buildPipe(left, rhs);
      case T.PIPEBIND:
        throw plainError(
          "semantic",
          "'=>' is disabled; set '_R_USE_PIPEBIND_' envvar to a true value to enable it",
          op.line,
          op.col,
        );
      case T.RIGHT_ASSIGN:
        return binary(opName(op), rhs, left, left);
    }
    return binary(opName(op), left, rhs);
  }

  /**
   * R's `xxfuncall`: a string in call position becomes a name (so does
   * `NA_character_`, as `NA`); `f()` has no arguments.
   */
  private funcall(fn: RNode, args: RArg[]): RCall {
    if (fn.type === "num" && fn.text === "NA_character_") {
      fn = { type: "sym", name: "NA", quoted: false, line: fn.line, col: fn.col };
    } else if (fn.type === "str") {
      checkName(fn.value, new TextEncoder().encode(fn.value).length, fn.line, fn.col);
      fn = { type: "sym", name: fn.value, quoted: true, line: fn.line, col: fn.col };
    }
    if (args.length === 1 && args[0].value === null && args[0].name === null) args = [];
    return call(fn, args, "call", fn);
  }

  // ---- primaries ----------------------------------------------------------

  private leaf(t: Token): RNode {
    const { line, col } = t;
    switch (t.kind) {
      case T.STR_CONST:
        return { type: "str", value: t.text, line, col };
      case T.SYMBOL:
        return {
          type: "sym",
          name: t.text,
          quoted: this.lexer.reader.src[t.start] === "`",
          line,
          col,
        };
      case T.NUM_CONST:
        return { type: "num", text: t.text, line, col };
      case T.NULL_CONST:
        return { type: "null", line, col };
      case T.PLACEHOLDER:
        return { type: "placeholder", line, col };
    }
    throw this.unexpected(t);
  }

  private primary(t: Token): RNode {
    if (startsExpr(t.kind)) this.shift(t);
    switch (t.kind) {
      case T.SYMBOL:
      case T.STR_CONST: {
        const k = this.peek().kind;
        if (k !== T.NS_GET && k !== T.NS_GET_INT) return this.leaf(t);
        const op = this.next();
        const name = this.next();
        if (name.kind !== T.SYMBOL && name.kind !== T.STR_CONST) throw this.unexpected(name);
        this.shift(name, 2);
        return binary(op.text, this.leaf(t), this.leaf(name));
      }
      case T.NUM_CONST:
      case T.NULL_CONST:
      case T.PLACEHOLDER:
        return this.leaf(t);
      case T.LBRACE:
        return this.braces(t);
      case T.LPAREN: {
        const inner = this.eoah(this.next(), P_NONE, 1);
        this.expect(T.RPAREN);
        return call(sym("(", t), [arg(inner)], "paren", t);
      }
      case T.QUESTION: {
        const operand = this.eoah(this.next(), P_HELP, 1);
        return call(sym("?", t), [arg(operand)], "unary", t);
      }
      case T.FUNCTION:
      case T.BACKSLASH:
        return this.functionDef(t);
      case T.IF:
        return this.ifExpr(t);
      case T.FOR:
        return this.forExpr(t);
      case T.WHILE: {
        const cond = this.condition();
        return keyword("while", t, [cond, this.eoah(this.next(), P_LOW, 2)]);
      }
      case T.REPEAT:
        return keyword("repeat", t, [this.eoah(this.next(), P_LOW, 1)]);
      case T.NEXT:
      case T.BREAK:
        return keyword(t.text, t, []);
    }
    throw this.unexpected(t);
  }

  /** `'{' exprlist '}'`; R's action stops skipping newlines after the `}`. */
  private braces(open: Token): RNode {
    const items: RArg[] = [];
    let below = 1; // '{' before the first item, '{' exprlist separator after
    for (;;) {
      const t = this.next();
      if (t.kind === T.RBRACE) break;
      if (t.kind === T.SEMI || t.kind === T.NEWLINE) {
        below = 3;
        continue;
      }
      items.push(arg(this.eoah(t, P_NONE, below)));
      const k = this.peek().kind;
      if (k !== T.RBRACE && k !== T.SEMI && k !== T.NEWLINE) throw this.unexpected(this.next());
    }
    this.lexer.eatLines = false;
    return call(sym("{", open), items, "brace", open);
  }

  /** `'(' expr_or_help ')'` of `if` and `while`; newlines after it are skipped. */
  private condition(): RNode {
    this.expect(T.LPAREN);
    const cond = this.eoh(this.next(), P_NONE, 2);
    this.expect(T.RPAREN);
    this.lexer.eatLines = true;
    return cond;
  }

  private ifExpr(t: Token): RNode {
    const cond = this.condition();
    const body = this.eoah(this.next(), P_IF, 2);
    if (this.peek().kind !== T.ELSE) return keyword("if", t, [cond, body]);
    this.next();
    return keyword("if", t, [cond, body, this.eoah(this.next(), P_ELSE, 4)]);
  }

  private forExpr(t: Token): RNode {
    this.expect(T.LPAREN);
    const v = this.expect(T.SYMBOL);
    this.expect(T.IN);
    const seq = this.eoh(this.next(), P_NONE, 4);
    this.expect(T.RPAREN);
    this.lexer.eatLines = true;
    const body = this.eoah(this.next(), P_LOW, 2);
    return keyword("for", t, [this.leaf(v), seq, body]);
  }

  private functionDef(t: Token): RNode {
    this.expect(T.LPAREN);
    const params = this.formals();
    this.expect(T.RPAREN);
    this.lexer.eatLines = true; // the empty rule `cr`
    const body = this.eoah(this.next(), P_LOW, 5);
    return {
      type: "function",
      params,
      body,
      lambda: t.kind === T.BACKSLASH,
      line: t.line,
      col: t.col,
    };
  }

  /** `formlist`, checking repeated names as R's `xxaddformal` does. */
  private formals(): RParam[] {
    const params: RParam[] = [];
    let empty = true;
    if (this.peek().kind === T.SYMBOL) {
      params.push(this.formal(this.next(), 2));
      empty = false;
    }
    while (this.peek().kind === T.COMMA) {
      this.next();
      const name = this.expect(T.SYMBOL);
      const p = this.formal(name, 4);
      if (params.some((q) => q.name === p.name)) {
        throw plainError(
          "semantic",
          `repeated formal argument '${p.name}' on line ${name.line}`,
          name.line,
          name.col,
        );
      }
      if (empty) throw plainError("semantic", "bad value", name.line, name.col);
      params.push(p);
    }
    return params;
  }

  /** One formal; `below` counts the symbols before its name on bison's stack. */
  private formal(name: Token, below: number): RParam {
    let dflt: RNode | null = null;
    if (this.peek().kind === T.EQ_ASSIGN) {
      this.next();
      dflt = this.eoh(this.next(), P_NONE, below + 2);
    }
    return { name: name.text, default: dflt, line: name.line, col: name.col };
  }

  /** `sublist` up to `close`; after each `,` newlines are skipped (the rule `cr`). */
  private sublist(close: TokenKind): RArg[] {
    const args: RArg[] = [];
    let below = 2; // expr '(' before the first argument, expr '(' sublist cr ',' after
    for (;;) {
      args.push(this.sub(below));
      if (this.peek().kind !== T.COMMA) break;
      this.next();
      this.lexer.eatLines = true;
      below = 5;
    }
    this.expect(close);
    return args;
  }

  /** One argument: empty, `expr_or_help`, or `name =` with an optional value. */
  private sub(below: number): RArg {
    this.depth += below;
    const a = this.subArg();
    this.depth -= below;
    return a;
  }

  private subArg(): RArg {
    const t = this.peek();
    const k = t.kind;
    if (k === T.SYMBOL || k === T.STR_CONST || k === T.NULL_CONST) {
      this.next();
      if (this.peek().kind !== T.EQ_ASSIGN) return arg(this.eohRest(t));
      this.next();
      const value = startsExpr(this.peek().kind) ? this.eoh(this.next(), P_NONE, 2) : null;
      const name = k === T.NULL_CONST ? "NULL" : t.text;
      if (k === T.STR_CONST) {
        checkName(name, new TextEncoder().encode(name).length, t.line, t.col);
      }
      return { name, value };
    }
    if (!startsExpr(k)) return { name: null, value: null };
    return arg(this.eoh(this.next(), P_NONE));
  }

  /** `expr_or_help` whose first token `t` was consumed and its look-ahead read. */
  private eohRest(t: Token): RNode {
    return this.eoh(t, P_NONE);
  }
}
