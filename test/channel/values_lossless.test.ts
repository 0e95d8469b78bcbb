/**
 * Values lose nothing silently (issue 15, SPEC §6): every case a new user hit, in each
 * direction it applies to — final values (R -> JS), tool arguments (R -> JS, what was lost
 * becomes a warning in R) and tool results (JS -> R, checked in R with identical()) — and the
 * limits (size, depth) at the same boundary in all three.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { type ExecuteResult, RExecutionError } from "../../mod.ts";
import { valueBudget } from "../../src/channel/protocol.ts";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../../src/channel/protocol.ts";
import { SLOW } from "../_helpers.ts";
import { conformance } from "../_conformance.ts";
import { echoSession } from "./_echo_session.ts";

const BUDGET = valueBudget(DEFAULT_MAX_MESSAGE_BYTES);
/** `{"t":"s","v":["` + the string + `"]}`: the wire form of one ASCII string, both ways. */
const STRING_OVERHEAD = 18;

/** R code for a list nested `levels` deep (the outermost list counts; `1` inside). */
const nestedR = (levels: number) =>
  `Reduce(function(a, i) list(a), seq_len(${levels - 1}), list(1))`;

/** A JS value R receives as lists nested `levels` deep. */
function nestedJs(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v, "x"];
  return v;
}

