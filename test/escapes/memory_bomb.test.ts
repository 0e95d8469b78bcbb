/**
 * Attack: exhaust memory — one huge allocation, and many medium ones that add up.
 *
 * Defence: RLIMIT_AS (the `memory` limit, 512 MiB by default in a sandbox) applied to R
 * by every backend that enforces it: allocations past it fail as R errors, and the
 * session lives on.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { MiB, SLOW } from "../_helpers.ts";
import { attackSession } from "./_attack.ts";

conformance("escape: memory bomb", { needs: ["memory"] }, (ctx) => {
  it("fails as an R error at the memory limit, and the session lives on", SLOW, async () => {
    await using s = await attackSession(ctx.options({ limits: { memory: 512 * MiB } }));
    await s.execute("kept <- 1");
    await assert.rejects(s.execute("x <- numeric(1e10)"), /cannot allocate vector of size/);
    await assert.rejects(
      s.execute("x <- list(); for (i in 1:200) x[[i]] <- numeric(1e7)"),
      /cannot allocate vector of size/,
    );
    const limit = await s.execute(
      'grep("Max address space", readLines("/proc/self/limits"), value = TRUE)',
    );
    assert.match(String(limit.value), /536870912\s+536870912/);
    assert.equal((await s.execute("rm(x); gc(); kept")).value, 1);
  });
});
