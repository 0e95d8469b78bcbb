/**
 * Precedence and associativity from gram.y's declarations (R 4.2), lowest
 * first: `?`; `function`/loops (LOW); `if`; `else`; `<-`; `=`; `->`; `~`;
 * `||` `|`; `&&` `&`; `!`; comparisons (non-associative); `+` `-`; `*` `/`;
 * `%op%` `|>`; `=>`; `:`; unary `-` `+`; `^` (right); `$` `@`; `::`;
 * `(` `[` `[[`.
 *
 * @module
 */
import { T, type TokenKind } from "./tokens.ts";

/** Left associativity. */
export const LEFT = 0;
/** Right associativity. */
export const RIGHT = 1;
/** No associativity: equal precedence is an error. */
export const NONASSOC = 2;

/** Precedence of binary and postfix tokens; 0 = not one. */
export const PREC: readonly number[] = (() => {
  const p: number[] = new Array(64).fill(0);
  p[T.LEFT_ASSIGN] = 5;
  p[T.RIGHT_ASSIGN] = 7;
  p[T.TILDE] = 8;
  p[T.OR] = p[T.OR2] = 9;
  p[T.AND] = p[T.AND2] = 10;
  p[T.GT] =
    p[T.GE] =
    p[T.LT] =
    p[T.LE] =
    p[T.EQ] =
    p[T.NE] =
      12;
  p[T.PLUS] = p[T.MINUS] = 13;
  p[T.STAR] = p[T.SLASH] = 14;
  p[T.SPECIAL] = p[T.PIPE] = 15;
  p[T.PIPEBIND] = 16;
  p[T.COLON] = 17;
  p[T.CARET] = 19;
  p[T.DOLLAR] = p[T.AT] = 20;
  p[T.LPAREN] = p[T.LBRACKET] = p[T.LBB] = 22;
  return p;
})();

/** Associativity of each precedence level. */
export const ASSOC: readonly number[] = (() => {
  const a: number[] = new Array(32).fill(LEFT);
  a[5] = RIGHT;
  a[12] = NONASSOC;
  a[19] = RIGHT;
  a[22] = NONASSOC;
  return a;
})();

/** Rule precedence: no competing reduction, so extend over everything. */
export const P_NONE = 0;
/** Rule precedence of `?` (unary and binary help). */
export const P_HELP = 1;
/** Rule precedence of `function`, `\(x)`, `for`, `while`, `repeat` (gram.y's LOW). */
export const P_LOW = 2;
/** Rule precedence of `if` without `else`. */
export const P_IF = 3;
/** Rule precedence of `if ... else`. */
export const P_ELSE = 4;
/** Rule precedence of `=`. */
export const P_EQ_ASSIGN = 6;
/** Rule precedence of unary `~`. */
export const P_TILDE = 8;
/** Rule precedence of `!`. */
export const P_UNOT = 11;
/** Rule precedence of unary `-` and `+`. */
export const P_UMINUS = 18;

/** Whether a token can start an expression. */
export function startsExpr(k: TokenKind): boolean {
  switch (k) {
    case T.NUM_CONST:
    case T.STR_CONST:
    case T.NULL_CONST:
    case T.PLACEHOLDER:
    case T.SYMBOL:
    case T.LBRACE:
    case T.LPAREN:
    case T.MINUS:
    case T.PLUS:
    case T.BANG:
    case T.TILDE:
    case T.QUESTION:
    case T.FUNCTION:
    case T.BACKSLASH:
    case T.IF:
    case T.FOR:
    case T.WHILE:
    case T.REPEAT:
    case T.NEXT:
    case T.BREAK:
      return true;
  }
  return false;
}
