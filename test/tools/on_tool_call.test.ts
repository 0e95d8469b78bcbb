/**
 * The `onToolCall` execute option: told of each tool call as R makes it and of each reply,
 * in order, with the error R got; a handler that throws changes nothing.
 *
 * @module
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { securerTool, SecureSession, type ToolCallEvent } from "../../mod.ts";
import { noR, SLOW } from "../_helpers.ts";

const tools = [
  securerTool({
    name: "add",
    args: { a: "numeric", b: "numeric" },
    fn: ({ a, b }) => Number(a) + Number(b),
  }),
  securerTool({
    name: "fail",
    fn: () => {
      throw new Error("no such table");
    },
  }),
];

describe("onToolCall", { skip: noR }, () => {
  let session: SecureSession;
  before(async () => {
    session = await SecureSession.create({ tools });
  }, SLOW);
  after(() => session?.close());

  it("is told of each call and its reply, in order, with the error R got", SLOW, async () => {
    const events: ToolCallEvent[] = [];
    const output: string[] = [];
    const r = await session.execute(
      'cat("before\\n"); x <- add(1, 2); try(fail(), silent = TRUE); x',
      {
        onOutput: (line) => output.push(`${line} after ${events.length} events`),
        onToolCall: (e) => events.push(e),
      },
    );
    assert.equal(r.value, 3);
    assert.deepEqual(output, ["before after 0 events"]);
    assert.deepEqual(
      events.map((e) => e.type === "call" ? { ...e } : { ...e, elapsedMs: typeof e.elapsedMs }),
      [
        { type: "call", tool: "add", args: { a: 1, b: 2 } },
        { type: "result", tool: "add", elapsedMs: "number" },
        { type: "call", tool: "fail", args: {} },
        { type: "result", tool: "fail", error: "no such table", elapsedMs: "number" },
      ],
    );
  });

  it(
    "hears of the output before each call, however fast R is, and lines stay whole",
    SLOW,
    async () => {
      // R marks its output stream before each call, and the host hands the call on only once
      // the mark has arrived: the two FIFOs are read independently.
      const seen: string[] = [];
      const r = await session.execute(
        'for (i in 1:20) { cat("line", i, "\\n"); cat("half"); add(i, 0); cat("-done\\n") }; "end"',
        {
          onOutput: (line) => seen.push(line),
          onToolCall: (e) => {
            if (e.type === "call") seen.push(`call ${(e.args as { a: number }).a}`);
          },
        },
      );
      assert.equal(r.value, "end");
      assert.deepEqual(
        seen,
        Array.from({ length: 20 }, (_, k) => [`line ${k + 1} `, `call ${k + 1}`, "half-done"])
          .flat(),
      );
      assert.deepEqual(
        r.output,
        Array.from({ length: 20 }, (_, k) => [`line ${k + 1} `, "half-done"]).flat(),
      );
    },
  );

  it("ignores a handler that throws", SLOW, async () => {
    const r = await session.execute("add(2, 3)", {
      onToolCall: () => {
        throw new Error("handler bug");
      },
    });
    assert.equal(r.value, 5);
  });

  it("must be a function", async () => {
    await assert.rejects(
      session.execute("1", { onToolCall: 1 as never }),
      /`onToolCall` must be a function, not <number>/,
    );
  });
});
