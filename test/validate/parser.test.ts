import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseR } from "../../src/validate/parse_r.ts";
import { errorOf, tree } from "./show_ast.ts";

describe("the parser follows R's operator precedence and associativity", () => {
  const cases: [string, string][] = [
    ["a + b * c", "(+ a (* b c))"],
    ["a - b - c", "(- (- a b) c)"],
    ["a / b * c", "(* (/ a b) c)"],
    ["a ^ b ^ c", "(^ a (^ b c))"],
    ["a ** b", "(^ a b)"],
    ["-2^2", "(- (^ 2 2))"],
    ["-a:b", "(: (- a) b)"],
    ["a:b^c", "(: a (^ b c))"],
    ["!a == b", "(! (== a b))"],
    ["!a & b", "(& (! a) b)"],
    ["a & b | c && d || e", "(|| (| (& a b) (&& c d)) e)"],
    ["a %in% b + c", "(+ (%in% a b) c)"],
    ["a %% b %/% c", "(%/% (%% a b) c)"],
    ["x |> f() + 1", "(+ (f x) 1)"],
    ["a + x |> f()", "(+ a (f x))"],
    ["y ~ a + b", "(~ y (+ a b))"],
    ["~ a ~ b", "(~ (~ a) b)"],
    ["a <- b <- c", "(<- a (<- b c))"],
    ["a -> b -> c", "(<- c (<- b a))"],
    ["a ->> b", "(<<- b a)"],
    ["a <- b -> c", "(<- a (<- c b))"],
    ["a = b = c", "(= a (= b c))"],
    ["a = b <- c", "(= a (<- b c))"],
    ["a <- b = c", "(= (<- a b) c)"],
    ["a := b", "(:= a b)"],
    ["?a", "(? a)"],
    ["a ? b ? c", "(? (? a b) c)"],
    ["?a = b", "(? (= a b))"],
    ["a = b ? c", "(? (= a b) c)"],
    ["a$b$c", "($ ($ a b) c)"],
    ["a@b", "(@ a b)"],
    ['x$"a"', '($ x "a")'],
    ["-a$b", "(- ($ a b))"],
    ["a::b$c", "($ (:: a b) c)"],
    ["a:::b()", "((::: a b))"],
    ['"a"::"b"', '(:: "a" "b")'],
    ["-f(x)[1]", "(- ([ (f x) 1))"],
    ["a + -b", "(+ a (- b))"],
    ["a^-b^c", "(^ a (- (^ b c)))"],
    ["--a", "(- (- a))"],
  ];
  for (const [code, want] of cases) {
    it(`parses ${JSON.stringify(code)} as ${want}`, () => assert.equal(tree(code), want));
  }

  it("refuses chained comparisons, which are non-associative", () => {
    assert.equal(errorOf("1 == 2 == 3"), "<text>:1:8: unexpected '=='\n1: 1 == 2 ==\n           ^");
    assert.match(errorOf("a < b > c"), /^<text>:1:7: unexpected '>'/);
    assert.equal(tree("(1 == 2) == 3"), "(== (( (== 1 2)) 3)");
  });
});

describe("the parser reads calls, indexing and arguments", () => {
  it("reads calls with named, empty and string- or NULL-named arguments", () => {
    assert.equal(tree("f(x, y = 2, 'z' = 3, NULL = 4)"), "(f x y=2 z=3 NULL=4)");
    assert.equal(tree("f()"), "(f)");
    assert.equal(tree("f(,)"), "(f <missing> <missing>)");
    assert.equal(tree("f(x = )"), "(f x=<missing>)");
    assert.equal(tree("f(a=1, a=2)"), "(f a=1 a=2)");
  });

  it("turns a string in call position into a name", () => {
    assert.equal(tree('"f"(1)'), "(`f` 1)");
  });

  it("reads [ and [[ with empty arguments", () => {
    assert.equal(tree("a[1,,2]"), "([ a 1 <missing> 2)");
    assert.equal(tree("x[]"), "([ x <missing>)");
    assert.equal(tree("x[[1]]"), "([[ x 1)");
    assert.equal(tree("x[[1]][2]$b"), "($ ([ ([[ x 1) 2) b)");
  });

  it("accepts '=' as an argument name but not after an expression", () => {
    assert.match(errorOf("f(1 = 2)"), /^<text>:1:5: unexpected '='/);
    assert.match(errorOf("f(a <- b = c)"), /^<text>:1:10: unexpected '='/);
    assert.match(errorOf("f(a = b = c)"), /^<text>:1:9: unexpected '='/);
    assert.equal(tree("f(a = b ? c)"), "(f a=(? b c))");
  });

  it("refuses an empty string as an argument name, as R's install() does", () => {
    assert.equal(errorOf("f('' = 1)"), "attempt to use zero-length variable name");
    assert.equal(errorOf('""(1)'), "attempt to use zero-length variable name");
  });
});

