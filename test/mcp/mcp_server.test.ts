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
import { eventually, noR, processAlive, SLOW } from "../_helpers.ts";
import tools from "./fixtures/tools.ts";
import { exercise, textOf } from "./_mcp_checks.ts";

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

/** How this runtime runs the `securer` command line from source. */
function cliCommand(): { command: string; args: string[] } {
  const bin = new URL("../../src/cli/bin.ts", import.meta.url).pathname;
  if (typeof (globalThis as { Deno?: unknown }).Deno !== "undefined") {
    return { command: process.execPath, args: ["run", "-A", bin] };
  }
  if (typeof (globalThis as { Bun?: unknown }).Bun !== "undefined") {
    return { command: process.execPath, args: [bin] };
  }
  return { command: process.execPath, args: ["--import", "tsx", bin] };
}

/** Starts `securer mcp <flags>` as a subprocess and connects the SDK's stdio client to it. */
async function startCli(flags: string[]) {
  const fixture = new URL("./fixtures/tools.ts", import.meta.url).pathname;
  const { command, args } = cliCommand();
  const transport = new StdioClientTransport({
    command,
    args: [...args, "mcp", "--tools", fixture, ...flags],
    stderr: "inherit",
  });
  const client = new Client({ name: "test", version: "1.0.0" });
  const started = performance.now();
  await client.connect(transport);
  return { client, transport, connectMs: performance.now() - started };
}

describe("securer mcp (stdio, a real subprocess)", { skip: noR || SANDBOX.skip }, () => {
  it("answers the SDK's stdio client from a pool: tools, a host tool, an R error, a timeout", {
    timeout: 120_000,
  }, async () => {
    const { client, transport, connectMs } = await startCli([
      "--pool-size",
      "2",
      "--timeout",
      "500",
    ]);
    const pid = transport.pid;
    try {
      // The pool is warm once the server answers initialize: it connects after the pool started.
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await client.listTools();
        times.push(performance.now() - t);
      }
      console.log(
        `securer mcp (${
          cliCommand().args[0] === "run" ? "deno" : process.versions.bun ? "bun" : "node"
        }): ` +
          `spawn → initialized ${Math.round(connectMs)} ms; warm tools/list ` +
          times.map((t) => t.toFixed(1)).join(", ") + " ms",
      );
      await exercise(client);
      const { tools: listed } = await client.listTools();
      assert.match(listed[0].description ?? "", /State does not persist/);
      const slow = await client.callTool({
        name: "execute_r",
        arguments: { code: "Sys.sleep(60)" },
      });
      assert.equal(slow.isError, true);
      assert.match(textOf(slow), /^Error: Execution timed out after 0.5/);
    } finally {
      await client.close();
    }
    assert.ok(pid !== null && await eventually(() => !processAlive(pid), 20_000), "it exits");
  });

  it("binds the client to one session with --persist", { timeout: 120_000 }, async () => {
    const { client } = await startCli(["--pool-size", "1", "--persist"]);
    try {
      const { tools: listed } = await client.listTools();
      assert.match(listed[0].description ?? "", /State persists/);
      const set = await client.callTool({ name: "execute_r", arguments: { code: "x <- 41" } });
      assert.equal(set.isError, false);
      const got = await client.callTool({ name: "execute_r", arguments: { code: "x + 1" } });
      assert.equal(textOf(got), "42");
    } finally {
      await client.close();
    }
  });
});
