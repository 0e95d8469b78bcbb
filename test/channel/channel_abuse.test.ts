/**
 * Abuse of the private channel from inside R: user code opens the child's end of the
 * `res` FIFO and writes what it likes. Every case must end in a clean ProtocolError (the
 * child killed and replaced), never a hang, and the session must work afterwards.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ProtocolError, securerTool, SecureSession } from "../../mod.ts";
import { ADD_TOOL, noR, SLOW } from "../_helpers.ts";

const writeRes = (line: string) =>
  `con <- fifo(file.path(dirname(Sys.getenv("TMPDIR")), "res"), "w", blocking = TRUE); ` +
  `writeLines(${line}, con); close(con); Sys.sleep(2)`;

describe("abuse of the channel from inside R", { skip: noR }, () => {
  let session: SecureSession;
  before(async () => {
    session = await SecureSession.create({
      tools: [
        ADD_TOOL,
        securerTool({ name: "nap", fn: () => new Promise((r) => setTimeout(() => r(1), 1000)) }),
      ],
    });
  });
  after(async () => {
    await session?.close();
  });

  async function expectViolation(code: string, reason: RegExp) {
    await session.execute("state <- 'set'");
    const pid = session.info().pid;
    await assert.rejects(session.execute(code), (e: unknown) => {
      assert.ok(e instanceof ProtocolError, String(e));
      assert.match(e.message, reason);
      assert.match(e.message, /the R process was killed and the session restarted/);
      return true;
    });
    assert.equal((await session.execute("add(1, 2)")).value, 3);
    assert.notEqual(session.info().pid, pid);
    await assert.rejects(session.execute("state"), /object 'state' not found/);
  }

  it("garbage", SLOW, async () => {
    await expectViolation(writeRes('"this is not json"'), /invalid JSON: this is not json/);
  });
  it("an oversized message", SLOW, async () => {
    await expectViolation(
      writeRes('strrep("x", 2e6)'),
      /message too large \(at least \d+ bytes, max 1048576\)/,
    );
  });
  it("a message with an unknown type", SLOW, async () => {
    await expectViolation(writeRes(`'{"type":"shell","cmd":"rm -rf /"}'`), /malformed message/);
  });
  it("a forged message for another execution", SLOW, async () => {
    await expectViolation(
      writeRes(`'{"type":"result","id":999999,"visible":true,"text":"","value":null}'`),
      /a message for execution 999999/,
    );
  });
  it("a forged second hello", SLOW, async () => {
    await expectViolation(
      writeRes(`'{"type":"hello","secret":"guess","pid":1,"r":"x"}'`),
      /a second hello/,
    );
  });
  it("a malformed value inside a well-formed message", SLOW, async () => {
    await expectViolation(
      writeRes(
        `sprintf('{"type":"tool_call","id":%d,"call":99,"tool":"add","args":{"a":{"t":"d","v":["oops"]},"b":null}}', environment(.securer_call_tool)$st$exec)`,
      ),
      /is not a double/,
    );
  });
  it("a second tool call while one is pending", SLOW, async () => {
    const code = `
      id <- environment(.securer_call_tool)$st$exec
      con <- fifo(file.path(dirname(Sys.getenv("TMPDIR")), "res"), "w", blocking = TRUE)
      for (k in 50:51) writeLines(sprintf('{"type":"tool_call","id":%d,"call":%d,"tool":"nap","args":{}}', id, k), con)
      close(con); Sys.sleep(2)`;
    await expectViolation(code, /tool call 51 while call 50 was pending/);
  });
  it(
    "a forged result is either taken as the code's own answer or caught; R is replaced either way",
    SLOW,
    async () => {
      const forged = `
      id <- environment(.securer_call_tool)$st$exec
      con <- fifo(file.path(dirname(Sys.getenv("TMPDIR")), "res"), "w", blocking = TRUE)
      writeLines(sprintf('{"type":"result","id":%d,"visible":true,"text":"forged","value":{"t":"s","v":["forged"]}}', id), con)
      close(con); "real"`;
      // The real result follows the forged one. If it arrives before the end-of-output
      // marker, this execution fails; otherwise the forgery is this code's own (harmless)
      // answer and the real result fails the next call. Both end with a fresh R process.
      const first = await session.execute(forged).then((r) => r.value, (e: unknown) => e);
      if (first !== "forged") {
        assert.ok(
          first instanceof ProtocolError && /a result message after the result/.test(first.message),
          String(first),
        );
      } else {
        await assert.rejects(session.execute("1"), (e: unknown) =>
          e instanceof ProtocolError &&
          /an unexpected result message|a message for execution/.test(e.message));
      }
      assert.equal((await session.execute("add(2, 2)")).value, 4);
    },
  );
});
