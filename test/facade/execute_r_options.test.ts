/** executeR hands every execute option to its execution, maxOutputBytes included. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { executeR } from "../../mod.ts";
import { noR, SLOW } from "../_helpers.ts";

it("executeR keeps at most maxOutputBytes of output", { ...SLOW, skip: noR }, async () => {
  const r = await executeR('for (i in 1:100) cat(strrep("x", 999), "\\n")', {
    sandbox: false,
    maxOutputBytes: 10_000,
  });
  assert.ok(r.output.length <= 10 && r.output.length > 0, `kept ${r.output.length} lines`);
  assert.equal(r.output.length + r.droppedOutputLines, 100);
});
