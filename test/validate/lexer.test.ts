import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Lexer } from "../../src/validate/lexer.ts";
import { T, type TokenKind } from "../../src/validate/tokens.ts";
import { errorOf, tree } from "./show_ast.ts";

const NAMES = Object.fromEntries(Object.entries(T).map(([k, v]) => [v, k])) as Record<
  number,
  string
>;

/** Token kinds and texts of `code` (newline tokens included). */
function lex(code: string): string[] {
  const lx = new Lexer(code);
  const t = lx.scanner;
  const out: string[] = [];
  for (;;) {
    lx.advance();
    if (t.kind === T.END) return out;
    const text = t.text();
    out.push(text ? `${NAMES[t.kind]}:${text}` : NAMES[t.kind]);
  }
}

function kinds(code: string): TokenKind[] {
  const lx = new Lexer(code);
  const out: TokenKind[] = [];
  for (lx.advance(); lx.scanner.kind !== T.END; lx.advance()) out.push(lx.scanner.kind);
  return out;
}

describe("the lexer reads numbers as R does", () => {
  it("accepts decimals, exponents, hex, hex floats and the L and i suffixes", () => {
    for (
      const n of [
        "1",
        "3.14",
        ".5",
        "5.",
        "1e5",
        "1e-3",
        "2E+10",
        "0x1F",
        "0XaB",
        "0x10L",
        "0x1p3",
        "0x1.8p3",
        "0x.8p-1",
        "1L",
        "1e5L",
        "2i",
        "1.5e-2i",
        "0x1i",
      ]
    ) {
      assert.deepEqual(lex(n), [`NUM_CONST:${n}`, "NEWLINE"], n);
    }
  });

  it("keeps 1.5L and 1e-3L, which R accepts with a warning", () => {
    assert.equal(tree("1.5L; 1e-3L; 1.L"), "1.5L; 1e-3L; 1.L");
  });

  it("reads TRUE, NA, Inf and friends as constants and NULL as its own token", () => {
    assert.deepEqual(
      kinds("TRUE FALSE NA NA_integer_ NA_real_ NA_character_ NA_complex_ Inf NaN"),
      [
        ...Array(9).fill(T.NUM_CONST),
        T.NEWLINE,
      ],
    );
    assert.deepEqual(kinds("NULL"), [T.NULL_CONST, T.NEWLINE]);
  });

  it("rejects malformed numbers as 'unexpected input' at their first character", () => {
    assert.match(errorOf("x <- 0x"), /^<text>:1:6: unexpected input/);
    assert.match(errorOf("1e"), /^<text>:1:1: unexpected input/);
    assert.match(errorOf("0x1.8"), /^<text>:1:1: unexpected input/); // a hex fraction needs p
    assert.match(errorOf("0x1p+"), /^<text>:1:1: unexpected input/);
  });

  it("splits where R stops reading a number", () => {
    assert.match(errorOf("1.2.3"), /^<text>:1:4: unexpected numeric constant/);
    assert.match(errorOf("1e5e"), /^<text>:1:4: unexpected symbol/);
    assert.match(errorOf("12L5"), /^<text>:1:4: unexpected numeric constant/);
    assert.match(errorOf("0x1Li"), /^<text>:1:5: unexpected symbol/);
  });
});

