/**
 * Output is bounded in bytes as well as lines (issue: one execution made the host hold
 * 125 MiB of output), and output that arrives while no execution runs is dropped unread —
 * a child that keeps flooding then is replaced (issue: a leftover process writing while the
 * session was idle kept the host's CPU at 95%).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ProtocolError, SecureSession } from "../../mod.ts";
import { DEFAULT_MAX_OUTPUT_BYTES } from "../../src/session/options.ts";
import { conformance } from "../_conformance.ts";
import { MiB, noR, sleep, SLOW } from "../_helpers.ts";

const bytesOf = (lines: readonly string[]) =>
  lines.reduce((n, l) => n + new TextEncoder().encode(l).length + 1, 0);

conformance("output bounded in bytes", {}, (ctx) => {
  const s = ctx.shareSession();
  it("keeps at most maxOutputBytes and counts the lines it drops", SLOW, async () => {
    let streamed = 0;
    const r = await s().execute('for (i in 1:200) cat(strrep("é", 16000), "\\n")', {
      maxOutputBytes: MiB,
      onOutput: () => streamed++,
    });
    assert.ok(bytesOf(r.output) <= MiB, `kept ${bytesOf(r.output)} bytes`);
    assert.ok(r.output.length > 0);
    assert.equal(r.outputTruncated, true);
    assert.equal(r.output.length + r.droppedOutputLines, 200);
    assert.equal(streamed, 200, "every line is still streamed");
  });
  it("keeps 16 MiB by default", { timeout: 120_000 }, async () => {
    const r = await s().execute('for (i in 1:320) cat(strrep("x", 65000), "\\n")');
    assert.ok(bytesOf(r.output) <= DEFAULT_MAX_OUTPUT_BYTES);
    assert.ok(r.droppedOutputLines > 0);
    assert.equal(r.output.length + r.droppedOutputLines, 320);
  });
  it("rejects a maxOutputBytes that is not a positive number", SLOW, async () => {
    await assert.rejects(s().execute("1", { maxOutputBytes: 0 }), RangeError);
  });
});

it("drops output that arrives between executions, and replaces a child that floods", {
  timeout: 90_000,
  skip: noR,
}, async () => {
  // Unsandboxed: nothing kills what R leaves running, so the leftover can write.
  await using s = await SecureSession.create({ sandbox: false });
  await s.execute(
    'system("(sleep 0.3; echo IDLE-LINE) > /dev/stdout &"); invisible(NULL)',
  );
  await sleep(800);
  const quiet = await s.execute("1 + 1");
  assert.deepEqual(quiet.output, [], "idle output is nobody's output");
  const pid = s.info().pid;
  await s.execute(
    'system("(sleep 0.3; yes FLOOD | head -c 50000000) > /dev/stdout &"); invisible(NULL)',
  );
  await sleep(3_000);
  await assert.rejects(s.execute("1 + 1"), (e: unknown) => {
    assert.ok(e instanceof ProtocolError, String(e));
    assert.match(e.message, /bytes of output while no execution was running/);
    return true;
  });
  assert.notEqual(s.info().pid, pid, "the flooding child was replaced");
  assert.equal((await s.execute("2 + 2")).value, 4);
});
