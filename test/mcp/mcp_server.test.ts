import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-ignore: Deno finds no types for the SDK's wildcard subpaths (`./*` → `*.js.d.ts`).
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
// @ts-ignore: as above.
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { SecureSession } from "../../mod.ts";
import { createMcpServer } from "../../src/mcp/mod.ts";
import { SANDBOX } from "../_backends.ts";
import { noR, SLOW } from "../_helpers.ts";
import tools from "./fixtures/tools.ts";

type Content = { type: string; text?: string }[];
const textOf = (r: { content: unknown }) => (r.content as Content).map((c) => c.text).join("\n");

/** The checks both transports must pass, on a connected client. */
async function exercise(client: Client) {
  const { tools: listed } = await client.listTools();
  assert.deepEqual(listed.map((t) => t.name), ["execute_r"]);
  assert.match(listed[0].description ?? "", /query_db\(table, limit\): Query a database table/);
  assert.deepEqual(listed[0].inputSchema.required, ["code"]);

  const ok = await client.callTool({
    name: "execute_r",
    arguments: { code: 'd <- query_db("mtcars", 4)\nmean(d$mpg)' },
  });
  assert.equal(ok.isError, false);
  assert.equal(textOf(ok), "20.975");

  const failed = await client.callTool({
    name: "execute_r",
    arguments: { code: 'stop("no such table")' },
  });
  assert.equal(failed.isError, true);
  assert.equal(textOf(failed), "Error: no such table");
}

describe("createMcpServer", { skip: noR || SANDBOX.skip }, () => {
  let session: SecureSession;
  before(async () => {
    session = await SecureSession.create({ ...SANDBOX.options, tools });
  });
  after(() => session?.close());

  it("serves execute_r to the SDK's Client over an in-memory transport", SLOW, async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = createMcpServer({ session, timeout: 3000 });
    await server.connect(serverSide);
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(clientSide);
    try {
      await exercise(client);
      const slow = await client.callTool({
        name: "execute_r",
        arguments: { code: "Sys.sleep(30)" },
      });
      assert.equal(slow.isError, true);
      assert.match(textOf(slow), /^Error: Execution timed out after/);
      const bad = await client.callTool({ name: "execute_r", arguments: { code: "" } });
      assert.equal(bad.isError, true);
      assert.match(textOf(bad), /^Invalid arguments/);
    } finally {
      await client.close();
    }
  });
});

const runtime = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined"
  ? "deno"
  : typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"
  ? "bun"
  : null;

describe("the MCP stdio server", {
  skip: noR || SANDBOX.skip || (runtime === null && "runs the server under Deno or Bun"),
}, () => {
  it("answers a real stdio client end to end", SLOW, async () => {
    const script = new URL("../../src/mcp/stdio.ts", import.meta.url).pathname;
    const fixture = new URL("./fixtures/tools.ts", import.meta.url).pathname;
    const args = runtime === "deno"
      ? ["run", "-A", script, "--tools", fixture, "--timeout", "500"]
      : [script, "--tools", fixture, "--timeout", "500"];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args,
      stderr: "inherit",
    });
    const client = new Client({ name: "test", version: "1.0.0" });
    const started = performance.now();
    await client.connect(transport);
    const connected = performance.now();
    try {
      await client.listTools(); // the session is warm once this answers
      const warm = performance.now();
      await client.listTools();
      const listed = performance.now();
      console.log(
        `MCP stdio (${runtime}): spawn → initialized ${Math.round(connected - started)} ms, ` +
          `first tools/list ${Math.round(warm - connected)} ms, ` +
          `warm tools/list ${(listed - warm).toFixed(1)} ms`,
      );
      await exercise(client);
      const slow = await client.callTool({
        name: "execute_r",
        arguments: { code: "Sys.sleep(60)" },
      });
      assert.equal(slow.isError, true);
      assert.match(textOf(slow), /^Error: Execution timed out after 0.5/);
    } finally {
      await client.close();
    }
  });
});
