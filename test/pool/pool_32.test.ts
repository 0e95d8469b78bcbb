/**
 * A pool of 32 sessions (sandboxed when a sandbox works here, as the pool's default) starts,
 * serves 64 concurrent executions on 32 different sessions, and closes leaving nothing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SecureSessionPool } from "../../mod.ts";
import { BACKENDS, SANDBOX } from "../_backends.ts";
import { descendants, leftovers } from "./_leaks.ts";

const backend = SANDBOX.skip === false && !SANDBOX.failure ? SANDBOX : BACKENDS[0];

describe(`a pool of 32 [${backend.name}]`, { skip: backend.skip }, () => {
  it("starts, serves and closes", { timeout: 300_000 }, async () => {
    const before = descendants();
    const pool = await SecureSessionPool.create({
      ...backend.options,
      size: 32,
      startTimeout: 240_000,
      acquireTimeout: 120_000,
    });
    try {
      assert.deepEqual(pool.status(), { total: 32, busy: 0, idle: 32, dead: 0, starting: 0 });
      const code = "Sys.sleep(0.2); if (!exists('me')) me <- runif(1); me";
      const results = await Promise.all(Array.from({ length: 64 }, () => pool.execute(code)));
      assert.equal(new Set(results.map((r) => r.value)).size, 32);
    } finally {
      await pool.close();
    }
    assert.deepEqual(await leftovers(before), { processes: [], dirs: [], cgroups: [] });
  });
});
