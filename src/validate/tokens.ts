/**
 * Token kinds of R's lexer (gram.y, R 4.2), the words R's `yyerror()` uses
 * for them in "unexpected ..." messages, and the keyword lookup.
 *
 * The lookup tables here and in the lexer and parser are plain arrays typed
 * `readonly`, not frozen: V8 reads the elements of a frozen array several
 * times slower.
 *
 * @module
 */

/** Token kinds, numbered for fast table lookups. */
export const T = {
  END: 0,
  ERROR: 1,
  UNDEFINED: 2,
  INCOMPLETE_STRING: 3,
  STR_CONST: 4,
  NUM_CONST: 5,
  NULL_CONST: 6,
  SYMBOL: 7,
  PLACEHOLDER: 8,
  FUNCTION: 9,
  LEFT_ASSIGN: 10,
  EQ_ASSIGN: 11,
  RIGHT_ASSIGN: 12,
  LBB: 13,
  FOR: 14,
  IN: 15,
  IF: 16,
  ELSE: 17,
  WHILE: 18,
  NEXT: 19,
  BREAK: 20,
  REPEAT: 21,
  GT: 22,
  GE: 23,
  LT: 24,
  LE: 25,
  EQ: 26,
  NE: 27,
  AND: 28,
  OR: 29,
  AND2: 30,
  OR2: 31,
  NS_GET: 32,
  NS_GET_INT: 33,
  PIPE: 34,
  PIPEBIND: 35,
  SPECIAL: 36,
  NEWLINE: 37,
  SEMI: 38,
  COMMA: 39,
  LPAREN: 40,
  RPAREN: 41,
  LBRACE: 42,
  RBRACE: 43,
  LBRACKET: 44,
  RBRACKET: 45,
  QUESTION: 46,
  TILDE: 47,
  PLUS: 48,
  MINUS: 49,
  STAR: 50,
  SLASH: 51,
  CARET: 52,
  DOLLAR: 53,
  AT: 54,
  BANG: 55,
  COLON: 56,
  BACKSLASH: 57,
} as const;

/** One of the values of {@link T}. */
export type TokenKind = typeof T[keyof typeof T];

const NAMES: readonly string[] = (() => {
  const n: string[] = [];
  n[T.END] = "end of input";
  n[T.ERROR] = "input";
  n[T.UNDEFINED] = "input";
  n[T.INCOMPLETE_STRING] = "INCOMPLETE_STRING";
  n[T.STR_CONST] = "string constant";
  n[T.NUM_CONST] = "numeric constant";
  n[T.NULL_CONST] = "'NULL'";
  n[T.SYMBOL] = "symbol";
  n[T.PLACEHOLDER] = "input";
  n[T.FUNCTION] = "'function'";
  n[T.LEFT_ASSIGN] = "assignment";
  n[T.EQ_ASSIGN] = "'='";
  n[T.RIGHT_ASSIGN] = "'->'";
  n[T.LBB] = "'[['";
  n[T.FOR] = "'for'";
  n[T.IN] = "'in'";
  n[T.IF] = "'if'";
  n[T.ELSE] = "'else'";
  n[T.WHILE] = "'while'";
  n[T.NEXT] = "'next'";
  n[T.BREAK] = "'break'";
  n[T.REPEAT] = "'repeat'";
  n[T.GT] = "'>'";
  n[T.GE] = "'>='";
  n[T.LT] = "'<'";
  n[T.LE] = "'<='";
  n[T.EQ] = "'=='";
  n[T.NE] = "'!='";
  n[T.AND] = "'&'";
  n[T.OR] = "'|'";
  n[T.AND2] = "'&&'";
  n[T.OR2] = "'||'";
  n[T.NS_GET] = "'::'";
  n[T.NS_GET_INT] = "':::'";
  n[T.PIPE] = "'|>'";
  n[T.PIPEBIND] = "'=>'";
  n[T.SPECIAL] = "SPECIAL";
  n[T.NEWLINE] = "end of line";
  n[T.SEMI] = "';'";
  n[T.COMMA] = "','";
  n[T.LPAREN] = "'('";
  n[T.RPAREN] = "')'";
  n[T.LBRACE] = "'{'";
  n[T.RBRACE] = "'}'";
  n[T.LBRACKET] = "'['";
  n[T.RBRACKET] = "']'";
  n[T.QUESTION] = "'?'";
  n[T.TILDE] = "'~'";
  n[T.PLUS] = "'+'";
  n[T.MINUS] = "'-'";
  n[T.STAR] = "'*'";
  n[T.SLASH] = "'/'";
  n[T.CARET] = "'^'";
  n[T.DOLLAR] = "'$'";
  n[T.AT] = "'@'";
  n[T.BANG] = "'!'";
  n[T.COLON] = "':'";
  n[T.BACKSLASH] = "'\\\\'";
  return Object.freeze(n);
})();

/**
 * The function name R uses for an operator token whose spelling is fixed
 * (`**` is `^`); empty for the others (`<-`/`<<-`/`:=`, `->`/`->>`,
 * `%op%`, non-operators).
 */
