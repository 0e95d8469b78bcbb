/**
 * Code that closes every connection — `closeAllConnections()`, common in cleanup code, or
 * a loop of `close()` — closes the runtime's channel too. The runtime opens it again: the
 * execution completes, its output and tool calls still arrive, the session (and its
 * state) carries on, and a connection of the user's that took a freed number is never
 * mistaken for the channel. A pool's `"state"` reset keeps the reopened channel and closes
 * the user's connections.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { securerTool, SecureSession, SecureSessionPool } from "../../mod.ts";
import { BACKENDS } from "../_backends.ts";
import { SLOW } from "../_helpers.ts";

const add = securerTool({
  name: "add",
  args: { a: "numeric", b: "numeric" },
  fn: ({ a, b }) => (a as number) + (b as number),
});

for (const backend of BACKENDS) {
  describe(`a closed channel [${backend.name}]`, { skip: backend.skip }, () => {
    it("is opened again: closeAllConnections() ends no session", SLOW, async () => {
      await using s = await SecureSession.create({ ...backend.options, tools: [add] });
      const pid = s.info().pid;
      await s.execute("x <- 41");
      const r = await s.execute(
        'cat("before\\n"); closeAllConnections(); cat("after\\n"); message("note"); x + 1',
      );
      assert.equal(r.value, 42);
      assert.deepEqual(r.output, ["before", "after", "note"]);
      // A tool call right after: its message and its reply go through the reopened channel.
      const t = await s.execute("closeAllConnections(); add(x, 1)");
      assert.equal(t.value, 42);
      // Connections closed one by one, as cleanup loops do (the message sink, the channel's
      // output connection, cannot be closed: R refuses, as it does for any sink).
      const loop = await s.execute(
        "for (i in getAllConnections()) if (i > 2) try(close(getConnection(i)), silent = TRUE); x",
      );
      assert.equal(loop.value, 41);
      assert.equal(s.info().pid, pid, "the same R process throughout");
    });

    it(
      "never takes a user's connection that reused a freed number for the channel",
      SLOW,
      async () => {
        await using s = await SecureSession.create(backend.options);
        const pid = s.info().pid;
        // The user's file gets the lowest free number: one of the channel's until it reopens.
        const r = await s.execute(
          'closeAllConnections(); f <- file(file.path(tempdir(), "mine.txt"), "w"); as.integer(f)',
        );
        const mine = r.value as number;
        assert.ok(mine >= 3 && mine <= 5, `the user's connection took a freed number: ${mine}`);
        const next = await s.execute(
          'writeLines("kept", f); close(f); readLines(file.path(tempdir(), "mine.txt"))',
        );
        assert.equal(next.value, "kept", "the user's connection was left to the user");
        assert.equal(s.info().pid, pid);
      },
    );

    it(
      "is kept by a pool's \"state\" reset, which closes the user's connections",
      SLOW,
      async () => {
        await using pool = await SecureSessionPool.create({
          ...backend.options,
          size: 1,
          resetBetweenUses: "state",
          acquireTimeout: 30_000,
        });
        const before = (await pool.execute("length(getAllConnections())")).value;
        await pool.execute('closeAllConnections(); f <- file(file.path(tempdir(), "a"), "w"); 1');
        const after = await pool.execute("length(getAllConnections())");
        assert.equal(after.value, before, "the user's file was closed, the channel is open");
        assert.equal((await pool.execute("1 + 1")).value, 2);
        assert.equal(pool.status().dead, 0);
      },
    );
  });
}
