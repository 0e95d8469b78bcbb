/**
 * A value whose wire form is a few bytes but whose decoded form would be huge (issue: a
 * 0-column data frame of 10⁸ rows as the final value, or a 10⁸ × 0 matrix as a tool
 * argument, exhausted the host's heap and killed it). The host refuses to decode it, the
 * result says the value was omitted or R gets an error, and the session keeps its state.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { RExecutionError, securerTool } from "../../mod.ts";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";

const TALL_DF = "structure(list(), class = 'data.frame', row.names = c(NA_integer_, -100000000L))";
const TALL_MATRIX = "matrix(numeric(0), nrow = 1e8, ncol = 0)";

conformance("values that would expand past the host's bound", {}, (ctx) => {
  const s = ctx.shareSession({
    tools: [securerTool({ name: "take", args: { m: null }, fn: () => "taken" })],
  });
  it("omits such a final value and keeps the session", SLOW, async () => {
    await s().execute("state <- 7");
    const r = await s().execute(TALL_DF);
    assert.equal(r.value, null);
    assert.equal(r.valueOmitted, true);
    assert.match(r.text, /data frame with 0 columns and 100000000 rows/);
    assert.equal((await s().execute("state")).value, 7);
  });
  it("refuses such a tool argument with an R error, even for an unknown tool", SLOW, async () => {
    for (
      const call of [`take(${TALL_MATRIX})`, `.securer_call_tool("nope", list(m = ${TALL_MATRIX}))`]
    ) {
      await assert.rejects(s().execute(call), (e: unknown) => {
        assert.ok(e instanceof RExecutionError, String(e));
        assert.match(e.message, /cannot receive an argument from R: it would expand/);
        return true;
      });
    }
    assert.equal((await s().execute("state")).value, 7, "the session kept its state");
  });
});