export const OP_TEXT: readonly string[] = (() => {
  const o: string[] = new Array(64).fill("");
  o[T.EQ_ASSIGN] = "=";
  o[T.LBB] = "[[";
  o[T.GT] = ">";
  o[T.GE] = ">=";
  o[T.LT] = "<";
  o[T.LE] = "<=";
  o[T.EQ] = "==";
  o[T.NE] = "!=";
  o[T.AND] = "&";
  o[T.OR] = "|";
  o[T.AND2] = "&&";
  o[T.OR2] = "||";
  o[T.NS_GET] = "::";
  o[T.NS_GET_INT] = ":::";
  o[T.PIPE] = "|>";
  o[T.PIPEBIND] = "=>";
  o[T.LPAREN] = "(";
  o[T.LBRACE] = "{";
  o[T.LBRACKET] = "[";
  o[T.QUESTION] = "?";
  o[T.TILDE] = "~";
  o[T.PLUS] = "+";
  o[T.MINUS] = "-";
  o[T.STAR] = "*";
  o[T.SLASH] = "/";
  o[T.CARET] = "^";
  o[T.DOLLAR] = "$";
  o[T.AT] = "@";
  o[T.BANG] = "!";
  o[T.COLON] = ":";
  return o;
})();

/** R's wording for an unexpected token: `"unexpected symbol"`, `"unexpected '{'"`. */
export function unexpectedMessage(kind: TokenKind): string {
  return `unexpected ${NAMES[kind]}`;
}

/** Whether `src` holds the ASCII text `word` from `start`. */
function at(src: string, start: number, word: string): boolean {
  for (let i = 1; i < word.length; i++) {
    if (src.charCodeAt(start + i) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Per ASCII character, one bit per length of the keywords and constant
 * names (`TRUE`, `NA_real_` ...) starting with it: a name whose bit is not
 * set is a plain symbol without looking further.
 */
export const KEYWORD_LENGTHS: readonly number[] = (() => {
  const t: number[] = new Array(128).fill(0);
  for (
    const w of [
      "if",
      "in",
      "NA",
      "for",
      "Inf",
      "NaN",
      "else",
      "next",
      "NULL",
      "TRUE",
      "while",
      "break",
      "FALSE",
      "repeat",
      "function",
      "NA_real_",
      "NA_integer_",
      "NA_complex_",
      "NA_character_",
    ]
  ) t[w.charCodeAt(0)] |= 1 << w.length;
  return t;
})();

/**
 * The token kind R's `KeywordLookup()` gives the name `src[start, end)`: a
 * keyword's kind, else `SYMBOL`. Compares character codes, not strings, as
 * this runs for every name.
 */
export function keywordKind(src: string, start: number, end: number): TokenKind {
  const first = src.charCodeAt(start);
  switch (end - start) {
    case 2:
      if (first === 105) { // i
        const c = src.charCodeAt(start + 1);
        return c === 102 ? T.IF : c === 110 ? T.IN : T.SYMBOL;
      }
      return first === 78 && src.charCodeAt(start + 1) === 65 ? T.NUM_CONST : T.SYMBOL; // NA
    case 3:
      if (first === 102) return at(src, start, "for") ? T.FOR : T.SYMBOL;
      if (first === 73) return at(src, start, "Inf") ? T.NUM_CONST : T.SYMBOL;
      if (first === 78) return at(src, start, "NaN") ? T.NUM_CONST : T.SYMBOL;
      return T.SYMBOL;
    case 4:
      if (first === 101) return at(src, start, "else") ? T.ELSE : T.SYMBOL;
      if (first === 110) return at(src, start, "next") ? T.NEXT : T.SYMBOL;
      if (first === 78) return at(src, start, "NULL") ? T.NULL_CONST : T.SYMBOL;
      if (first === 84) return at(src, start, "TRUE") ? T.NUM_CONST : T.SYMBOL;
      return T.SYMBOL;
    case 5:
      if (first === 119) return at(src, start, "while") ? T.WHILE : T.SYMBOL;
      if (first === 98) return at(src, start, "break") ? T.BREAK : T.SYMBOL;
      if (first === 70) return at(src, start, "FALSE") ? T.NUM_CONST : T.SYMBOL;
      return T.SYMBOL;
    case 6:
      return first === 114 && at(src, start, "repeat") ? T.REPEAT : T.SYMBOL;
    case 8:
      if (first === 102) return at(src, start, "function") ? T.FUNCTION : T.SYMBOL;
      return first === 78 && at(src, start, "NA_real_") ? T.NUM_CONST : T.SYMBOL;
    case 11:
      return first === 78 && (at(src, start, "NA_integer_") || at(src, start, "NA_complex_"))
        ? T.NUM_CONST
        : T.SYMBOL;
    case 13:
      return first === 78 && at(src, start, "NA_character_") ? T.NUM_CONST : T.SYMBOL;
  }
  return T.SYMBOL;
}
