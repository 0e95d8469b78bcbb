import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LineSplitter } from "../../src/channel/line_splitter.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("LineSplitter", () => {
  it("splits lines across chunks and keeps multi-byte characters whole", () => {
    const lines: string[] = [];
    const s = new LineSplitter({ maxLineBytes: 100, mode: "split", onLine: (l) => lines.push(l) });
    const all = bytes("héllo ✓\nsecond\nthi");
    for (const b of all) s.push(new Uint8Array([b]));
    s.push(bytes("rd\n"));
    assert.deepEqual(lines, ["héllo ✓", "second", "third"]);
  });
  it("cuts over-long lines at a character boundary in split mode", () => {
    const lines: string[] = [];
    const s = new LineSplitter({ maxLineBytes: 4, mode: "split", onLine: (l) => lines.push(l) });
    s.push(bytes("ab✓cdefg\n"));
    assert.deepEqual(lines, ["ab", "✓c", "defg"]);
  });
  it("says which lines were cut and which ended with a newline", () => {
    const lines: [string, boolean][] = [];
    const s = new LineSplitter({ maxLineBytes: 4, mode: "split", onLine: (...l) => lines.push(l) });
    s.push(bytes("abcdefg\nhi\njk"));
    s.flush();
    assert.deepEqual(lines, [["abcd", false], ["efg", true], ["hi", true], ["jk", false]]);
  });
  it("reports an over-long line once in reject mode and ignores the rest", () => {
    const lines: string[] = [];
    const overflows: number[] = [];
    const s = new LineSplitter({
      maxLineBytes: 8,
      mode: "reject",
      onLine: (l) => lines.push(l),
      onOverflow: (n) => overflows.push(n),
    });
    s.push(bytes("ok\n12345"));
    s.push(bytes("6789\nmore\n"));
    assert.deepEqual(lines, ["ok"]);
    assert.deepEqual(overflows, [9]);
  });
  it("flushes a final line without a newline", () => {
    const lines: string[] = [];
    const s = new LineSplitter({ maxLineBytes: 10, mode: "split", onLine: (l) => lines.push(l) });
    s.push(bytes("tail"));
    s.flush();
    assert.deepEqual(lines, ["tail"]);
  });
});
