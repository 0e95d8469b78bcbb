import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SecureSession } from "../../mod.ts";
import { ADD_TOOL, noR, SLOW } from "../_helpers.ts";

describe("verbose logging", { skip: noR }, () => {
  it("writes the reference's lines, prefixed [securer]", SLOW, async () => {
    const lines: string[] = [];
    const s = await SecureSession.create({
      verbose: (line) => lines.push(line),
      tools: [ADD_TOOL],
    });
    await s.execute("add(1, 2)");
    await assert.rejects(s.execute('stop("boom")'));
    await assert.rejects(s.execute("Sys.sleep(3)", { timeout: 1000 }));
    await s.restart();
    await s.close();
    const pid = /pid=(\d+)/.exec(lines[0])?.[1];
    assert.ok(pid);
    const expected = [
      /^\[securer\] Session started \(sandbox=false, pid=\d+\)$/,
      /^\[securer\] Tool call: add\(a=1, b=2\)$/,
      /^\[securer\] Tool result: add -> 3 \(\d+\.\d\ds\)$/,
      /^\[securer\] Execution complete \(\d+\.\d\ds\)$/,
      /^\[securer\] Execution error: boom \(\d+\.\d\ds\)$/,
      /^\[securer\] Execution timed out after 1s$/,
      /^\[securer\] Restarting session$/,
      /^\[securer\] Session started \(sandbox=false, pid=\d+\)$/,
      /^\[securer\] Session closed$/,
    ];
    assert.equal(lines.length, expected.length, lines.join("\n"));
    lines.forEach((l, i) => assert.match(l, expected[i]));
  });
  it("goes to stderr with verbose: true and is silent by default", SLOW, async () => {
    const written: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const quiet = await SecureSession.create();
      await quiet.execute("1");
      await quiet.close();
      assert.deepEqual(written.filter((w) => w.includes("[securer]")), []);
      const loud = await SecureSession.create({ verbose: true });
      await loud.close();
      assert.ok(written.some((w) => w.startsWith("[securer] Session started")));
    } finally {
      process.stderr.write = original;
    }
  });
});
