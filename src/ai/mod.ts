/**
 * `asAiSdkTool`: the `execute_r` tool for the Vercel AI SDK (`ai` v7: `generateText`,
 * `streamText`, agents). This is the only module that imports `ai`; the package is a peer
 * you install yourself. `ai` v7 declares Node 22 or later: this entry point is tested on
 * Deno and Bun.
 *
 * Each call runs the model's R code on the session or pool and returns text (the formatted
 * result, or the formatted error as `error-text`), plus the images the code drew as file
 * parts. Errors never become exceptions. With a pool, calls are independent; to bind a
 * conversation to one session, lease one (`pool.acquire()`) and pass `lease.session`.
 *
 * @example
 * ```ts
 * import { generateText, stepCountIs } from "ai";
 * import { SecureSession } from "@securer/securer";
 * import { asAiSdkTool } from "@securer/securer/ai";
 *
 * await using session = await SecureSession.create({ sandbox: true });
 * const { text } = await generateText({
 *   model, // any AI SDK model
 *   tools: { execute_r: asAiSdkTool(session) },
 *   stopWhen: stepCountIs(5),
 *   prompt: "What is the mean of 1:10? Use R.",
 * });
 * ```
 *
 * @module
 */
import { jsonSchema, type Tool, tool } from "ai";
import {
  executeRInputSchema,
  type ExecuteRToolOptions,
  resolveTool,
  type RExecutor,
  runTool,
  type ToolOutcome,
} from "../agents/r_executor.ts";

export type { ExecuteRToolOptions, RExecutor, ToolOutcome } from "../agents/r_executor.ts";

/** The tool's input as the model sends it. */
export interface ExecuteRInput {
  /** R code; the value of the last expression is returned. */
  code: string;
}

/**
 * The `execute_r` tool over a session or a pool, for the `tools` of `generateText` and
 * `streamText` (its key is the name the model sees; use `"execute_r"`).
 */
export function asAiSdkTool(
  sessionOrPool: RExecutor,
  options: ExecuteRToolOptions = {},
): Tool<ExecuteRInput, ToolOutcome> {
  const resolved = resolveTool(sessionOrPool, options);
  return tool({
    description: resolved.description,
    // The arguments are validated (and errors reported as text) by runTool, not here: a
    // failed validation in the SDK would become an exception-like error part.
    inputSchema: jsonSchema<ExecuteRInput>(
      executeRInputSchema() as Parameters<typeof jsonSchema>[0],
    ),
    execute: (input, { abortSignal }) => runTool(sessionOrPool, resolved, input, abortSignal),
    toModelOutput: ({ output }) => {
      if (output.isError) return { type: "error-text", value: output.text };
      if (output.images.length === 0) return { type: "text", value: output.text };
      return {
        type: "content",
        value: [
          { type: "text", text: output.text },
          ...output.images.map((image) => ({
            type: "file" as const,
            data: { type: "data" as const, data: image.data },
            mediaType: image.mimeType,
          })),
        ],
      };
    },
  });
}