describe("the lexer reads strings and escapes as R does", () => {
  it("decodes every escape", () => {
    assert.equal(
      tree(String.raw`"\a\b\f\n\r\t\v\\\"\'\`\ "`),
      JSON.stringify("\x07\b\f\n\r\t\v\\\"'` "),
    );
    assert.equal(tree(String.raw`'\x41\101\7'`), JSON.stringify("AA\x07"));
    assert.equal(tree(String.raw`"\u00e9\u{e9}\U0001F600\U{1F600}"`), JSON.stringify("éé😀😀"));
    assert.equal(errorOf(String.raw`"\u{1F600}"`), String.raw`invalid \u{xxxx} sequence (line 1)`);
  });

  it("allows strings across lines and a backslash before a newline", () => {
    assert.equal(tree("'a\nb'"), JSON.stringify("a\nb"));
    assert.equal(tree("'a\\\nb'"), JSON.stringify("a\nb"));
  });

  it("reads raw strings with (), [], {}, || and dashes", () => {
    assert.equal(tree(String.raw`r"(C:\path)"`), JSON.stringify(String.raw`C:\path`));
    assert.equal(tree(`R"[a]b]"`), JSON.stringify("a]b"));
    assert.equal(tree(`r"---(x)--)---"`), JSON.stringify("x)--"));
    assert.equal(tree(`r'{b}'; r"|c|"`), `"b"; "c"`);
  });

  it("gives R's messages for bad escapes", () => {
    assert.equal(
      errorOf(String.raw`x <- 'ab\q'`),
      String.raw`'\q' is an unrecognized escape in character string starting "'ab\q"`,
    );
    assert.equal(errorOf(String.raw`'\0'`), "nul character not allowed (line 1)");
    assert.equal(errorOf(String.raw`'\u{110000}'`), String.raw`invalid \u{xxxx} sequence (line 1)`);
    assert.equal(
      errorOf(String.raw`'\U{110000}'`),
      String.raw`invalid \U{xxxxxxxx} value 110000 (line 1)`,
    );
    assert.equal(
      errorOf(String.raw`'\400'`),
      String.raw`exceeded maximum allowed octal value \377 (line 1)`,
    );
    assert.equal(
      errorOf(String.raw`'\x'`),
      String.raw`'\x' used without hex digits in character string starting "'\x"`,
    );
    assert.equal(
      errorOf(String.raw`'\u{12}\x41'`),
      "mixing Unicode and octal/hex escapes in a string is not allowed",
    );
    assert.equal(
      errorOf("`\\u0041`"),
      String.raw`\uxxxx sequences not supported inside backticks (line 1)`,
    );
    assert.equal(errorOf(`r"abc"`), "malformed raw string literal at line 1");
  });

  it("reproduces R 4.2 dropping the last digit of a short octal escape from its message", () => {
    assert.equal(
      errorOf(String.raw`'\1\q'`),
      String.raw`'\q' is an unrecognized escape in character string starting "'\\q"`,
    );
  });

  it("shows an escaped non-ASCII character as U+FFFD, as R prints only its first byte", () => {
    assert.equal(
      errorOf("'a\\é'"),
      "'\\\uFFFD' is an unrecognized escape in character string starting \"'a\\\uFFFD\"",
    );
  });

  it("refuses literal bidi formatting characters inside quotes", () => {
    assert.equal(
      errorOf("'\u202e'"),
      "bidi formatting not allowed (line 1), use escapes instead (\\u202e)",
    );
    assert.equal(tree("'\\u202e'"), JSON.stringify("\u202e"));
  });

  it("reports an unterminated string as INCOMPLETE_STRING at its start", () => {
    assert.equal(
      errorOf("x <- 'abc"),
      "<text>:1:6: unexpected INCOMPLETE_STRING\n1: x <- 'abc\n         ^",
    );
  });
});

describe("the lexer reads names, backticks and comments as R does", () => {
  it("reads names with dots, underscores, digits and non-ASCII letters", () => {
    assert.deepEqual(lex("a.b_c ..1 ... .x é 日本 x1"), [
      "SYMBOL:a.b_c",
      "SYMBOL:..1",
      "SYMBOL:...",
      "SYMBOL:.x",
      "SYMBOL:é",
      "SYMBOL:日本",
      "SYMBOL:x1",
      "NEWLINE",
    ]);
  });

  it("reads backticked names with escapes and refuses an empty one", () => {
    assert.equal(tree("`x y` <- `a\\`b`"), "(<- `x y` `a`b`)");
    assert.equal(errorOf("``"), "attempt to use zero-length variable name");
  });

  it("reads _ as the pipe placeholder, not as part of a name", () => {
    assert.deepEqual(kinds("_"), [T.PLACEHOLDER, T.NEWLINE]);
    assert.deepEqual(lex("a_b"), ["SYMBOL:a_b", "NEWLINE"]);
  });

  it("skips comments, so names in them are not read", () => {
    assert.deepEqual(lex("x # system('ls')\ny"), ["SYMBOL:x", "NEWLINE", "SYMBOL:y", "NEWLINE"]);
  });

  it("treats symbols, currency signs, NBSP, CR and VT as unexpected input", () => {
    for (const c of ["€", "©", "\u00a0", "\r", "\v"]) {
      assert.match(errorOf(`a${c}+ b`), /^<text>:1:2: unexpected input/, JSON.stringify(c));
    }
  });

  it("skips form feeds and glibc's blank characters such as U+3000", () => {
    assert.equal(tree("a\f+\u3000b\u2003"), "(+ a b)");
  });
});

