/**
 * R's random number generator is seeded from the kernel when a session starts, not from
 * the clock and the pid (every sandboxed R is pid 2, so sessions started in the same
 * instant drew the same numbers). Sessions started together draw different numbers, and
 * the seed is there before user code runs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SecureSession } from "../../mod.ts";
import { BACKENDS } from "../_backends.ts";
import { SLOW } from "../_helpers.ts";

for (const backend of BACKENDS) {
  describe(`the random seed [${backend.name}]`, { skip: backend.skip }, () => {
    it("is drawn from the kernel at start: sessions started together differ", SLOW, async () => {
      const sessions = await Promise.all(
        Array.from({ length: 4 }, () => SecureSession.create(backend.options)),
      );
      try {
        const seeds = await Promise.all(sessions.map(async (s) => {
          const r = await s.execute("exists('.Random.seed', globalenv())");
          assert.equal(r.value, true, "seeded before any user code");
          return (await s.execute("paste(.Random.seed, collapse = ',')")).value as string;
        }));
        assert.equal(new Set(seeds).size, 4, "four sessions, four seeds");
      } finally {
        await Promise.all(sessions.map((s) => s.close()));
      }
    });
  });
}