describe("the parser reads function definitions", () => {
  it("reads formals with defaults, dots and backticks", () => {
    assert.equal(tree("function(x, y = 2, ...) x + y"), "(function (x y=2 ...) (+ x y))");
    assert.equal(tree("function(`a b`, ..1) 1"), "(function (a b ..1) 1)");
    assert.equal(tree("\\(x) x + 1"), "(\\ (x) (+ x 1))");
  });

  it("lets a body take '=' but not '?'", () => {
    assert.equal(tree("function(x) a = 1"), "(function (x) (= a 1))");
    assert.equal(tree("function(x) x ? y"), "(? (function (x) x) y)");
    assert.equal(tree("f(function(x) a = 1)"), "(f (function (x) (= a 1)))");
  });

  it("reports repeated formal arguments with R's message and the duplicate's line", () => {
    assert.equal(errorOf("function(x, x) 1"), "repeated formal argument 'x' on line 1");
    assert.equal(errorOf("function(x,\n y,\n x) 1"), "repeated formal argument 'x' on line 3");
    assert.equal(errorOf("\\(a, b, a) 1"), "repeated formal argument 'a' on line 1");
    assert.equal(errorOf("function(..., ...) 1"), "repeated formal argument '...' on line 1");
  });

  it("reports a formal after an empty first one as R's 'bad value'", () => {
    assert.equal(errorOf("function(, x) 1"), "bad value");
    assert.match(errorOf("function(,) 1"), /^<text>:1:11: unexpected '\)'/);
  });

  it("refuses non-names as formals", () => {
    assert.match(errorOf('function("a") 1'), /^<text>:1:10: unexpected string constant/);
    assert.match(errorOf("function(_) 1"), /^<text>:1:10: unexpected input/);
    assert.match(errorOf("function(x{"), /^<text>:1:11: unexpected '\{'/);
  });
});

describe("the parser applies R's if/else newline rules", () => {
  it("refuses else on a new line at top level", () => {
    assert.equal(
      errorOf("x <- 1\nif (x) 2\nelse 3"),
      "<text>:3:1: unexpected 'else'\n2: if (x) 2\n3: else\n   ^",
    );
  });

  it("accepts else on a new line inside braces, parentheses and brackets", () => {
    assert.equal(tree("{if (x) 2\nelse 3}"), "({ (if x 2 3))");
    assert.equal(tree("(if (a) b \n else c)"), "(( (if a b c))");
    assert.equal(tree("x[if (a) b \n else c]"), "([ x (if a b c))");
    assert.equal(tree("{ if (a) b \n\n # c\n else d }"), "({ (if a b d))");
  });

  it("gives a dangling else to the innermost if", () => {
    assert.equal(tree("if (a) if (b) c else d"), "(if a (if b c d))");
    assert.equal(tree("{ if (a) if (b) c \n else d }"), "({ (if a (if b c d)))");
  });

  it("ends an if body at a newline inside parentheses unless else follows", () => {
    assert.equal(
      errorOf("f(if (a) b\n c)"),
      "<text>:2:2: unexpected end of line\n1: f(if (a) b\n2:  c\n    ^",
    );
    assert.match(errorOf("(if (a) b \n + c)"), /^<text>:2:2: unexpected end of line/);
    assert.equal(tree("f(if (a) b \n , c)"), "(f (if a b) c)");
  });

  it("lets '=' but not '?' extend an if body", () => {
    assert.equal(tree("if (a) b = c else d"), "(if a (= b c) d)");
    assert.match(errorOf("if (a) b ? c else d"), /^<text>:1:14: unexpected 'else'/);
  });

  it("refuses '=' inside an if or while condition", () => {
    assert.match(errorOf("if (a = 1) 2"), /^<text>:1:7: unexpected '='/);
    assert.equal(tree("while (a ? b) c"), "(while (? a b) c)");
  });
});

describe("the parser reads loops and their keywords", () => {
  it("reads for, while, repeat, break and next", () => {
    assert.equal(tree("for (i in 1:3) x"), "(for i (: 1 3) x)");
    assert.equal(tree("for (`i` in x) next"), "(for `i` x (next))");
    assert.equal(tree("while (TRUE) break"), "(while TRUE (break))");
    assert.equal(tree("repeat { break }"), "(repeat ({ (break)))");
  });

  it("needs a name before in", () => {
    assert.match(errorOf("for ((i) in x) y"), /^<text>:1:6: unexpected '\('/);
    assert.match(errorOf("for (i in a = b) x"), /^<text>:1:13: unexpected '='/);
  });
});

