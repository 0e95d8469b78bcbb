/**
 * sanitizeErrorMessage on hostile text from the R child (issue: an R error of 100 000
 * newlines once kept the host busy for seconds). Each input below took time quadratic in
 * its length before; the test timeouts only catch such a hang, they time nothing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sanitizeErrorMessage } from "../../src/tools/sanitize_error_message.ts";

const HANG = { timeout: 20_000 };

describe("sanitizeErrorMessage on hostile input", () => {
  it("handles a message of a million newlines at once", HANG, () => {
    assert.equal(sanitizeErrorMessage(`boom${"\n".repeat(1_000_000)}end`), "boom");
  });
  it("is linear with no length cap too, for every pattern", HANG, () => {
    const inputs = [
      `x${"\n".repeat(300_000)}y`,
      `\n${" ".repeat(300_000)}a`,
      "\n\t".repeat(150_000),
      "connect to ".repeat(30_000),
      "1.".repeat(150_000),
      "/home/".repeat(50_000),
      "Traceback:".repeat(30_000),
      "PID process ".repeat(30_000),
    ];
    for (const input of inputs) {
      const out = sanitizeErrorMessage(input, Number.MAX_SAFE_INTEGER);
      assert.ok(out.length <= input.length + input.length, "the output is bounded by the input");
    }
  });
  it("reads only a bounded prefix, dropping a word cut at the bound", () => {
    const filler = "word ".repeat(900); // 4500 characters, past 8 × 500
    const out = sanitizeErrorMessage(`${filler}10.0.0.1 tail`);
    assert.equal(out.length, 500);
    assert.ok(out.startsWith("word word"));
    // The path shrinks to "[path]", so what follows it would be in the result: the address
    // cut in half at the bound ("10.") must not be.
    assert.equal(sanitizeErrorMessage(`/home/${"x".repeat(3_990)} 10.0.0.1`, 500), "[path]");
  });
  it("still removes an indented JavaScript stack and a traceback", () => {
    assert.equal(sanitizeErrorMessage("Error: x\n\t  at f (a.js:1:1)\n  at g"), "Error: x");
    assert.equal(sanitizeErrorMessage("bad\nStack trace:\n#0 f()"), "bad");
  });
});
