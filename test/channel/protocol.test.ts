import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  encodeHostMessage,
  parseChildMessage,
  ProtocolViolation,
} from "../../src/channel/protocol.ts";

describe("parseChildMessage", () => {
  it("accepts every well-formed message type", () => {
    assert.equal(
      parseChildMessage('{"type":"hello","secret":"s","pid":1,"r":"R 4.2"}').type,
      "hello",
    );
    assert.equal(
      parseChildMessage(
        '{"type":"result","id":1,"visible":true,"text":"[1] 2","value":{"t":"d","v":[2]}}',
      ).type,
      "result",
    );
    assert.equal(
      parseChildMessage('{"type":"error","id":2,"message":"boom","call":null}').type,
      "error",
    );
    const call = parseChildMessage(
      '{"type":"tool_call","id":3,"call":1,"tool":"add","args":{"a":null}}',
    );
    assert.deepEqual(call, { type: "tool_call", id: 3, call: 1, tool: "add", args: { a: null } });
  });
  it("rejects garbage, wrong shapes, unknown types and extra keys", () => {
    const bad = [
      "garbage",
      "[]",
      "null",
      '{"type":"nope","id":1}',
      '{"type":"result","id":0,"visible":true,"text":"","value":null}',
      '{"type":"result","id":1.5,"visible":true,"text":"","value":null}',
      '{"type":"result","id":1,"visible":"yes","text":"","value":null}',
      '{"type":"result","id":1,"visible":true,"text":"","value":null,"extra":1}',
      '{"type":"tool_call","id":1,"call":1,"tool":"a","args":[1,2]}',
      '{"type":"tool_call","id":1,"call":1,"tool":"a","args":{"x":5}}',
      '{"type":"error","id":1}',
    ];
    for (const line of bad) assert.throws(() => parseChildMessage(line), ProtocolViolation, line);
  });
  it("quotes at most 120 characters of the offending line, with control characters masked", () => {
    const line = `garbage\x1b[31m${"x".repeat(500)}`;
    try {
      parseChildMessage(line);
      assert.fail("expected a violation");
    } catch (e) {
      assert.ok(e instanceof ProtocolViolation);
      assert.ok(!e.message.includes("\x1b"));
      assert.ok(e.message.length < 200);
    }
  });
});

describe("encodeHostMessage", () => {
  it("writes one JSON line", () => {
    const line = encodeHostMessage({ type: "execute", id: 1, code: "cat('a\\nb')" });
    assert.ok(line.endsWith("\n"));
    assert.equal(line.indexOf("\n"), line.length - 1);
    assert.deepEqual(JSON.parse(line), { type: "execute", id: 1, code: "cat('a\\nb')" });
  });
});
