/**
 * A complete agent: a model answers a data question by writing R that calls the host's
 * `query_db` tool, run in the sandbox through the `execute_r` tool.
 *
 * Run: `npm run agent` (or `deno task agent`). Offline by default, with a scripted model (the
 * AI SDK's `MockLanguageModelV4`) that writes the R code a real model would. With
 * `OPENAI_API_KEY` set it asks OpenAI instead (model `OPENAI_MODEL`, default `gpt-4o-mini`),
 * through the official `openai` client and `toolDefinition()`.
 *
 * @module
 */
import { generateText, stepCountIs } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import OpenAI from "openai";
import {
  openAIChatTool,
  openAIChatToolMessages,
  SecureSession,
  toolDefinition,
} from "@securer/securer";
import { asAiSdkTool } from "@securer/securer/ai";
import { query_db } from "./query_db.ts";

const QUESTION = "Which number of cylinders gives the best mean mpg in mtcars?";

await using session = await SecureSession.create({ tools: [query_db], sandbox: true });
console.log(`Q: ${QUESTION}`);
console.log(`A: ${process.env.OPENAI_API_KEY ? await withOpenAI() : await offline()}`);

/** The scripted model: one tool call with R code, then an answer from the tool's result. */
async function offline(): Promise<string> {
  const code = 'd <- query_db("mtcars", 100)\nsort(tapply(d$mpg, d$cyl, mean), decreasing = TRUE)';
  const model = new MockLanguageModelV4({
    doGenerate: ({ prompt }) => {
      const last = prompt.at(-1);
      const usage = {
        inputTokens: { total: 0, noCache: 0, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: 0, text: 0, reasoning: undefined },
      };
      if (last?.role !== "tool") {
        console.log(`[model calls execute_r]\n${code}`);
        const input = JSON.stringify({ code });
        return Promise.resolve({
          content: [{ type: "tool-call", toolCallId: "1", toolName: "execute_r", input }],
          finishReason: { unified: "tool-calls", raw: undefined },
          usage,
          warnings: [],
        });
      }
      const part = last.content[0];
      const result = part.type === "tool-result" && part.output.type === "text"
        ? part.output.value
        : "";
      console.log(`[tool result]\n${result}`);
      const best = result.split("\n")[0].trim().split(/\s+/)[0];
      return Promise.resolve({
        content: [{ type: "text", text: `${best} cylinders (mean mpg by cylinders:\n${result})` }],
        finishReason: { unified: "stop", raw: undefined },
        usage,
        warnings: [],
      });
    },
  });
  const { text } = await generateText({
    model,
    tools: { execute_r: asAiSdkTool(session) },
    stopWhen: stepCountIs(4),
    prompt: QUESTION,
  });
  return text;
}

/** The same question to a real model, through OpenAI's Chat Completions. */
async function withOpenAI(): Promise<string> {
  const client = new OpenAI();
  const tool = toolDefinition(session);
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: QUESTION }];
  for (let step = 0; step < 6; step++) {
    const r = await client.chat.completions.create({
      model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
      messages,
      tools: [openAIChatTool(tool)],
    });
    const message = r.choices[0].message;
    messages.push(message);
    if (!message.tool_calls?.length) return message.content ?? "";
    for (const call of message.tool_calls) {
      if (call.type === "function") {
        console.log(`[model calls execute_r]\n${call.function.arguments}`);
      }
    }
    messages.push(...await openAIChatToolMessages(tool, message));
  }
  return "(no answer after 6 steps)";
}
