/**
 * A reader for SBPL, the S-expression language of Seatbelt profiles, used to read the
 * generated profile back (`seatbelt_profile.ts`): tests check its structure with it, and
 * {@linkcode checkSExpression} checks that it is well-formed.
 *
 * @module
 */

/** A parsed S-expression: a list, a string literal, a regex literal (`#"..."`) or a symbol. */
export type SExpr =
  | { readonly kind: "list"; readonly items: readonly SExpr[] }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "regex"; readonly value: string }
  | { readonly kind: "symbol"; readonly name: string };

/**
 * Parses SBPL text into its top-level forms (comments dropped). Strings take the escapes
 * `\\`, `\"`, `\n`, `\t` and `\r`; any other escaped character stands for itself.
 *
 * @throws {SyntaxError} on an unbalanced parenthesis or an unterminated string, with the
 * line and column.
 */
export function parseSExpression(text: string): SExpr[] {
  const stack: SExpr[][] = [[]];
  const opened: { line: number; column: number }[] = [];
  let line = 1;
  let column = 1;
  const where = () => `line ${line}, column ${column}`;
  const fail = (why: string) => new SyntaxError(`Cannot parse the S-expression: ${why}`);
  let i = 0;
  const advance = () => {
    if (text[i] === "\n") {
      line++;
      column = 1;
    } else column++;
    i++;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === ";") {
      while (i < text.length && text[i] !== "\n") advance();
    } else if (/\s/.test(c)) advance();
    else if (c === "(") {
      stack.push([]);
      opened.push({ line, column });
      advance();
    } else if (c === ")") {
      if (stack.length === 1) throw fail(`unbalanced ")" at ${where()}`);
      const items = stack.pop()!;
      opened.pop();
      stack[stack.length - 1].push({ kind: "list", items });
      advance();
    } else if (c === '"' || (c === "#" && text[i + 1] === '"')) {
      const start = where();
      const kind = c === "#" ? "regex" : "string";
      if (c === "#") advance();
      advance();
      let value = "";
      for (;;) {
        if (i >= text.length) throw fail(`unterminated string starting at ${start}`);
        const d = text[i];
        if (d === '"') break;
        if (d === "\\") {
          advance();
          if (i >= text.length) throw fail(`unterminated string starting at ${start}`);
          const e = text[i];
          value += kind === "regex" ? `\\${e}` : ({ n: "\n", t: "\t", r: "\r" }[e] ?? e);
        } else value += d;
        advance();
      }
      advance();
      stack[stack.length - 1].push({ kind, value });
    } else {
      let name = "";
      while (i < text.length && !/[\s()";]/.test(text[i])) {
        name += text[i];
        advance();
      }
      stack[stack.length - 1].push({ kind: "symbol", name });
    }
  }
  if (stack.length > 1) {
    const o = opened[opened.length - 1];
    throw fail(`unclosed "(" opened at line ${o.line}, column ${o.column}`);
  }
  return stack[0];
}

/**
 * Checks that `text` is well-formed: balanced parentheses and terminated strings.
 *
 * @throws {SyntaxError} describing the first problem and where it is.
 */
export function checkSExpression(text: string): void {
  parseSExpression(text);
}
