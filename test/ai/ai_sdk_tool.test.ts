// The AI SDK (`ai` v7) declares Node >= 22; these tests run on Deno and Bun.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateText, stepCountIs } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { securerTool, SecureSession, SecureSessionPool, STATE_LOST_NOTE } from "../../mod.ts";
import { asAiSdkTool } from "../../src/ai/mod.ts";
import { SANDBOX } from "../_backends.ts";
import { noR, SLOW } from "../_helpers.ts";

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

/** A model that calls execute_r once with `code`, then answers with the tool result it got. */
function scriptedModel(code: string) {
  return new MockLanguageModelV4({
    doGenerate: (options) => {
      const last = options.prompt.at(-1);
      if (last?.role !== "tool") {
        return Promise.resolve({
          content: [{
            type: "tool-call",
            toolCallId: "call-1",
            toolName: "execute_r",
            input: JSON.stringify({ code }),
          }],
          finishReason: { unified: "tool-calls", raw: "tool_calls" },
          usage,
          warnings: [],
        });
      }
      const part = last.content.find((p) => p.type === "tool-result");
      const output = part?.type === "tool-result" ? part.output : null;
      return Promise.resolve({
        content: [{ type: "text", text: `answer from ${JSON.stringify(output)}` }],
        finishReason: { unified: "stop", raw: "stop" },
        usage,
        warnings: [],
      });
    },
  });
}

const rows = [{ mpg: 21 }, { mpg: 22.8 }, { mpg: 21.4 }, { mpg: 18.7 }];
const queryDb = securerTool({
  name: "query_db",
  description: "Query a database table",
  args: { table: "character", limit: "numeric" },
  fn: ({ limit }) => rows.slice(0, Number(limit)),
});

describe("asAiSdkTool", { skip: noR || SANDBOX.skip }, () => {
  let session: SecureSession;
  before(async () => {
    session = await SecureSession.create({ ...SANDBOX.options, tools: [queryDb] });
  });
  after(() => session?.close());

  it("runs a whole tool loop: the model's R code calls a host tool", SLOW, async () => {
    const model = scriptedModel('d <- query_db("mtcars", 4)\nmean(d$mpg)');
    const result = await generateText({
      model,
      tools: { execute_r: asAiSdkTool(session) },
      stopWhen: stepCountIs(3),
      prompt: "What is the mean mpg of the first 4 cars?",
    });
    assert.equal(result.steps.length, 2);
    assert.equal(result.text, 'answer from {"type":"text","value":"20.975"}');
    // The model saw the description with the host tool's R signature.
    const sent = model.doGenerateCalls[0].tools?.[0];
    assert.equal(sent?.name, "execute_r");
    assert.match(
      (sent as { description: string }).description,
      /query_db\(table, limit\): Query a database table/,
    );
  });

  it("turns an R error into error text, not an exception", SLOW, async () => {
    const result = await generateText({
      model: scriptedModel('stop("no such table")'),
      tools: { execute_r: asAiSdkTool(session) },
      stopWhen: stepCountIs(3),
      prompt: "go",
    });
    assert.equal(result.text, 'answer from {"type":"error-text","value":"Error: no such table"}');
  });

  it("reports a timeout as error text", SLOW, async () => {
    const result = await generateText({
      model: scriptedModel("Sys.sleep(30)"),
      tools: { execute_r: asAiSdkTool(session, { timeout: 300 }) },
      stopWhen: stepCountIs(3),
      prompt: "go",
    });
    assert.match(result.text, /error-text.*Execution timed out after/);
  });

  it("tells the model its state was lost when R died", SLOW, async () => {
    await session.execute("x <- 1");
    const result = await generateText({
      model: scriptedModel("quit(save = 'no')"),
      tools: { execute_r: asAiSdkTool(session) },
      stopWhen: stepCountIs(3),
      prompt: "go",
    });
    assert.ok(result.text.includes(STATE_LOST_NOTE.slice(0, 40)), result.text);
    await assert.rejects(session.execute("x"), /object 'x' not found/);
  });
});

describe("asAiSdkTool over a SecureSessionPool", { skip: noR || SANDBOX.skip }, () => {
  let pool: SecureSessionPool;
  before(async () => {
    pool = await SecureSessionPool.create({
      ...SANDBOX.options,
      sandbox: SANDBOX.options.sandbox ?? true,
      size: 1,
      acquireTimeout: 30_000,
      tools: [queryDb],
    });
  });
  after(() => pool?.close());

  it("runs the tool loop on the pool and says state does not persist", SLOW, async () => {
    const model = scriptedModel('mean(query_db("mtcars", 4)$mpg)');
    const result = await generateText({
      model,
      tools: { execute_r: asAiSdkTool(pool) },
      stopWhen: stepCountIs(3),
      prompt: "go",
    });
    assert.equal(result.text, 'answer from {"type":"text","value":"20.975"}');
    const sent = model.doGenerateCalls[0].tools?.[0] as { description: string };
    assert.match(sent.description, /State does not persist/);
  });

  it(
    "tells the model its state was lost when R died, and the pool runs the next call",
    SLOW,
    async () => {
      const result = await generateText({
        model: scriptedModel("tools::pskill(Sys.getpid(), 9L); Sys.sleep(5)"),
        tools: { execute_r: asAiSdkTool(pool) },
        stopWhen: stepCountIs(3),
        prompt: "go",
      });
      assert.ok(result.text.includes("error-text"), result.text);
      assert.ok(result.text.includes(STATE_LOST_NOTE.slice(0, 40)), result.text);
      const again = await generateText({
        model: scriptedModel("1 + 1"),
        tools: { execute_r: asAiSdkTool(pool) },
        stopWhen: stepCountIs(3),
        prompt: "go",
      });
      assert.equal(again.text, 'answer from {"type":"text","value":"2"}');
    },
  );
});
