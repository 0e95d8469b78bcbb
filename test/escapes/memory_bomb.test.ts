/**
 * Attack: exhaust memory — one allocation bigger than the limit leaves room for, and many
 * medium ones that add up past it.
 *
 * Defence: RLIMIT_AS (the `memory` limit) applied to R by every backend that enforces it:
 * allocations past it fail as R errors, and the session lives on.
 *
 * Positive control: the limit line of R's /proc/self/limits is checked first (without it
 * the allocations would really happen), and the same allocation succeeds in a session
 * whose limit is twice as high, so it is this limit that stops it — the allocations are
 * small enough (150 MiB, 300 MiB in all) that any host could make them.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { MiB, onlyOnLinux, SLOW } from "../_helpers.ts";
import { attackSession } from "./_attack.ts";

const LIMIT = 256 * MiB;
const BIG = "x <- numeric(2e7)"; // 152.6 Mb
const MANY = "x <- list(); for (i in 1:40) x[[i]] <- numeric(1e6)"; // 40 times 7.6 Mb

conformance("escape: memory bomb", {
  needs: ["memory"],
  skip: onlyOnLinux("reads /proc/self/limits"),
}, (ctx) => {
  it("fails as an R error at the memory limit, and the session lives on", SLOW, async () => {
    await using s = await attackSession(ctx.options({ limits: { memory: LIMIT } }));
    const limit = await s.execute(
      'grep("Max address space", readLines("/proc/self/limits"), value = TRUE)',
    );
    assert.match(String(limit.value), new RegExp(`^Max address space\\s+${LIMIT}\\s+${LIMIT}\\s`));
    await s.execute("kept <- 1");
    await assert.rejects(s.execute(BIG), /cannot allocate vector of size 152\.6 Mb/);
    await assert.rejects(s.execute(MANY), /cannot allocate vector of size 7\.6 Mb/);
    assert.equal((await s.execute("rm(x); gc(); kept")).value, 1);
  });
  it("makes the same allocations under a limit twice as high (the control)", SLOW, async () => {
    await using s = await attackSession(ctx.options({ limits: { memory: 2 * LIMIT } }));
    await s.execute(`${BIG}; rm(x); gc()`);
    assert.equal((await s.execute(`${MANY}; n <- length(x); rm(x); gc(); n`)).value, 40);
  });
});
