import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { securerTool, SecureSession } from "../../mod.ts";
import { openAuditFile } from "../../src/session/session_log.ts";
import { ADD_TOOL, noR, sleep, SLOW, suiteTempDir, withTempDir } from "../_helpers.ts";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("audit log path checks", () => {
  const dir = suiteTempDir("securer-audit-");

  it("refuses empty paths, devices and symlinks", () => {
    assert.throws(() => openAuditFile(""), { message: "auditLog path must be a non-empty string" });
    assert.throws(() => openAuditFile("/dev/null"), {
      message: "auditLog path must not point to a device file",
    });
    assert.throws(() => openAuditFile("/dev/stderr"), {
      message: "auditLog path must not point to a device file",
    });
    fs.writeFileSync(join(dir(), "real.jsonl"), "");
    fs.symlinkSync(join(dir(), "real.jsonl"), join(dir(), "link.jsonl"));
    assert.throws(() => openAuditFile(join(dir(), "link.jsonl")), {
      message: "auditLog path must not be a symlink",
    });
  });
  it("creates missing parent directories and the file with mode 0600", () => {
    const path = join(dir(), "a", "b", "log.jsonl");
    fs.closeSync(openAuditFile(path));
    assert.equal(fs.statSync(path).mode & 0o777, 0o600);
  });
  it("tightens an existing file to 0600", () => {
    const path = join(dir(), "loose.jsonl");
    fs.writeFileSync(path, "", { mode: 0o644 });
    fs.closeSync(openAuditFile(path));
    assert.equal(fs.statSync(path).mode & 0o777, 0o600);
  });
});

describe("audit log content", { skip: noR }, () => {
  it(
    "records the session's life as JSONL with the reference's events and fields",
    SLOW,
    async () => {
      await withTempDir("securer-audit-", async (dir) => {
        const path = join(dir, "audit.jsonl");
        const s = await SecureSession.create({
          auditLog: path,
          tools: [
            ADD_TOOL,
            securerTool({
              name: "bad",
              fn: () => {
                throw new Error("nope");
              },
            }),
          ],
        });
        await s.execute("add(1, 2)");
        await assert.rejects(s.execute("bad()"));
        await assert.rejects(s.execute('stop("boom")'));
        await assert.rejects(s.execute("Sys.sleep(5)", { timeout: 200 }));
        await s.execute(`x <- "${"y".repeat(12_000)}"`);
        await s.execute("add(runif(5000), 1)").catch(() => undefined);
        await s.restart();
        await s.close();
        assert.equal(fs.statSync(path).mode & 0o777, 0o600);
        const lines = fs.readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
        const ids = new Set(lines.map((l) => l.session_id));
        assert.equal(ids.size, 1);
        assert.match([...ids][0], /^sess_[0-9a-f]{12}$/);
        for (const l of lines) assert.match(l.timestamp, ISO);
        assert.deepEqual(lines.map((l) => l.event), [
          "session_start",
          "execute_start",
          "tool_call",
          "tool_result",
          "execute_complete",
          "execute_start",
          "tool_call",
          "tool_result",
          "execute_error",
          "execute_start",
          "execute_error",
          "execute_start",
          "execute_timeout",
          "execute_start",
          "execute_complete",
          "execute_start",
          "tool_call",
          "tool_result",
          "execute_complete",
          "session_restart",
          "session_start",
          "session_close",
        ]);
        const find = (event: string, n = 0) => lines.filter((l) => l.event === event)[n];
        assert.deepEqual(
          { sandbox: find("session_start").sandbox, backend: find("session_start").backend },
          { sandbox: false, backend: "unsandboxed" },
        );
        assert.equal(typeof find("session_start").pid, "number");
        assert.equal(find("execute_start").code, "add(1, 2)");
        assert.deepEqual(find("tool_call").args, { a: 1, b: 2 });
        assert.equal(find("tool_call").tool, "add");
        assert.deepEqual(
          [find("tool_result").error, find("tool_result").result_summary],
          [null, "3"],
        );
        assert.equal(typeof find("tool_result").elapsed_ms, "number");
        assert.equal(find("tool_result", 1).error, "nope");
        assert.equal(typeof find("execute_complete").elapsed_ms, "number");
        assert.equal(find("execute_error", 1).error, "boom");
        assert.equal(find("execute_timeout").timeout_ms, 200);
        const long = find("execute_start", 4).code as string;
        assert.ok(long.endsWith("... [truncated]"));
        assert.equal(long.length, 10_000 + "... [truncated]".length);
        const bigCall = lines.filter((l) => l.event === "tool_call").find((l) =>
          typeof l.args === "string"
        );
        assert.ok(
          bigCall && bigCall.args.endsWith("... [truncated]") && bigCall.args.length < 10_100,
        );
      });
    },
  );
});

describe("audit log around a crash", { skip: noR }, () => {
  it("records the crash and exactly one restart before the new session_start", SLOW, async () => {
    await withTempDir("securer-audit-", async (dir) => {
      const path = join(dir, "audit.jsonl");
      const s = await SecureSession.create({ auditLog: path });
      const running = s.execute("Sys.sleep(30)").catch((e: Error) => e.name);
      await sleep(300);
      process.kill(s.info().pid!, "SIGKILL");
      assert.equal(await running, "ChildCrashedError");
      assert.equal((await s.execute("1")).value, 1);
      await s.close();
      const events = fs.readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
      const names = events.map((e) => e.event);
      const crash = names.indexOf("child_crashed");
      assert.ok(crash > 0, names.join(","));
      assert.deepEqual(names.slice(crash, crash + 4), [
        "child_crashed",
        "execute_error",
        "session_restart",
        "session_start",
      ]);
      assert.equal(names.filter((n) => n === "session_restart").length, 1);
      assert.equal(events[crash].signal, "SIGKILL");
    });
  });
});
