/**
 * The HTTP API of securer (`@securer/securer/http`): `createApp()` builds a Hono app over a
 * pool of sandboxed R sessions — one-shot and persistent executions, server-sent events,
 * bearer auth, body and timeout limits, an OpenAPI 3.1 document — and `serve()` runs it on
 * Deno, Bun or Node. Only this entry point imports Hono.
 *
 * @example
 * ```ts
 * import { createApp, serve } from "@securer/securer/http";
 *
 * const app = await createApp({ poolOptions: { size: 2, sandbox: true }, token: "change-me" });
 * const server = await serve(app, { host: "127.0.0.1", port: 8787 });
 * // curl -H 'Authorization: Bearer change-me' -d '{"code":"1 + 1"}' localhost:8787/v1/execute
 * await server.close();
 * await app.close();
 * ```
 *
 * @module
 */
export { type AppOptions, createApp, type SecurerApp, toolSignature } from "./create_app.ts";
export { type FetchApp, serve, type ServeOptions, type Server } from "./serve.ts";
export { type PoolOptions } from "./make_pool.ts";
export type { HttpPool, HttpSession, McpMount, PoolExecuteOptions, PoolStatus } from "./types.ts";
export { STATUS_BY_TAG } from "./error_body.ts";
export { openApiDocument } from "./openapi.ts";
