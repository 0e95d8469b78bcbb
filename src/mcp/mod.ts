/**
 * The MCP server of securer (`@securer/securer/mcp`), on the official
 * `@modelcontextprotocol/sdk`: `createMcpServer` gives the SDK's `Server` with one tool,
 * `execute_r`, over a session or a pool; `serveStdio` serves it on stdin and stdout
 * (`securer mcp`); `mcpOverHttp` mounts it on the HTTP app at `/mcp` (Streamable HTTP).
 * This is the only entry point that imports the MCP SDK.
 *
 * Results are text content (the formatted value, output and a note of images), then one
 * image content item per image the code drew; errors are text content with `isError`.
 * Over a pool every call is independent; a client that needs state across calls gets a
 * server over one session (`createMcpServer({ session })`, or `securer mcp --persist`).
 *
 * @example
 * ```ts
 * import { SecureSession } from "@securer/securer";
 * import { serveStdio } from "@securer/securer/mcp";
 *
 * await using session = await SecureSession.create({ sandbox: true });
 * await serveStdio({ session }); // until the client closes stdin
 * ```
 *
 * @module
 */
export {
  type CallToolResult,
  createMcpServer,
  type McpServerOptions,
  toCallToolResult,
} from "./create_mcp_server.ts";
export { serveStdio, type StdioServeOptions } from "./stdio.ts";
export { type McpHttpHandler, mcpOverHttp, type McpOverHttpOptions } from "./http.ts";
export type { ExecuteRToolOptions, RExecutor } from "../agents/r_executor.ts";
