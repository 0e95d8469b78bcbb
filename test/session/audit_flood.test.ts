/**
 * The audit log is bounded per execution (issue: one execution calling an unknown tool in a
 * loop wrote 73 MiB of audit log). Past the budget, events are counted, and one
 * `audit_suppressed` line says how many of each were left out — nothing is dropped silently.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SecureSession } from "../../mod.ts";
import { AUDIT_EXECUTION_BYTES, makeSessionLog } from "../../src/session/session_log.ts";
import { noR, SLOW } from "../_helpers.ts";

const dir = fs.mkdtempSync(join(tmpdir(), "securer-audit-flood-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const lines = (path: string) =>
  fs.readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));

describe("the audit log's budget per execution", () => {
  it("counts events past the budget and reports them before the execution ends", () => {
    const path = join(dir, "unit.jsonl");
    const log = makeSessionLog("sess_test", path, false);
    log.audit("execute_start", { code: "loop" });
    for (let i = 0; i < 50_000; i++) log.audit("tool_call", { tool: "nope", args: { i } });
    log.audit("execute_error", { error: "x".repeat(50_000), elapsed_ms: 1 });
    log.audit("execute_start", { code: "again" });
    log.audit("tool_call", { tool: "ok", args: {} });
    log.close();
    const all = lines(path);
    assert.ok(fs.statSync(path).size < AUDIT_EXECUTION_BYTES + 64 * 1024);
    const written = all.filter((l) => l.event === "tool_call").length;
    const summary = all.find((l) => l.event === "audit_suppressed");
    assert.ok(summary, "an audit_suppressed line is written");
    assert.equal(written - 1 + summary.events.tool_call, 50_000);
    assert.equal(summary.limit_bytes, AUDIT_EXECUTION_BYTES);
    const events = all.map((l) => l.event);
    assert.equal(events.indexOf("audit_suppressed"), events.indexOf("execute_error") - 1);
    const error = all.find((l) => l.event === "execute_error");
    assert.ok(error.error.length < 10_100, "free text of always-written events is cut");
    assert.equal(events.at(-1), "tool_call", "the next execution has a fresh budget");
  });

  it("bounds a real execution that calls an unknown tool in a loop", {
    ...SLOW,
    skip: noR,
  }, async () => {
    const path = join(dir, "session.jsonl");
    await using session = await SecureSession.create({ auditLog: path });
    await session.execute(
      'for (i in 1:1500) try(.securer_call_tool("nope", list(x = strrep("a", 4000))), silent = TRUE)',
      { timeout: 120_000 },
    );
    await session.close();
    const size = fs.statSync(path).size;
    assert.ok(size < 2 * AUDIT_EXECUTION_BYTES, `the log is ${size} bytes`);
    const summary = lines(path).find((l) => l.event === "audit_suppressed");
    assert.ok(summary && summary.events.tool_call > 0, "the left-out calls are counted");
  });
});
