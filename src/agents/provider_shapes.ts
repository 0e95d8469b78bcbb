/**
 * The `execute_r` tool in the request shapes of the OpenAI and Anthropic APIs, and the
 * results in the shapes their follow-up requests take. Plain objects: neither SDK is
 * imported, so using them loads nothing.
 *
 * @module
 */
import type { ExecuteRToolDefinition } from "./tool_definition.ts";
import type { ToolOutcome } from "./r_executor.ts";

/** A `tools` entry of OpenAI Chat Completions. */
export interface OpenAIChatTool {
  /** Always `function`. */
  readonly type: "function";
  /** The function's name, description and JSON Schema. */
  readonly function: {
    readonly name: string;
    readonly description: string;
    readonly parameters: Record<string, unknown>;
  };
}

/** A `tools` entry of the OpenAI Responses API. */
export interface OpenAIResponsesTool {
  /** Always `function`. */
  readonly type: "function";
  /** The tool's name. */
  readonly name: string;
  /** The tool's description. */
  readonly description: string;
  /** The JSON Schema of the arguments. */
  readonly parameters: Record<string, unknown>;
  /** Strict schema adherence is left off: it refuses `minLength`. */
  readonly strict: false;
}

/** A `tools` entry of the Anthropic Messages API. */
export interface AnthropicTool {
  /** The tool's name. */
  readonly name: string;
  /** The tool's description. */
  readonly description: string;
  /** The JSON Schema of the input. */
  readonly input_schema: { readonly type: "object"; readonly [key: string]: unknown };
}

/**
 * The tool as an OpenAI Chat Completions `tools` entry.
 *
 * @example
 * ```ts
 * import { openAIChatTool, SecureSession, toolDefinition } from "@securer/securer";
 *
 * await using session = await SecureSession.create();
 * const tools = [openAIChatTool(toolDefinition(session))];
 * ```
 */
export function openAIChatTool(tool: ExecuteRToolDefinition): OpenAIChatTool {
  return {
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  };
}

/** The tool as an OpenAI Responses API `tools` entry. */
export function openAIResponsesTool(tool: ExecuteRToolDefinition): OpenAIResponsesTool {
  return {
    type: "function",
    name: tool.name,
    description: tool.description,
    parameters: tool.inputSchema,
    strict: false,
  };
}

/** The tool as an Anthropic Messages API `tools` entry. */
export function anthropicTool(tool: ExecuteRToolDefinition): AnthropicTool {
  return {
    name: tool.name,
    description: tool.description,
    input_schema: { ...tool.inputSchema, type: "object" },
  };
}

/**
 * Runs every `execute_r` call of a Chat Completions assistant message and returns the `tool`
 * messages to append (calls of other tools are left to you).
 */
export async function openAIChatToolMessages(
  tool: ExecuteRToolDefinition,
  message: {
    readonly tool_calls?:
      | readonly {
        readonly id: string;
        readonly type: string;
        readonly function?: { readonly name: string; readonly arguments: string };
      }[]
      | null;
  },
): Promise<{ role: "tool"; tool_call_id: string; content: string }[]> {
  const out: { role: "tool"; tool_call_id: string; content: string }[] = [];
  for (const call of message.tool_calls ?? []) {
    if (call.type !== "function" || call.function?.name !== tool.name) continue;
    const content = await tool.handle(call.function.arguments);
    out.push({ role: "tool", tool_call_id: call.id, content });
  }
  return out;
}

/**
 * Runs every `execute_r` `function_call` item of a Responses API output and returns the
 * `function_call_output` items to send back.
 */
export async function openAIResponsesToolOutputs(
  tool: ExecuteRToolDefinition,
  output: readonly {
    readonly type: string;
    readonly name?: unknown;
    readonly call_id?: unknown;
    readonly arguments?: unknown;
  }[],
): Promise<{ type: "function_call_output"; call_id: string; output: string }[]> {
  const out: { type: "function_call_output"; call_id: string; output: string }[] = [];
  for (const item of output) {
    if (item.type !== "function_call" || item.name !== tool.name) continue;
    const args = typeof item.arguments === "string" ? item.arguments : "";
    const text = await tool.handle(args);
    const callId = typeof item.call_id === "string" ? item.call_id : "";
    out.push({ type: "function_call_output", call_id: callId, output: text });
  }
  return out;
}

/** An Anthropic `tool_result` content block. */
export interface AnthropicToolResult {
  /** Always `tool_result`. */
  readonly type: "tool_result";
  /** The `id` of the `tool_use` block it answers. */
  readonly tool_use_id: string;
  /** The text for the model. */
  readonly content: string;
  /** Whether the code failed. */
  readonly is_error: boolean;
}

/**
 * Runs every `execute_r` `tool_use` block of an Anthropic message's content and returns the
 * `tool_result` blocks for the next user message (errors carry `is_error: true`).
 */
export async function anthropicToolResults(
  tool: ExecuteRToolDefinition,
  content: readonly {
    readonly type: string;
    readonly id?: string;
    readonly name?: string;
    readonly input?: unknown;
  }[],
): Promise<AnthropicToolResult[]> {
  const out: AnthropicToolResult[] = [];
  for (const block of content) {
    if (block.type !== "tool_use" || block.name !== tool.name) continue;
    const r: ToolOutcome = await tool.run(block.input);
    out.push({
      type: "tool_result",
      tool_use_id: block.id ?? "",
      content: r.text,
      is_error: r.isError,
    });
  }
  return out;
}
