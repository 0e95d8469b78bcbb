/**
 * Every row of the value mapping (SPEC §6, README table) through a real R child, in all
 * three directions: final values (R -> JS), tool arguments (R -> JS) and tool results
 * (JS -> R, checked in R with identical()).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { SLOW } from "../_helpers.ts";
import { conformance } from "../_conformance.ts";
import { echoSession } from "./_echo_session.ts";

conformance("values across the boundary", {}, (ctx) => {
  const { received, box, session } = echoSession(ctx);

  /** R -> JS as a final value and as a tool argument. */
  async function fromR(expr: string): Promise<[unknown, unknown]> {
    received.length = 0;
    const r = await session().execute(`echo(${expr})\n${expr}`);
    assert.equal(received.length, 1);
    return [r.value, received[0]];
  }
  /** JS -> R: the tool result must be identical() to the R expression. */
  async function toR(value: unknown, rExpr: string): Promise<void> {
    box.toReturn = value;
    const r = await session().execute(
      `x <- ret(); if (identical(x, ${rExpr})) TRUE else paste(deparse(x), collapse = "")`,
    );
    assert.equal(r.value, true, `JS ${String(value)} should arrive as ${rExpr}`);
  }
  const both = async (expr: string, expected: unknown) => {
    const [value, arg] = await fromR(expr);
    assert.deepEqual(value, expected, `final value of ${expr}`);
    assert.deepEqual(arg, expected, `tool argument ${expr}`);
  };

  it("NULL <-> null", SLOW, async () => {
    await both("NULL", null);
    await toR(null, "NULL");
    await toR(undefined, "NULL");
  });
  it("length-1 vectors <-> scalars", SLOW, async () => {
    await both("2.5", 2.5);
    await both("7L", 7);
    await both("TRUE", true);
    await both('"a"', "a");
    await toR(2.5, "2.5");
    await toR(7n, "7L");
    await toR(false, "FALSE");
    await toR("héllo ✓", '"héllo ✓"');
  });
  it("vectors <-> arrays of one primitive type, with NA <-> null", SLOW, async () => {
    await both("c(1.5, NA, 3)", [1.5, null, 3]);
    await both("c(1L, NA)", [1, null]);
    await both("c(TRUE, NA)", [true, null]);
    await both('c("a", NA)', ["a", null]);
    await both("numeric(0)", []);
    await both("NA", null);
    await toR([1.5, null, 3], "c(1.5, NA, 3)");
    await toR([true, null], "c(TRUE, NA)");
    await toR(["a", null], 'c("a", NA)');
    await toR([1n, null], "c(1L, NA)");
    await toR([null, null], "c(NA, NA)");
  });
  it("NaN, Inf and -Inf round-trip", SLOW, async () => {
    const [value, arg] = await fromR("c(NaN, Inf, -Inf, NA)");
    for (const v of [value, arg] as number[][]) {
      assert.ok(Number.isNaN(v[0]));
      assert.deepEqual(v.slice(1), [Infinity, -Infinity, null]);
    }
    await toR([NaN, Infinity, -Infinity, null], "c(NaN, Inf, -Inf, NA)");
    await toR(-0, "-0");
    const r = await session().execute("x <- ret(); 1 / x");
    assert.equal(r.value, -Infinity);
  });
  it("doubles keep full precision both ways", SLOW, async () => {
    // 2000 doubles over the whole exponent range, subnormals included.
    const r = await session().execute(
      "set.seed(7); x <- c(pi, 0.1, 1/3, .Machine$double.xmax, 5e-324, 2^-1074 * 3, runif(2000) * 10^sample(-300:300, 2000, TRUE))\n" +
        'echo(x); list(x = x, s = sprintf("%.17g", x))',
    );
    const { x, s } = r.value as { x: number[]; s: string[] };
    assert.equal(x[0], Math.PI);
    const last = received[received.length - 1] as number[];
    for (let i = 0; i < s.length; i++) {
      assert.ok(Object.is(x[i], Number(s[i])), `final value ${i}: ${x[i]} vs ${s[i]}`);
      assert.ok(Object.is(last[i], Number(s[i])), `tool argument ${i}`);
    }
    const sent = Array.from(
      { length: 2000 },
      (_, i) => (Math.sin(i + 1) * 10 ** ((i % 600) - 300)),
    );
    sent.push(Math.PI, 0.1, Number.MIN_VALUE, Number.MAX_VALUE, 2 ** 53 + 2);
    box.toReturn = sent;
    const back = await session().execute('sprintf("%.17g", ret())');
    const strings = back.value as string[];
    sent.forEach((d, i) =>
      assert.ok(Object.is(Number(strings[i]), d), `sent ${i}: ${d} came back as ${strings[i]}`)
    );
  });
  it("integers stay integers where R has them", SLOW, async () => {
    const r = await session().execute("x <- 1:3; echo(x); class(x)");
    assert.equal(r.value, "integer");
    assert.deepEqual(received.at(-1), [1, 2, 3]);
    await toR([1n, 2n, 3n], "1:3");
    await toR([1, 2, 3], "c(1, 2, 3)");
  });
  it("named vectors -> objects, named lists <-> objects", SLOW, async () => {
    await both("c(a = 1, b = 2)", { a: 1, b: 2 });
    await both('list(a = 1, b = list(c = "x"))', { a: 1, b: { c: "x" } });
    await toR({ a: 1, b: { c: "x" } }, 'list(a = 1, b = list(c = "x"))');
    await toR({}, "structure(list(), names = character(0))");
  });
  it("unnamed lists -> arrays, mixed arrays -> lists; partly named -> _names", SLOW, async () => {
    await both('list(1, "a", NULL, TRUE)', [1, "a", null, true]);
    await both("list(a = 1, 2)", { _names: ["a", ""], _values: [1, 2] });
    await toR({ _names: ["a", ""], _values: [1, 2] }, "c(a = 1, 2)");
    await toR({ _names: ["a", ""], _values: [1, "x"] }, 'list(a = 1, "x")');
    await toR([1, "a", null, true], 'list(1, "a", NULL, TRUE)');
    await toR([], "list()");
  });
  it("data frames <-> arrays of row objects", SLOW, async () => {
    await both('data.frame(x = c(1.5, 2), y = c("a", NA))', [{ x: 1.5, y: "a" }, {
      x: 2,
      y: null,
    }]);
    const [value] = await fromR("head(mtcars, 2)[, 1:2]");
    assert.deepEqual(value, [{ _row: "Mazda RX4", mpg: 21, cyl: 6 }, {
      _row: "Mazda RX4 Wag",
      mpg: 21,
      cyl: 6,
    }]);
    await toR(
      [{ x: 1.5, y: "a" }, { x: 2, y: null }],
      'data.frame(x = c(1.5, 2), y = c("a", NA))',
    );
    await toR(
      [{ _row: "r1", v: 1 }, { _row: "r2", v: 2 }],
      'data.frame(v = c(1, 2), row.names = c("r1", "r2"))',
    );
    box.toReturn = [{ mpg: 21 }, { mpg: 22.8 }];
    assert.equal((await session().execute("d <- ret(); mean(d$mpg)")).value, 21.9);
  });
  it("matrices and arrays <-> nested arrays of rows", SLOW, async () => {
    await both("matrix(1:6, nrow = 2)", [[1, 3, 5], [2, 4, 6]]);
    await both("array(1:8, c(2, 2, 2))", [[[1, 5], [3, 7]], [[2, 6], [4, 8]]]);
    await toR([[1, 2, 3], [4, 5, 6]], "matrix(c(1, 4, 2, 5, 3, 6), nrow = 2)");
  });
  it("factors, Dates and POSIXct -> strings; JS Dates -> POSIXct", SLOW, async () => {
    await both('factor(c("lo", "hi", "lo"))', ["lo", "hi", "lo"]);
    await both('as.Date("2024-03-01")', "2024-03-01");
    await both('as.POSIXct("2024-03-01 12:34:56.789", tz = "UTC")', "2024-03-01T12:34:56.789Z");
    await toR(new Date("2024-03-01T12:34:56.500Z"), '.POSIXct(1709296496.5, tz = "UTC")');
  });
  it("raw <-> Uint8Array, complex -> strings", SLOW, async () => {
    await both("as.raw(c(0, 255))", new Uint8Array([0, 255]));
    await toR(new Uint8Array([1, 2]), "as.raw(1:2)");
    await both("complex(real = 1, imaginary = 2)", "1+2i");
  });
  it("values with no data form -> null, with the text still showing them", SLOW, async () => {
    for (
      const expr of ["function(x) x + 1", "new.env()", "y ~ x", "quote(a + b)", "as.name('sym')"]
    ) {
      const r = await session().execute(expr);
      assert.equal(r.value, null, expr);
      assert.notEqual(r.text, "", expr);
    }
    assert.match((await session().execute("function(x) x + 1")).text, /function \(x\)/);
    await toR(() => 1, "NULL");
  });
  it("a value too large for one message comes back as null with its text", SLOW, async () => {
    const r = await session().execute("x <- runif(2e5); x");
    assert.equal(r.valueOmitted, true);
    assert.equal(r.value, null);
    assert.match(r.text, /\[1\] 0\./);
  });
});
