import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import {
  anthropicTool,
  anthropicToolResults,
  openAIChatTool,
  openAIChatToolMessages,
  openAIResponsesTool,
  openAIResponsesToolOutputs,
  SecureSession,
  toolDefinition,
} from "../../mod.ts";
import { SANDBOX } from "../_backends.ts";
import { noR, SLOW } from "../_helpers.ts";
import tools from "../mcp/fixtures/tools.ts";

const CODE = 'd <- query_db("mtcars", 4)\nmean(d$mpg)';

/**
 * A `fetch` that records each request body and answers with the next recorded response:
 * the official client parses it as it would a real API's.
 */
function recordedFetch(responses: unknown[]) {
  const bodies: Record<string, unknown>[] = [];
  const fetch = (_url: string | URL | Request, init?: RequestInit) => {
    bodies.push(JSON.parse(String(init?.body)));
    const body = responses.shift();
    return Promise.resolve(
      new Response(JSON.stringify(body), {
        status: 200,
        headers: { "content-type": "application/json", "request-id": "req_1" },
      }),
    );
  };
  return { fetch, bodies };
}

describe("toolDefinition with the official SDKs", { skip: noR || SANDBOX.skip }, () => {
  let session: SecureSession;
  before(async () => {
    session = await SecureSession.create({ ...SANDBOX.options, tools });
  });
  after(() => session?.close());

  it("describes the tool with a JSON Schema generated from valibot", () => {
    const tool = toolDefinition(session);
    assert.equal(tool.name, "execute_r");
    assert.deepEqual(tool.inputSchema, {
      type: "object",
      properties: {
        code: {
          type: "string",
          minLength: 1,
          description: "R code to run. The value of the last expression is returned.",
        },
      },
      required: ["code"],
      additionalProperties: false,
    });
    assert.match(tool.description, /- query_db\(table, limit\): Query a database table/);
    assert.match(tool.description, /at most 30 s/);
    assert.match(tool.description, /State persists/);
  });

  it("runs OpenAI Chat Completions tool calls and sends the results back", SLOW, async () => {
    const { fetch, bodies } = recordedFetch([
      {
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: "gpt-test",
        choices: [{
          index: 0,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            content: null,
            tool_calls: [{
              id: "call_1",
              type: "function",
              function: { name: "execute_r", arguments: JSON.stringify({ code: CODE }) },
            }],
          },
        }],
      },
      {
        id: "chatcmpl-2",
        object: "chat.completion",
        created: 2,
        model: "gpt-test",
        choices: [{
          index: 0,
          finish_reason: "stop",
          message: { role: "assistant", content: "About 20.98." },
        }],
      },
    ]);
    const client = new OpenAI({ apiKey: "test", fetch, maxRetries: 0 });
    const tool = toolDefinition(session);
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "mean mpg?" }];
    const first = await client.chat.completions.create({
      model: "gpt-test",
      messages,
      tools: [openAIChatTool(tool)],
    });
    messages.push(first.choices[0].message);
    messages.push(...await openAIChatToolMessages(tool, first.choices[0].message));
    const second = await client.chat.completions.create({ model: "gpt-test", messages });
    assert.equal(second.choices[0].message.content, "About 20.98.");
    const sentTools = bodies[0].tools as { function: { name: string } }[];
    assert.equal(sentTools[0].function.name, "execute_r");
    assert.deepEqual((bodies[1].messages as unknown[]).at(-1), {
      role: "tool",
      tool_call_id: "call_1",
      content: "20.975",
    });
  });

  it("runs OpenAI Responses API function calls", SLOW, async () => {
    const { fetch, bodies } = recordedFetch([
      {
        id: "resp_1",
        object: "response",
        created_at: 1,
        status: "completed",
        model: "gpt-test",
        output: [{
          type: "function_call",
          id: "fc_1",
          call_id: "call_1",
          name: "execute_r",
          arguments: JSON.stringify({ code: 'stop("no such table")' }),
          status: "completed",
        }],
      },
      {
        id: "resp_2",
        object: "response",
        created_at: 2,
        status: "completed",
        model: "gpt-test",
        output: [],
      },
    ]);
    const client = new OpenAI({ apiKey: "test", fetch, maxRetries: 0 });
    const tool = toolDefinition(session);
    const first = await client.responses.create({
      model: "gpt-test",
      input: "go",
      tools: [openAIResponsesTool(tool)],
    });
    const outputs = await openAIResponsesToolOutputs(tool, first.output);
    await client.responses.create({
      model: "gpt-test",
      previous_response_id: first.id,
      input: outputs,
    });
    assert.equal((bodies[0].tools as { name: string }[])[0].name, "execute_r");
    assert.deepEqual(bodies[1].input, [{
      type: "function_call_output",
      call_id: "call_1",
      output: "Error: no such table",
    }]);
  });

  it("runs Anthropic tool_use blocks and returns tool_result blocks", SLOW, async () => {
    const { fetch, bodies } = recordedFetch([
      {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude-test",
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
        content: [
          { type: "text", text: "Let me compute it." },
          { type: "tool_use", id: "toolu_1", name: "execute_r", input: { code: CODE } },
          { type: "tool_use", id: "toolu_2", name: "execute_r", input: { code: "stop('x')" } },
        ],
      },
      {
        id: "msg_2",
        type: "message",
        role: "assistant",
        model: "claude-test",
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
        content: [{ type: "text", text: "About 20.98." }],
      },
    ]);
    const client = new Anthropic({ apiKey: "test", fetch, maxRetries: 0 });
    const tool = toolDefinition(session);
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "mean mpg?" }];
    const first = await client.messages.create({
      model: "claude-test",
      max_tokens: 100,
      messages,
      tools: [anthropicTool(tool)],
    });
    messages.push({ role: "assistant", content: first.content });
    messages.push({ role: "user", content: await anthropicToolResults(tool, first.content) });
    const second = await client.messages.create({
      model: "claude-test",
      max_tokens: 100,
      messages,
    });
    assert.deepEqual(second.content, [{ type: "text", text: "About 20.98." }]);
    assert.deepEqual((bodies[0].tools as { input_schema: unknown }[])[0].input_schema, {
      ...tool.inputSchema,
      type: "object",
    });
    assert.deepEqual((bodies[1].messages as { content: unknown }[]).at(-1)?.content, [
      { type: "tool_result", tool_use_id: "toolu_1", content: "20.975", is_error: false },
      { type: "tool_result", tool_use_id: "toolu_2", content: "Error: x", is_error: true },
    ]);
  });
});
