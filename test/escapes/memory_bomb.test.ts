/**
 * Attack: exhaust memory — one huge allocation, and many medium ones that add up.
 *
 * Defence: RLIMIT_AS (the `memory` limit, 512 MiB by default) applied to R inside the
 * sandbox: allocations past it fail as R errors, and the session lives on.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SLOW } from "../_helpers.ts";
import { noSandbox, sandboxSession } from "./_attack.ts";

describe("escape: memory bomb", { skip: noSandbox }, () => {
  it("fails as an R error at the memory limit, and the session lives on", SLOW, async () => {
    await using s = await sandboxSession({}, { limits: { memory: 512 * 1024 * 1024 } });
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