describe("the lexer reads every operator", () => {
  it("spells each operator token", () => {
    const ops =
      "? = <- <<- -> ->> := ~ || | && & ! < <= > >= == != + - * / %% %in% |> : ^ ** $ @ :: :::";
    // No newline token at the end: after `@` R skips newlines until a name or constant.
    assert.deepEqual(lex(ops), [
      "QUESTION:?",
      "EQ_ASSIGN:=",
      "LEFT_ASSIGN:<-",
      "LEFT_ASSIGN:<<-",
      "RIGHT_ASSIGN:->",
      "RIGHT_ASSIGN:->>",
      "LEFT_ASSIGN::=",
      "TILDE:~",
      "OR2:||",
      "OR:|",
      "AND2:&&",
      "AND:&",
      "BANG:!",
      "LT:<",
      "LE:<=",
      "GT:>",
      "GE:>=",
      "EQ:==",
      "NE:!=",
      "PLUS:+",
      "MINUS:-",
      "STAR:*",
      "SLASH:/",
      "SPECIAL:%%",
      "SPECIAL:%in%",
      "PIPE:|>",
      "COLON::",
      "CARET:^",
      "CARET:**",
      "DOLLAR:$",
      "AT:@",
      "NS_GET:::",
      "NS_GET_INT::::",
    ]);
  });

  it("reads [[ as one token and brackets and braces as single tokens", () => {
    assert.deepEqual(kinds("x[[1]][2]{}()").slice(0, -1), [
      T.SYMBOL,
      T.LBB,
      T.NUM_CONST,
      T.RBRACKET,
      T.RBRACKET,
      T.LBRACKET,
      T.NUM_CONST,
      T.RBRACKET,
      T.LBRACE,
      T.RBRACE,
      T.LPAREN,
      T.RPAREN,
    ]);
  });

  it("rejects << without a dash and %op% cut by a newline", () => {
    assert.match(errorOf("a << b"), /^<text>:1:3: unexpected input/);
    assert.match(errorOf("x %a\n% 5"), /^<text>:1:3: unexpected input/);
  });
});

describe("the lexer handles newlines by context", () => {
  it("skips newlines inside ( and [ but not inside {", () => {
    assert.equal(tree("f(a\n,\nb)"), "(f a b)");
    assert.equal(tree("x[\n1\n]"), "([ x 1)");
    assert.equal(tree("{a\nb}"), "({ a b)");
    assert.match(errorOf("f(a \n b)"), /^<text>:2:2: unexpected symbol/);
  });

  it("skips newlines after binary operators and keywords", () => {
    assert.equal(tree("x <-\n 1"), "(<- x 1)");
    assert.equal(tree("a &&\n b"), "(&& a b)");
    assert.equal(tree("x |>\n f()"), "(f x)");
    assert.equal(tree("function\n(x) x"), "(function (x) x)");
    assert.equal(tree("if (a)\n\n b"), "(if a b)");
  });

  it("does not skip a newline after \\ (a lambda needs its parenthesis on the same line)", () => {
    assert.equal(errorOf("\\\n(x) x"), "<text>:2:0: unexpected end of line\n1: \\\n   ^");
  });

  it("ends the expression at a newline before an operator at top level and in braces", () => {
    assert.equal(tree("a\n+ b"), "a; (+ b)");
    assert.equal(tree("{a\n+ b}"), "({ a (+ b))");
    assert.equal(tree("(a\n+ b)"), "(( (+ a b))");
  });
});

describe("the lexer counts positions as R does", () => {
  it("counts characters, not bytes, for non-ASCII text", () => {
    assert.match(errorOf("'é' b"), /^<text>:1:5: unexpected symbol/);
    assert.match(errorOf("'😀' b"), /^<text>:1:5: unexpected symbol/);
  });

  it("advances tabs to the next multiple of 8 and expands them in the context line", () => {
    assert.equal(
      errorOf("\tab c"),
      "<text>:1:12: unexpected symbol\n1:         ab c\n               ^",
    );
  });

  it("honours #line directives, including a file name", () => {
    assert.equal(
      errorOf('#line 10 "foo.R"\na b'),
      "foo.R:10:3: unexpected symbol\n10: a b\n       ^",
    );
  });

  it("stops at R's context stack of 50 brackets", () => {
    assert.equal(errorOf("(".repeat(50) + "1" + ")".repeat(50)), "OK");
    assert.equal(errorOf("(".repeat(51) + "1" + ")".repeat(51)), "contextstack overflow at line 1");
  });
});
