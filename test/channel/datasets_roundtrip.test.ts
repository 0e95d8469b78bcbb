/**
 * All objects of R's `datasets` package cross the boundary in the three directions — final
 * value and tool argument (R -> JS), and tool result (JS -> R: the final value returned by
 * a tool) — with every number bit-exact and none missing: the multiset of the non-missing
 * numbers is the same on both sides of each crossing, and named vectors keep their names.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { securerTool, SecureSession } from "../../mod.ts";
import { noR, SLOW } from "../_helpers.ts";

/** The non-missing numbers of an R value (factors, dates and strings have none), sorted. */
const NUMS_R = `all_nums <- function(x) {
  if (is.list(x)) return(unlist(lapply(unname(as.list(x)), all_nums), use.names = FALSE))
  if (is.factor(x) || inherits(x, c("Date", "POSIXct")) || !is.numeric(x)) return(numeric(0))
  x <- as.double(unclass(x))
  x[!is.na(x)]
}
nums <- function(x) sort(all_nums(x))`;

/** The numbers in a value from R, sorted (NaN, the only non-ordered one, left out). */
function numbers(x: unknown, out: number[] = []): number[] {
  if (typeof x === "number") {
    if (!Number.isNaN(x)) out.push(x);
  } else if (Array.isArray(x)) { for (const e of x) numbers(e, out); }
  else if (x !== null && typeof x === "object") {
    for (const e of Object.values(x as Record<string, unknown>)) numbers(e, out);
  }
  return out;
}
const sorted = (xs: number[]) => xs.sort((a, b) => a - b);

describe("R's datasets across the boundary", { skip: noR }, () => {
  let session: SecureSession;
  const received: unknown[] = [];
  let toReturn: unknown = null;
  before(async () => {
    session = await SecureSession.create({
      tools: [
        securerTool({ name: "echo", args: { x: null }, fn: ({ x }) => (received.push(x), true) }),
        securerTool({ name: "ret", fn: () => toReturn }),
      ],
    });
    await session.execute(NUMS_R);
  });
  after(async () => {
    await session?.close();
  });

  it("every object, bit-exact in every number, in all three directions", SLOW, async () => {
    const names = (await session.execute('ls("package:datasets")')).value as string[];
    assert.equal(names.length, 104);
    for (const name of names) {
      const get = `get("${name}", "package:datasets")`;
      received.length = 0;
      const r = await session.execute(
        `d <- ${get}; expected <- sprintf("%.17g", nums(d)); echo(d); d`,
      );
      assert.equal(r.valueOmitted, false, name);
      assert.equal(received.length, 1, name);
      const expected = (await session.execute("expected")).value;
      const want = (typeof expected === "string" ? [expected] : expected as string[]).map(Number);
      for (const [what, value] of [["final value", r.value], ["tool argument", received[0]]]) {
        const got = sorted(numbers(value));
        assert.equal(got.length, want.length, `${name} (${what}): how many numbers`);
        got.forEach((g, i) =>
          assert.ok(Object.is(g, want[i]), `${name} (${what}): ${g} against ${want[i]}`)
        );
      }
      toReturn = r.value;
      // A named vector comes back with its names (precip has "Portland" twice).
      const back = await session.execute(
        "x <- ret(); identical(nums(x), nums(d)) && " +
          "(!is.atomic(d) || !is.null(dim(d)) || identical(names(x), names(d)))",
      );
      assert.equal(back.value, true, `${name} (tool result)`);
    }
  });
});
