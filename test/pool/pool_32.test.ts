/**
 * A pool of 32 sessions (sandboxed when a sandbox works here, as the pool's default) starts,
 * serves 64 concurrent executions — 32 of them at once, on 32 different sessions — and closes
 * leaving nothing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { securerTool, SecureSessionPool } from "../../mod.ts";
import { BACKENDS, SANDBOX } from "../_backends.ts";
import { leftovers, snapshot } from "./_leaks.ts";

const backend = SANDBOX.skip === false && !SANDBOX.failure ? SANDBOX : BACKENDS[0];

describe(`a pool of 32 [${backend.name}]`, { skip: backend.skip }, () => {
  it("starts, serves and closes", { timeout: 300_000 }, async () => {
    const before = snapshot();
    // The first 32 executions wait in `gate()` until all 32 are in: so 32 run at once, one on
    // each session (however slowly the machine starts them); the rest pass straight through.
    let arrived = 0;
    let open!: () => void;
    const allIn = new Promise<void>((r) => (open = r));
    const gate = securerTool({
      name: "gate",
      args: {},
      fn: async () => {
        if (++arrived === 32) open();
        await allIn;
        return true;
      },
    });
    const pool = await SecureSessionPool.create({
      ...backend.options,
      tools: [gate],
      toolTimeout: 200_000,
      size: 32,
      startTimeout: 240_000,
      acquireTimeout: 120_000,
    });
    try {
      assert.deepEqual(pool.status(), { total: 32, busy: 0, idle: 32, dead: 0, starting: 0 });
      // The session's directory names it (not `runif()`: in a sandbox every R is pid 2, so
      // two sessions seeding in the same instant can draw the same numbers).
      const code = "gate(); commandArgs(TRUE)[[1L]]";
      const results = await Promise.all(
        Array.from({ length: 64 }, () => pool.execute(code, { timeout: 200_000 })),
      );
      assert.equal(new Set(results.map((r) => r.value)).size, 32);
    } finally {
      await pool.close();
    }
    assert.deepEqual(await leftovers(before), { processes: [], dirs: [], cgroups: [] });
  });
});