conformance("values lose nothing silently", {}, (ctx) => {
  const { received, box, session } = echoSession(ctx);

  /** R -> JS as a final value and as a tool argument (with the output of the call). */
  async function fromR(
    expr: string,
  ): Promise<{ final: ExecuteResult; arg: unknown; argRun: ExecuteResult }> {
    received.length = 0;
    const argRun = await session().execute(`invisible(echo(${expr}))`);
    assert.equal(received.length, 1);
    const final = await session().execute(expr);
    return { final, arg: received[0], argRun };
  }
  /** Both R -> JS directions give `expected`; what was lost is said in both (or in neither). */
  async function both(expr: string, expected: unknown, lost?: RegExp): Promise<void> {
    const { final, arg, argRun } = await fromR(expr);
    assert.deepEqual(final.value, expected, `final value of ${expr}`);
    assert.deepEqual(arg, expected, `tool argument ${expr}`);
    if (lost === undefined) {
      assert.deepEqual(final.lost, [], `nothing lost in ${expr}`);
      assert.ok(!argRun.output.some((l) => /Warning/.test(l)), argRun.output.join("\n"));
    } else {
      assert.ok(final.lost.some((n) => lost.test(n)), `final ${expr}: ${final.lost}`);
      assert.ok(
        argRun.output.some((l) =>
          l.startsWith("Warning: Tool 'echo': argument 'x': ") && lost.test(l)
        ),
        `argument ${expr}: ${argRun.output.join("\n")}`,
      );
    }
  }
  /** JS -> R: the tool result must be identical() to the R expression. */
  async function toR(value: unknown, rExpr: string): Promise<void> {
    box.toReturn = value;
    const r = await session().execute(
      `x <- ret(); if (identical(x, ${rExpr})) TRUE else paste(deparse(x), collapse = "")`,
    );
    assert.equal(r.value, true, `JS ${JSON.stringify(value)} should arrive as ${rExpr}`);
  }
  /** R -> JS -> R: the final value, returned by a tool, is identical() to the original. */
  async function roundTrip(expr: string): Promise<void> {
    const { value } = await session().execute(expr);
    await toR(value, expr);
  }
  async function rError(code: string, message: RegExp): Promise<void> {
    await assert.rejects(session().execute(code), (e: unknown) => {
      assert.ok(e instanceof RExecutionError, String(e));
      assert.match(e.message, message);
      return true;
    });
  }

  it("1. the value and its text have separate budgets", SLOW, async () => {
    const r = await session().execute("x <- strrep('a', 6e5); x");
    assert.equal(r.valueOmitted, false);
    assert.equal(r.value, "a".repeat(6e5));
    assert.equal(r.textTruncated, true);
    assert.ok(r.text.length < 70_000 && r.text.startsWith('[1] "aaa'));
    const small = await session().execute("1:3");
    assert.equal(small.textTruncated, false);
  });
  it("size: the same boundary in all three directions", SLOW, async () => {
    const fits = BUDGET - STRING_OVERHEAD;
    const over = new RegExp(`the value is too large \\(${BUDGET + 1} bytes, max ${BUDGET}\\)`);
    const ok = await session().execute(`nchar(x <- strrep("a", ${fits})); x`);
    assert.equal(ok.valueOmitted, false);
    assert.equal((ok.value as string).length, fits);
    const no = await session().execute(`x <- strrep("a", ${fits + 1}); x`);
    assert.equal(no.valueOmitted, true);
    assert.equal(no.value, null);
    assert.match(no.lost.join(), over);
    assert.equal((await session().execute(`echo(strrep("a", ${fits}))`)).value, true);
    await rError(
      `echo(strrep("a", ${fits + 1}))`,
      new RegExp(`Tool 'echo': argument 'x': ${over.source}`),
    );
    box.toReturn = "a".repeat(fits);
    assert.equal((await session().execute("nchar(ret())")).value, fits);
    box.toReturn = "a".repeat(fits + 1);
    await rError(
      "ret()",
      new RegExp(`Tool 'ret' returned a value R cannot receive: ${over.source}`),
    );
  });
  it(
    "2./3. depth: 100 levels pass and 101 are refused clearly, in all three directions",
    SLOW,
    async () => {
      const deep = /the value is nested more than 100 levels deep/;
      for (const levels of [98, 99, 100]) {
        const r = await session().execute(nestedR(levels));
        let v = r.value;
        for (let i = 0; i < levels; i++) v = (v as unknown[])[0];
        assert.equal(v, 1, `final value, ${levels} levels`);
        assert.equal((await session().execute(`echo(${nestedR(levels)})`)).value, true);
        box.toReturn = nestedJs(levels);
        const back = await session().execute(
          `x <- ret(); d <- 0L; while (is.list(x)) { x <- x[[1L]]; d <- d + 1L }; d`,
        );
        assert.equal(back.value, levels, `tool result, ${levels} levels`);
      }
      for (const levels of [101, 102, 150]) {
        const r = await session().execute(nestedR(levels));
        assert.equal(r.value, null);
        assert.equal(r.valueOmitted, true);
        assert.match(r.lost.join(), deep);
        await rError(
          `echo(${nestedR(levels)})`,
          new RegExp(`Tool 'echo': argument 'x': ${deep.source}`),
        );
        box.toReturn = nestedJs(levels);
        await rError(
          "ret()",
          new RegExp(`Tool 'ret' returned a value R cannot receive: ${deep.source}`),
        );
      }
      // Objects nest like lists; a data frame is a level, its list column another.
      let o: unknown = { a: 1 };
      for (let i = 1; i < 100; i++) o = { a: o };
      box.toReturn = o;
      assert.equal((await session().execute("x <- ret(); is.list(x)")).value, true);
      box.toReturn = { a: o };
      await rError("ret()", deep);
    },
  );
  it("4. _row only for row names that are not 1..n, however R stores them", SLOW, async () => {
    assert.equal((await session().execute(".row_names_info(faithful) > 0")).value, true);
    await both("head(faithful, 2)", [{ eruptions: 3.6, waiting: 79 }, {
      eruptions: 1.8,
      waiting: 54,
    }]);
    await both("head(cars, 1)", [{ speed: 4, dist: 2 }]);
    await both('data.frame(v = 1:2, row.names = c("2", "1"))', [{ _row: "2", v: 1 }, {
      _row: "1",
      v: 2,
    }]);
    await roundTrip("data.frame(v = c(1, 2))");
  });
  it(
    "5. dates and times in ISO 8601 with four-digit (or signed six-digit) years",
    SLOW,
    async () => {
      await both('as.Date("0001-01-01")', "0001-01-01");
      await both('as.Date("0999-12-31")', "0999-12-31");
      await both('as.Date("9999-12-31") + 1', "+010000-01-01");
      await both('as.POSIXct("0001-01-01 00:00:00", tz = "UTC")', "0001-01-01T00:00:00.000Z");
      await toR(new Date("0001-01-01T00:00:00.000Z"), 'as.POSIXct("0001-01-01", tz = "UTC")');
    },
  );
  it("times keep their fraction beyond the millisecond", SLOW, async () => {
    await both('.POSIXct(1709296496.123456, tz = "UTC")', "2024-03-01T12:34:56.123456Z");
    await both('as.POSIXct("2024-03-01 12:34:56.789", tz = "UTC")', "2024-03-01T12:34:56.789Z");
    const r = await session().execute('x <- .POSIXct(1709296496.123456789, tz = "UTC"); x');
    const back = await session().execute(
      `as.numeric(as.POSIXct("${r.value}", format = "%Y-%m-%dT%H:%M:%OSZ", tz = "UTC")) == as.numeric(x)`,
    );
    assert.equal(back.value, true, String(r.value));
  });
  it("6. complex numbers with 17 significant digits per part", SLOW, async () => {
    await both("1/3 + 0i", "0.33333333333333331+0i");
    await both("complex(real = 1, imaginary = 2)", "1+2i");
    box.toReturn = (await session().execute("c(1/3 + pi * 1i, -2e-300 - 1i)")).value;
    assert.equal(
      (await session().execute("identical(as.complex(ret()), c(1/3 + pi * 1i, -2e-300 - 1i))"))
        .value,
      true,
    );
  });
  it("7. a list matrix comes back as rows", SLOW, async () => {
    await both("structure(list(1, 2), dim = c(1L, 2L))", [[1, 2]]);
    await both('matrix(list(1, "a", TRUE, NULL), 2)', [[1, true], ["a", null]]);
  });
  it("duplicate, missing and empty names are kept as { _names, _values }", SLOW, async () => {
    await both("c(a = 1, a = 2)", { _names: ["a", "a"], _values: [1, 2] });
    await both('setNames(1:2, c("a", NA))', { _names: ["a", null], _values: [1, 2] });
    await both('list(a = 1, a = "x")', { _names: ["a", "a"], _values: [1, "x"] });
    await roundTrip("c(a = 1, a = 2)");
    await roundTrip('setNames(c(1, 2), c("a", NA))');
    await roundTrip('list(a = 1, a = "x")');
    await roundTrip("precip");
    assert.equal((await session().execute('sum(names(precip) == "Portland")')).value, 2);
  });
  it("integer-like names keep their order", SLOW, async () => {
    await both('c("2" = 1, "1" = 2)', { _names: ["2", "1"], _values: [1, 2] });
    await both('c("1" = 1, "2" = 2, b = 3)', { 1: 1, 2: 2, b: 3 });
    await roundTrip('c("2" = 1, "1" = 2)');
    await both('list(b = 1, "1" = 2)', { _names: ["b", "1"], _values: [1, 2] });
  });
  it("data frame column names become unique keys, and the result says so", SLOW, async () => {
    await both(
      "data.frame(a = 1:2, a = 3:4, check.names = FALSE)",
      [{ a: 1, "a.1": 3 }, { a: 2, "a.1": 4 }],
      /column names changed .*"a" -> "a\.1"/,
    );
    await both(
      'data.frame(`_row` = 1:2, x = 3:4, row.names = c("p", "q"), check.names = FALSE)',
      [{ _row: "p", "_row.1": 1, x: 3 }, { _row: "q", "_row.1": 2, x: 4 }],
      /"_row" -> "_row\.1"/,
    );
  });
  it("invalid UTF-8 becomes U+FFFD, and the result says so", SLOW, async () => {
    await both('{ x <- "\\xffA"; Encoding(x) <- "UTF-8"; x }', "\uFFFDA", /invalid UTF-8/);
  });
  it("a JS string with a NUL is refused, never cut", SLOW, async () => {
    box.toReturn = "a\0b";
    await rError("ret()", /Tool 'ret' returned a value R cannot receive: a string holds a NUL/);
    box.toReturn = { "a\0b": 1 };
    await rError("ret()", /NUL/);
  });
  it("difftime units and other dropped attributes are said", SLOW, async () => {
    await both(
      'as.difftime(2, units = "hours")',
      2,
      /attributes dropped: class "difftime", units "hours"/,
    );
    await both("ts(1:3, start = 2000)", [1, 2, 3], /attributes dropped: tsp, class "ts"/);
  });
  it("empty shapes: 0-row data frames, 0 x n matrices, empty vectors are said", SLOW, async () => {
    await both("data.frame(a = numeric(0), b = character(0))", [], /0 rows .*"a", "b"/);
    await both("matrix(numeric(0), 0, 3)", [], /a 0 x 3 array .*dimensions are lost/);
    await both("numeric(0)", [], /an empty double vector comes back as \[\]/);
    await both("list()", []);
    await toR([], "list()");
  });
});
