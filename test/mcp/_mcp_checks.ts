/**
 * What every MCP transport under test must do, on a client connected to `execute_r` over the
 * fixture tools (`fixtures/tools.ts`): list the tool with its host tools in the description,
 * run code that calls one, and report an R error as an error result.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Client } from "@modelcontextprotocol/sdk/client";

type Content = { type: string; text?: string }[];

/** The text items of a `tools/call` result, joined by newlines. */
export const textOf = (r: Record<string, unknown>): string =>
  ((r.content ?? []) as Content).map((c) => c.text).join("\n");

/** The checks every transport must pass, on a connected client. */
export async function exercise(client: Client): Promise<void> {
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
