/**
 * The compound constructs of R's grammar (gram.y, R 4.2): `{ ... }`, `if`,
 * `for`, `while`, `repeat` and function definitions with their formals, read through
 * the parser's token and expression rules ({@link RuleParser}).
 *
 * Each rule starts after its first token (`{`, `if`, ...) was consumed and
 * runs the grammar actions that steer the lexer at the same points as R:
 * newlines are skipped after a condition and after formals, and no longer
 * after a `}`.
 *
 * @module
 */
import type { RArg, RNode, RParam } from "./ast.ts";
import { arg, special } from "./ast_build.ts";
import type { Lexer } from "./lexer.ts";
import { type ParseAbort, plainError } from "./parse_error.ts";
import { P_ELSE, P_IF, P_LOW, P_NONE } from "./precedence.ts";
import type { Scanner } from "./scanner.ts";
import { T, type TokenKind } from "./tokens.ts";

/** What the rules here use of the parser (see `parser.ts`). */
export interface RuleParser {
  /** The lexer, whose `eatLines` the grammar actions set. */
  readonly lexer: Lexer;
  /** The lexer's scanner, which holds the current token. */
  readonly lx: Scanner;
  /** The look-ahead token's kind, read if needed. */
  peek(): TokenKind;
  /** Consumes the look-ahead token and returns its kind. */
  take(): TokenKind;
  /** Consumes the look-ahead token, which must be `kind`. */
  expect(kind: TokenKind): void;
  /** R's syntax error at the current token. */
  unexpected(): ParseAbort;
  /** `expr_or_assign_or_help` ending a rule of precedence `p`, `below` symbols deeper. */
  eoah(p: number, below: number): RNode;
  /** `expr_or_help` (`p` is P_NONE or P_HELP), `below` symbols deeper. */
  eoh(p: number, below: number): RNode;
  /** The constant or name that is the current token. */
  leaf(): RNode;
}

/** `'{' exprlist '}'`; R's action stops skipping newlines after the `}`. */
export function braces(p: RuleParser, line: number, col: number): RNode {
  const items: RArg[] = [];
  let below = 1; // '{' before the first item, '{' exprlist separator after
  for (;;) {
    const k = p.peek();
    if (k === T.RBRACE) {
      p.take();
      break;
    }
    if (k === T.SEMI || k === T.NEWLINE) {
      p.take();
      below = 3;
      continue;
    }
    items.push(arg(null, p.eoah(P_NONE, below)));
    const end = p.peek();
    if (end !== T.RBRACE && end !== T.SEMI && end !== T.NEWLINE) throw p.unexpected();
  }
  p.lexer.eatLines = false;
  return special("{", items, "brace", line, col);
}

/** `'(' expr_or_help ')'` of `if` and `while`; newlines after it are skipped. */
function condition(p: RuleParser): RNode {
  p.expect(T.LPAREN);
  const cond = p.eoh(P_NONE, 2);
  p.expect(T.RPAREN);
  p.lexer.eatLines = true;
  return cond;
}

/** `if (cond) body`, with `else alt` when the look-ahead after the body is `else`. */
export function ifExpr(p: RuleParser, line: number, col: number): RNode {
  const cond = condition(p);
  const body = p.eoah(P_IF, 2);
  if (p.peek() !== T.ELSE) {
    return special("if", [arg(null, cond), arg(null, body)], "keyword", line, col);
  }
  p.take();
  const alt = p.eoah(P_ELSE, 4);
  return special("if", [arg(null, cond), arg(null, body), arg(null, alt)], "keyword", line, col);
}

/** `while (cond) body`. */
export function whileExpr(p: RuleParser, line: number, col: number): RNode {
  const cond = condition(p);
  const body = p.eoah(P_LOW, 2);
  return special("while", [arg(null, cond), arg(null, body)], "keyword", line, col);
}

/** `repeat body`. */
export function repeatExpr(p: RuleParser, line: number, col: number): RNode {
  return special("repeat", [arg(null, p.eoah(P_LOW, 1))], "keyword", line, col);
}

/** `for (name in seq) body`. */
export function forExpr(p: RuleParser, line: number, col: number): RNode {
  p.expect(T.LPAREN);
  p.expect(T.SYMBOL);
  const v = p.leaf();
  p.expect(T.IN);
  const seq = p.eoh(P_NONE, 4);
  p.expect(T.RPAREN);
  p.lexer.eatLines = true;
  const body = p.eoah(P_LOW, 2);
  return special("for", [arg(null, v), arg(null, seq), arg(null, body)], "keyword", line, col);
}

/** `function(formals) body` or, when `lambda`, `\(formals) body`. */
export function functionDef(p: RuleParser, lambda: boolean, line: number, col: number): RNode {
  p.expect(T.LPAREN);
  const params = formals(p);
  p.expect(T.RPAREN);
  p.lexer.eatLines = true; // the empty rule `cr`
  const body = p.eoah(P_LOW, 5);
  return { type: "function", params, body, lambda, line, col };
}

/** `formlist`, checking repeated names as R's `xxaddformal` does. */
function formals(p: RuleParser): RParam[] {
  const params: RParam[] = [];
  if (p.peek() === T.SYMBOL) {
    p.take();
    params.push(formal(p, 2));
  }
  const empty = params.length === 0;
  while (p.peek() === T.COMMA) {
    p.take();
    p.expect(T.SYMBOL);
    const f = formal(p, 4);
    for (let i = 0; i < params.length; i++) {
      if (params[i].name === f.name) {
        throw plainError(
          "semantic",
          `repeated formal argument '${f.name}' on line ${f.line}`,
          f.line,
          f.col,
        );
      }
    }
    if (empty) throw plainError("semantic", "bad value", f.line, f.col);
    params.push(f);
  }
  return params;
}

/** One formal whose name was just consumed; `below` counts the symbols before it on bison's stack. */
function formal(p: RuleParser, below: number): RParam {
  const lx = p.lx;
  const name = lx.name();
  const line = lx.line;
  const col = lx.col;
  let dflt: RNode | null = null;
  if (p.peek() === T.EQ_ASSIGN) {
    p.take();
    dflt = p.eoh(P_NONE, below + 2);
  }
  return { name, default: dflt, line, col };
}