describe("the parser rewrites pipes and checks placeholders as R 4.2 does", () => {
  it("inserts the left side as the first argument or at the named placeholder", () => {
    assert.equal(tree("x |> f(y)"), "(f x y)");
    assert.equal(tree("x |> f(y = _)"), "(f y=x)");
    assert.equal(tree("x |> f(y = _) |> g(z = _)"), "(g z=(f y=x))");
    assert.equal(tree("x |> f()$g(y = _)"), "(($ (f) g) y=x)");
    assert.equal(tree("x |> (function(y) y)()"), "((( (function (y) y)) x)");
    assert.equal(tree("x |> `=>`(y, y + 1)"), "((function (y) (+ y 1)) x)");
  });

  it("requires a call on the right", () => {
    assert.equal(errorOf("x |> f"), "The pipe operator requires a function call as RHS");
    assert.equal(errorOf("x |> f 1"), "The pipe operator requires a function call as RHS");
  });

  it("refuses syntactically special functions on the right", () => {
    for (
      const [rhs, fn] of [["`+`(1)", "+"], ["f[1]", "["], ["f()$g", "$"], ["(f)", "("], ["-1", "-"]]
    ) {
      assert.equal(errorOf(`x |> ${rhs}`), `function '${fn}' not supported in RHS call of a pipe`);
    }
    assert.equal(
      errorOf("x |> function(x) x"),
      "function 'function' not supported in RHS call of a pipe",
    );
  });

  it("enforces the placeholder rules", () => {
    assert.equal(errorOf("x |> f(_)"), "pipe placeholder can only be used as a named argument");
    assert.equal(errorOf("x |> f(y = _, z = _)"), "pipe placeholder may only appear once");
    assert.equal(
      errorOf("x |> f(y = _)(z)"),
      "pipe placeholder cannot be used in the RHS function",
    );
    assert.equal(errorOf("x |> f(g(y = _))"), "invalid use of pipe placeholder");
    assert.equal(errorOf("_"), "invalid use of pipe placeholder");
    assert.equal(
      errorOf("x |> function(y) _"),
      "pipe placeholder can only be used as a named argument",
    );
    assert.match(errorOf("x |> f(_ = 1)"), /^<text>:1:10: unexpected '='/);
  });

  it("does not look for placeholders in default values, as R does not", () => {
    assert.equal(errorOf("function(x = _) 1"), "OK");
  });

  it("reports a syntax error before a placeholder check in a later expression", () => {
    assert.match(errorOf("1 1\n_"), /^<text>:1:3: unexpected numeric constant/);
    assert.equal(errorOf("_\n2 3"), "invalid use of pipe placeholder");
  });

  it("refuses => unless R's experimental pipe bind is enabled", () => {
    assert.equal(
      errorOf("a => b"),
      "'=>' is disabled; set '_R_USE_PIPEBIND_' envvar to a true value to enable it",
    );
  });
});

describe("the parser reads braces, parentheses and separators", () => {
  it("accepts empty statements between ; and newlines inside braces", () => {
    assert.equal(tree("{;;}"), "({)");
    assert.equal(tree("{ ; a }"), "({ a)");
    assert.equal(tree("{\n\n}"), "({)");
  });

  it("refuses a leading or doubled ; at top level", () => {
    assert.equal(errorOf("; a"), "<text>:1:1: unexpected ';'\n1: ;\n    ^");
    assert.equal(errorOf("a;;b"), "<text>:1:3: unexpected ';'\n1: a;;\n      ^");
  });

  it("reads several top-level expressions", () => {
    assert.equal(tree("a; b\nc"), "a; b; c");
  });

  it("accepts empty and blank code", () => {
    for (const code of ["", " ", "\n\n", "\t\n  \n", "# only a comment"]) {
      const r = parseR(code);
      assert.ok(r.ok && r.program.exprs.length === 0, JSON.stringify(code));
    }
  });

  it("records each node's line and column", () => {
    const r = parseR("x <- 1\n  f(\ty)");
    assert.ok(r.ok);
    const call = r.program.exprs[1];
    assert.deepEqual([call.line, call.col], [2, 3]);
    assert.ok(call.type === "call");
    const y = call.args[0].value!;
    assert.deepEqual([y.line, y.col], [2, 9]);
  });
});
