/**
 * Operators and punctuation as R's `token()` (gram.y, R 4.2) reads them:
 * after the first character it looks at the next one with `nextchar`,
 * which reads it and gives it back when it does not match (R's context
 * buffer records that read). `**` is R's `^`, `:=` an assignment, `<<`
 * without `-` and `=>` the pipe bind (refused later by the parser).
 *
 * @module
 */
import type { SourceReader } from "./reader.ts";
import { T, type TokenKind } from "./tokens.ts";

/** The operator or punctuation token whose first character `c` was just read. */
export function lexOperator(r: SourceReader, c: number): TokenKind {
  switch (c) {
    case 60: // <
      if (r.nextchar(61)) return T.LE;
      if (r.nextchar(45)) return T.LEFT_ASSIGN;
      if (r.nextchar(60)) return r.nextchar(45) ? T.LEFT_ASSIGN : T.ERROR;
      return T.LT;
    case 45: // -
      if (r.nextchar(62)) {
        r.nextchar(62);
        return T.RIGHT_ASSIGN;
      }
      return T.MINUS;
    case 62: // >
      return r.nextchar(61) ? T.GE : T.GT;
    case 33: // !
      return r.nextchar(61) ? T.NE : T.BANG;
    case 61: // =
      if (r.nextchar(61)) return T.EQ;
      return r.nextchar(62) ? T.PIPEBIND : T.EQ_ASSIGN;
    case 58: // :
      if (r.nextchar(58)) return r.nextchar(58) ? T.NS_GET_INT : T.NS_GET;
      return r.nextchar(61) ? T.LEFT_ASSIGN : T.COLON;
    case 38: // &
      return r.nextchar(38) ? T.AND2 : T.AND;
    case 124: // |
      if (r.nextchar(124)) return T.OR2;
      return r.nextchar(62) ? T.PIPE : T.OR;
    case 123:
      return T.LBRACE;
    case 125:
      return T.RBRACE;
    case 40:
      return T.LPAREN;
    case 41:
      return T.RPAREN;
    case 91:
      return r.nextchar(91) ? T.LBB : T.LBRACKET;
    case 93:
      return T.RBRACKET;
    case 63:
      return T.QUESTION;
    case 42: // * and ** (which R reads as ^)
      return r.nextchar(42) ? T.CARET : T.STAR;
    case 43:
      return T.PLUS;
    case 47:
      return T.SLASH;
    case 94:
      return T.CARET;
    case 126:
      return T.TILDE;
    case 36:
      return T.DOLLAR;
    case 64:
      return T.AT;
    case 92:
      return T.BACKSLASH;
    case 10:
      return T.NEWLINE;
    case 44:
      return T.COMMA;
    case 59:
      return T.SEMI;
  }
  return c < 0x80 ? T.UNDEFINED : T.ERROR;
}

/**
 * The kind of an operator starting with the ASCII character `c` followed by
 * the ASCII character `d`, as {@link lexOperator} would read it, for the
 * operators whose reading ends at `d` at the latest: `kind * 2 + 1` when R
 * reads `c` alone (and gives `d` back), `kind * 2 + 2` when it reads both.
 * 0 for `<<`, `->` and `::`, which may take a third character, and for
 * characters that do not start such an operator.
 */
export function shortOperator(c: number, d: number): number {
  switch (c) {
    case 60: // <
      if (d === 60) return 0;
      return d === 61 ? T.LE * 2 + 2 : d === 45 ? T.LEFT_ASSIGN * 2 + 2 : T.LT * 2 + 1;
    case 45: // -
      return d === 62 ? 0 : T.MINUS * 2 + 1;
    case 62: // >
      return d === 61 ? T.GE * 2 + 2 : T.GT * 2 + 1;
    case 33: // !
      return d === 61 ? T.NE * 2 + 2 : T.BANG * 2 + 1;
    case 61: // =
      return d === 61 ? T.EQ * 2 + 2 : d === 62 ? T.PIPEBIND * 2 + 2 : T.EQ_ASSIGN * 2 + 1;
    case 58: // :
      if (d === 58) return 0;
      return d === 61 ? T.LEFT_ASSIGN * 2 + 2 : T.COLON * 2 + 1;
    case 38: // &
      return d === 38 ? T.AND2 * 2 + 2 : T.AND * 2 + 1;
    case 124: // |
      return d === 124 ? T.OR2 * 2 + 2 : d === 62 ? T.PIPE * 2 + 2 : T.OR * 2 + 1;
    case 91: // [
      return d === 91 ? T.LBB * 2 + 2 : T.LBRACKET * 2 + 1;
    case 42: // *
      return d === 42 ? T.CARET * 2 + 2 : T.STAR * 2 + 1;
  }
  return 0;
}
