/**
 * `toolDefinition`: the `execute_r` tool for raw function calling — a name, the description
 * every adapter shares, a JSON Schema generated from the valibot input schema, and a handler
 * that runs the code and returns text for the model. The OpenAI and Anthropic shapes of it
 * are in `provider_shapes.ts`.
 *
 * @module
 */
import {
  executeRInputSchema,
  type ExecuteRToolOptions,
  resolveTool,
  type RExecutor,
  runTool,
  type ToolOutcome,
} from "./r_executor.ts";

/** The `execute_r` tool, ready to hand to any function-calling API. */
export interface ExecuteRToolDefinition {
  /** The tool's name (`execute_r` unless changed). */
  readonly name: string;
  /** What the tool does, the host functions R can call, the limits, and whether state persists. */
  readonly description: string;
  /** JSON Schema (draft-07) of the arguments: `{ code: string }`. */
  readonly inputSchema: Record<string, unknown>;
  /**
   * Runs one call and returns the text for the model: the formatted result, or the formatted
   * error. `args` is the arguments object or its JSON text. Never throws.
   */
  handle(args: unknown, options?: { readonly signal?: AbortSignal }): Promise<string>;
  /** As {@linkcode handle}, with whether it failed and any images. Never throws. */
  run(args: unknown, options?: { readonly signal?: AbortSignal }): Promise<ToolOutcome>;
}

/**
 * The `execute_r` tool over a session or a pool.
 *
 * @example
 * ```ts
 * import { SecureSession, securerTool, toolDefinition } from "@securer/securer";
 *
 * const add = securerTool({
 *   name: "add",
 *   description: "Add two numbers",
 *   args: { a: "numeric", b: "numeric" },
 *   fn: ({ a, b }) => Number(a) + Number(b),
 * });
 * await using session = await SecureSession.create({ tools: [add], sandbox: true });
 * const tool = toolDefinition(session);
 * console.log(tool.description); // mentions add(a, b): Add two numbers
 * console.log(await tool.handle({ code: "add(1, 2)" })); // 3
 * console.log(await tool.handle('{"code": "stop(\\"boom\\")"}')); // Error: boom
 * ```
 */
export function toolDefinition(
  sessionOrPool: RExecutor,
  options: ExecuteRToolOptions = {},
): ExecuteRToolDefinition {
  const tool = resolveTool(sessionOrPool, options);
  const run = (args: unknown, o?: { readonly signal?: AbortSignal }) =>
    runTool(sessionOrPool, tool, args, o?.signal);
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: executeRInputSchema(),
    run,
    handle: async (args, o) => (await run(args, o)).text,
  };
}
