/**
 * MCP over Streamable HTTP at `/mcp` on the HTTP app: the SDK's own `Client` with its
 * `StreamableHTTPClientTransport`, sending through `app.request()`, behind the bearer token,
 * over a real pool of sandboxed sessions. And `./http` itself never loads the MCP SDK.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-ignore: Deno finds no types for the SDK's wildcard subpaths (`./*` → `*.js.d.ts`).
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createApp, type SecurerApp } from "../../src/http/mod.ts";
import { mcpOverHttp } from "../../src/mcp/mod.ts";
import { SANDBOX } from "../_backends.ts";
import { noR, SLOW } from "../_helpers.ts";
import tools from "./fixtures/tools.ts";
import { exercise, textOf } from "./_mcp_checks.ts";

const TOKEN = "mcp-test-token-0123456789";

/** A client connected to the app's `/mcp` through `app.request()`. */
async function connect(app: SecurerApp, token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: (url: string | URL, init?: RequestInit) =>
      Promise.resolve(app.request(String(url), init)),
  });
  const client = new Client({ name: "http-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

describe("MCP over Streamable HTTP at /mcp", { skip: noR || SANDBOX.skip }, () => {
  let app: SecurerApp;
  before(async () => {
    app = await createApp({
      poolOptions: { ...SANDBOX.options, size: 1, sandbox: SANDBOX.options.sandbox ?? true },
      tools,
      token: TOKEN,
      maxTimeout: 800,
      mcp: mcpOverHttp(),
    });
  }, SLOW);
  after(() => app?.close());

  it(
    "lists execute_r, runs code that calls a host tool, reports an R error and a timeout",
    SLOW,
    async () => {
      const client = await connect(app, TOKEN);
      try {
        await exercise(client);
        const { tools: listed } = await client.listTools();
        assert.match(listed[0].description ?? "", /State does not persist/);
        // The tool's 30 s default is capped at the app's maxTimeout (800 ms).
        const slow = await client.callTool({
          name: "execute_r",
          arguments: { code: "Sys.sleep(30)" },
        });
        assert.equal(slow.isError, true);
        assert.match(textOf(slow), /^Error: Execution timed out after 0.8/);
      } finally {
        await client.close();
      }
    },
  );

  it("refuses a client without the bearer token (401)", async () => {
    await assert.rejects(connect(app, "wrong-token"), /401|Unauthorized|authenticate/i);
    const res = await app.request("/mcp", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json())._tag, "UnauthorizedError");
  });

  it("cancels the execution of a call whose client goes away", SLOW, async () => {
    // One session whose state carries over: the next execution waits for it, and sees
    // whether the abandoned call ran to its end.
    await using own = await createApp({
      poolOptions: { ...SANDBOX.options, size: 1, sandbox: SANDBOX.options.sandbox ?? true },
      token: TOKEN,
      mcp: mcpOverHttp(),
    });
    const gone = new AbortController();
    const call = Promise.resolve(own.request("/mcp", {
      method: "POST",
      headers: {
        authorization: `Bearer ${TOKEN}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: {
          name: "execute_r",
          arguments: { code: 'Sys.sleep(3); assign("finished", TRUE, globalenv())' },
        },
      }),
      signal: gone.signal,
    })).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    gone.abort();
    await call;
    const next = await own.request("/v1/execute", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ code: 'exists("finished")' }),
    });
    assert.equal(next.status, 200, await next.clone().text());
    assert.equal((await next.json()).value, false, "the abandoned call was stopped");
  });

  it("answers a GET (no server-to-client stream when stateless) with 405", async () => {
    const res = await app.request("/mcp", {
      headers: { authorization: `Bearer ${TOKEN}`, accept: "text/event-stream" },
    });
    assert.equal(res.status, 405);
  });
});

describe("the ./http entry point", () => {
  it("never imports the MCP SDK (only ./mcp does)", () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const seen = new Set<string>();
    const offenders: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
        const spec = m[1];
        if (spec.startsWith("@modelcontextprotocol/")) offenders.push(`${file}: ${spec}`);
        if (spec.startsWith(".") && !/^\s*import\s+type\b/.test(m[0])) {
          walk(join(dirname(file), spec));
        }
      }
      for (const m of text.matchAll(/import\(\s*"([^"]+)"\s*\)/g)) {
        if (m[1].startsWith("@modelcontextprotocol/")) offenders.push(`${file}: ${m[1]}`);
        if (m[1].startsWith(".")) walk(join(dirname(file), m[1]));
      }
    };
    walk(join(root, "src/http/mod.ts"));
    assert.ok(seen.size > 5, `followed ${seen.size} modules`);
    assert.deepEqual(offenders, []);
  });
});
