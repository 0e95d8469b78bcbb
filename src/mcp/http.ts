/**
 * `mcpOverHttp`: the MCP server on the Streamable HTTP transport (the SDK's web-standard
 * `WebStandardStreamableHTTPServerTransport`), as a handler the HTTP app mounts at `/mcp`
 * (`createApp({ mcp: mcpOverHttp() })`, and `securer serve`), behind the app's bearer token.
 *
 * It is stateless: every POST gets its own server and transport and is answered with JSON,
 * so no MCP session is kept between requests and each `execute_r` call runs on a free pooled
 * session, independent of the others (the tool's description says so). A GET (a
 * server-to-client stream) or DELETE (ending an MCP session) is answered 405.
 *
 * @module
 */
// @ts-ignore: Deno finds no types for the SDK's wildcard subpaths (`./*` → `*.js.d.ts`).
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { ExecuteRToolOptions, RExecutor } from "../agents/r_executor.ts";
import { createMcpServer } from "./create_mcp_server.ts";

/** Options of {@linkcode mcpOverHttp}: the tool's, and the server's name and version. */
export interface McpOverHttpOptions extends ExecuteRToolOptions {
  /** The server's name in the MCP handshake. @default "securer" */
  readonly serverName?: string;
  /** The server's version in the MCP handshake. @default "0.1.0" */
  readonly serverVersion?: string;
}

/** A Streamable HTTP endpoint over an executor: one fetch-style handler. */
export type McpHttpHandler = (request: Request) => Promise<Response>;

interface WebTransport {
  handleRequest(request: Request): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The `/mcp` endpoint for the HTTP app: given what the app runs code on, a handler for
 * Streamable HTTP requests. `persistent` defaults to `false` (each call may land on another
 * session).
 *
 * @example
 * ```ts
 * import { createApp } from "@securer/securer/http";
 * import { mcpOverHttp } from "@securer/securer/mcp";
 *
 * const app = await createApp({ poolOptions: { size: 2 }, token: "change-me", mcp: mcpOverHttp() });
 * // MCP clients connect to http://127.0.0.1:8787/mcp with "Authorization: Bearer change-me"
 * ```
 */
export function mcpOverHttp(
  options: McpOverHttpOptions = {},
): (executor: RExecutor) => McpHttpHandler {
  const settings = { persistent: false, ...options };
  return (executor) => async (request) => {
    if (request.method !== "POST") {
      return Response.json({
        jsonrpc: "2.0",
        error: {
          code: -32000,
          message: "Method not allowed: this endpoint is stateless (POST only).",
        },
        id: null,
      }, { status: 405, headers: { allow: "POST" } });
    }
    const server = createMcpServer({ ...settings, pool: executor });
    const transport: WebTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport as unknown as Parameters<typeof server.connect>[0]);
    // A client that goes away mid-call cancels it: the handler answers at once (to no one:
    // 499) and closes the server, which aborts its in-flight handlers, and `execute_r` passes
    // that abort on to the execution (as a timeout stops it).
    let cancel = () => {};
    const gone = new Promise<Response>((resolve) => {
      cancel = () =>
        resolve(new Response(null, { status: 499, statusText: "Client Closed Request" }));
    });
    if (request.signal.aborted) cancel();
    else request.signal.addEventListener("abort", cancel, { once: true });
    try {
      return await Promise.race([transport.handleRequest(request), gone]);
    } finally {
      request.signal.removeEventListener("abort", cancel);
      await server.close();
    }
  };
}
