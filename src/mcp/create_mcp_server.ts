/**
 * `createMcpServer`: an MCP server (the official `@modelcontextprotocol/sdk`) with one tool,
 * `execute_r`, that runs R code on a session or a pool. Results are text content (the
 * formatted value, output and a note of images), followed by one image content item per
 * image the code drew; errors are text content with `isError`.
 *
 * @module
 */
import { Server } from "@modelcontextprotocol/sdk/server";
import * as z from "zod";
import {
  executeRInputSchema,
  type ExecuteRToolOptions,
  resolveTool,
  type RExecutor,
  runTool,
  type ToolOutcome,
} from "../agents/r_executor.ts";

/**
 * The two requests the server answers. They are declared here, not imported from the SDK's
 * `types.js`: Deno finds no types for the SDK's wildcard subpaths (`./*` maps `types.js` to a
 * `types.js.d.ts` that does not exist), only for `.`, `./server` and `./client`.
 */
const ListToolsRequest = z.object({ method: z.literal("tools/list") });
const CallToolRequest = z.object({
  method: z.literal("tools/call"),
  params: z.object({ name: z.string(), arguments: z.record(z.string(), z.unknown()).optional() }),
});

/** An MCP `tools/call` result. */
export interface CallToolResult {
  /** Text first, then one item per image. */
  readonly content: (
    | { readonly type: "text"; readonly text: string }
    | { readonly type: "image"; readonly data: string; readonly mimeType: string }
  )[];
  /** `true` when the code did not run to completion. */
  readonly isError: boolean;
  /** Other fields of the MCP result. */
  readonly [key: string]: unknown;
}

/** Where the server runs code, and how the tool is described. */
export type McpServerOptions =
  & ExecuteRToolOptions
  & (
    | { readonly pool: RExecutor; readonly session?: undefined }
    | { readonly session: RExecutor; readonly pool?: undefined }
  )
  & {
    /** The server's name in the MCP handshake. @default "securer" */
    readonly serverName?: string;
    /** The server's version in the MCP handshake. @default "0.1.0" */
    readonly serverVersion?: string;
  };

/**
 * An MCP server offering `execute_r` over the given pool or session. It does not own them:
 * closing the server leaves them open.
 */
export function createMcpServer(options: McpServerOptions): Server {
  const executor = options.pool ?? options.session;
  if (!executor) throw new TypeError("Cannot create the MCP server: pass `pool` or `session`");
  const tool = resolveTool(executor, options);
  const server = new Server(
    { name: options.serverName ?? "securer", version: options.serverVersion ?? "0.1.0" },
    { capabilities: { tools: {} } },
  );
  server.setRequestHandler(ListToolsRequest, () => ({
    tools: [{
      name: tool.name,
      description: tool.description,
      inputSchema: executeRInputSchema() as { type: "object" },
      annotations: { title: "Run R code", openWorldHint: false, destructiveHint: false },
    }],
  }));
  server.setRequestHandler(
    CallToolRequest,
    async (request, extra): Promise<CallToolResult> => {
      if (request.params.name !== tool.name) {
        return {
          content: [{ type: "text", text: `Unknown tool "${request.params.name}".` }],
          isError: true,
        };
      }
      const outcome = await runTool(executor, tool, request.params.arguments, extra.signal);
      return toCallToolResult(outcome);
    },
  );
  return server;
}

/** A tool outcome as MCP content: its text, then each image. */
export function toCallToolResult(outcome: ToolOutcome): CallToolResult {
  return {
    content: [
      { type: "text", text: outcome.text },
      ...outcome.images.map((image) => ({
        type: "image" as const,
        data: base64(image.data),
        mimeType: image.mimeType,
      })),
    ],
    isError: outcome.isError,
  };
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
