/**
 * The adapters over a real `SecureSessionPool`: `toolDefinition` and `createMcpServer` (the
 * SDK's Client over an in-memory transport) run each call on a free session, say that state
 * does not persist, and run calls at once; a session whose R died is replaced, and the model
 * is told its state was lost — over the pool, and over a leased session that binds a
 * conversation.
 *
 * @module
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-ignore: Deno finds no types for the SDK's wildcard subpaths (`./*` → `*.js.d.ts`).
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { securerTool, SecureSessionPool, STATE_LOST_NOTE, toolDefinition } from "../../mod.ts";
import { createMcpServer } from "../../src/mcp/mod.ts";
import { SANDBOX } from "../_backends.ts";
import { noR, SLOW } from "../_helpers.ts";
import tools from "../mcp/fixtures/tools.ts";

/** A host tool each call waits in until two calls are in it (20 s at most): true if they met. */
function rendezvousTool() {
  let arrived = 0;
  let meet: () => void = () => {};
  const met = new Promise<void>((r) => (meet = r));
  return securerTool({
    name: "rendezvous",
    description: "Waits for a second caller",
    timeout: 25_000,
    fn: async () => {
      if (++arrived >= 2) meet();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 20_000)));
      const ok = await Promise.race([met.then(() => true), late]);
      clearTimeout(timer);
      return ok;
    },
  });
}

/** R code that kills its own R process. */
const KILL_R = "tools::pskill(Sys.getpid(), 9L); Sys.sleep(5)";

describe("the adapters over a SecureSessionPool", { skip: noR || SANDBOX.skip }, () => {
  let pool: SecureSessionPool;
  before(async () => {
    pool = await SecureSessionPool.create({
      ...SANDBOX.options,
      sandbox: SANDBOX.options.sandbox ?? true,
      size: 2,
      acquireTimeout: 30_000,
      tools: [...tools, rendezvousTool()],
    });
  }, SLOW);
  after(() => pool?.close());

  it(
    "toolDefinition runs calls on the pool, at once, and says state does not persist",
    SLOW,
    async () => {
      const tool = toolDefinition(pool);
      assert.match(tool.description, /query_db\(table, limit\): Query a database table/);
      assert.match(tool.description, /State does not persist/);
      // Two calls that each wait for the other: both see the other only if they run at once.
      const [a, b] = await Promise.all([
        tool.handle({ code: 'if (rendezvous()) sum(query_db("mtcars", 2)$mpg) else "alone"' }),
        tool.handle({ code: 'if (rendezvous()) nrow(query_db("mtcars", 4)) else "alone"' }),
      ]);
      assert.deepEqual([a, b], ["43.8", "4"]);
      assert.equal(await tool.handle({ code: 'stop("no such table")' }), "Error: no such table");
    },
  );

  it("createMcpServer serves the pool to the SDK's Client", SLOW, async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createMcpServer({ pool, timeout: 5_000 }).connect(serverSide);
    const client = new Client({ name: "pool-test", version: "1.0.0" });
    await client.connect(clientSide);
    try {
      const { tools: listed } = await client.listTools();
      assert.match(listed[0].description ?? "", /State does not persist/);
      const r = await client.callTool({
        name: "execute_r",
        arguments: { code: 'mean(query_db("mtcars", 4)$mpg)' },
      });
      assert.equal(r.isError, false);
      assert.deepEqual(r.content, [{ type: "text", text: "20.975" }]);
    } finally {
      await client.close();
    }
  });

  it("replaces a session whose R died and tells the model its state was lost", SLOW, async () => {
    const tool = toolDefinition(pool);
    const died = await tool.run({ code: KILL_R });
    assert.equal(died.isError, true);
    assert.ok(died.text.endsWith(STATE_LOST_NOTE), died.text);
    // The pool lends the replacement (or the other session): the next calls work.
    for (let i = 0; i < 3; i++) assert.equal(await tool.handle({ code: "1 + 1" }), "2");
    assert.equal(pool.size(), 2);
  });

  it(
    "binds a conversation to a leased session, and says so when its state is lost",
    SLOW,
    async () => {
      await using lease = await pool.acquire();
      const tool = toolDefinition(lease.session);
      assert.match(tool.description, /State persists/);
      assert.equal(await tool.handle({ code: "x <- 41; x + 1" }), "42");
      assert.equal(await tool.handle({ code: "x + 1" }), "42");
      const died = await tool.run({ code: KILL_R });
      assert.ok(died.text.endsWith(STATE_LOST_NOTE), died.text);
      // What the note said is true: the session runs again, without x.
      assert.equal(await tool.handle({ code: 'exists("x")' }), "FALSE");
    },
  );
});
