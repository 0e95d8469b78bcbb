/**
 * The MCP server over stdio (`deno task mcp`): one R session, sandboxed unless
 * `--no-sandbox`, with the host tools of `--tools <module>` (its default export, an array of
 * `securerTool()`s) and a per-call `--timeout <ms>` (default 30000), serving `execute_r` to the one client on stdin/stdout until stdin
 * closes. One client, one session: variables persist across the client's calls.
 *
 * ```sh
 * deno run -A src/mcp/stdio.ts --tools ./tools.ts
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
// @ts-ignore: Deno finds no types for the SDK's wildcard subpaths (`./*` → `*.js.d.ts`).
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { SecureSession } from "../facade/secure_session.ts";
import type { Tool } from "../tools/securer_tool.ts";
import { createMcpServer } from "./mod.ts";

const { values } = parseArgs({
  options: {
    tools: { type: "string" },
    "no-sandbox": { type: "boolean" },
    timeout: { type: "string" },
  },
  strict: true,
});
let tools: readonly Tool[] = [];
if (values.tools !== undefined) {
  const mod = await import(pathToFileURL(resolve(values.tools)).href);
  if (!Array.isArray(mod.default)) {
    throw new TypeError(`Cannot load --tools ${values.tools}: its default export must be an array`);
  }
  tools = mod.default;
}
const session = await SecureSession.create({ tools, sandbox: values["no-sandbox"] !== true });
const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) {
  throw new RangeError(
    `Cannot start: --timeout must be a positive number of ms, not ${values.timeout}`,
  );
}
const server = createMcpServer({ session, timeout });
server.onclose = () => {
  session.close().finally(() => process.exit(0));
};
await server.connect(new StdioServerTransport());
