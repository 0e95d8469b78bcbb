/**
 * `serveStdio`: the MCP server of {@linkcode createMcpServer} on the process's stdin and
 * stdout, for the one client that started the process (`securer mcp`, `deno task mcp`). It
 * returns when the client goes away — stdin ends or the transport closes — or `signal`
 * aborts. It owns neither the pool nor the session; the caller closes them afterwards.
 *
 * Nothing else may write to stdout while it serves: stdout carries the protocol.
 *
 * @module
 */
import process from "node:process";
import type { Readable, Writable } from "node:stream";
// @ts-ignore: Deno finds no types for the SDK's wildcard subpaths (`./*` → `*.js.d.ts`).
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createMcpServer, type McpServerOptions } from "./create_mcp_server.ts";

/** Options of {@linkcode serveStdio}: the server's, plus where to read and write. */
export type StdioServeOptions = McpServerOptions & {
  /** Where requests come from. @default process.stdin */
  readonly input?: Readable;
  /** Where answers go. @default process.stdout */
  readonly output?: Writable;
  /** Aborting it closes the server. */
  readonly signal?: AbortSignal;
};

/**
 * Serves `execute_r` over stdio until the client goes away or `signal` aborts.
 *
 * @example
 * ```ts
 * import { SecureSessionPool } from "@securer/securer";
 * import { serveStdio } from "@securer/securer/mcp";
 *
 * await using pool = await SecureSessionPool.create({ size: 2, acquireTimeout: 30_000 });
 * await serveStdio({ pool }); // until the client closes stdin
 * ```
 */
export async function serveStdio(options: StdioServeOptions): Promise<void> {
  const input = options.input ?? process.stdin;
  const server = createMcpServer(options);
  let done: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (done = resolve));
  server.onclose = () => done();
  const onEnd = () => void server.close().finally(done);
  input.once("end", onEnd);
  input.once("close", onEnd);
  options.signal?.addEventListener("abort", onEnd, { once: true });
  try {
    if (options.signal?.aborted) return;
    const output = options.output ?? process.stdout;
    await server.connect(
      new StdioServerTransport(input as typeof process.stdin, output as typeof process.stdout),
    );
    await closed;
  } finally {
    input.off("end", onEnd);
    input.off("close", onEnd);
    options.signal?.removeEventListener("abort", onEnd);
  }
}
