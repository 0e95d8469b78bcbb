/**
 * Attack: fill the disk by writing big files, many files, or one file past the size limit.
 *
 * Defence: the only writable place is the private /tmp, a tmpfs bounded in size (128 MiB
 * by default), the file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored so the write fails
 * as an R error instead of killing R), and nothing of it reaches the host's disk.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { MiB, SLOW } from "../_helpers.ts";
import { attackSession } from "./_attack.ts";

conformance("escape: filling the disk", { needs: ["filesystem", "fsize"] }, (ctx) => {
  it("stops at the size of the private /tmp, and R lives on", { timeout: 120_000 }, async () => {
    await using s = await attackSession(ctx.options({ limits: { fsize: 20 * MiB } }));
    const r = await s.execute(
      `
      chunk <- raw(10 * 1024 * 1024); written <- 0
      for (i in 1:100) {
        ok <- tryCatch({ con <- file(sprintf("/tmp/f%03d", i), "wb"); on.exit(close(con)); writeBin(chunk, con); close(con); on.exit(); TRUE },
          error = function(e) FALSE, warning = function(w) FALSE)
        if (!ok) break
        written <- written + 10
      }
      c(written = written, tries = i)`,
      { timeout: 60_000 },
    );
    const { written, tries } = r.value as { written: number; tries: number };
    assert.ok(tries < 100, "the writes stopped");
    assert.ok(written <= 128, `wrote ${written} MiB`);
    assert.equal((await s.execute("1 + 1")).value, 2);
  });
  it("refuses one file past the file-size limit with an R error", SLOW, async () => {
    await using s = await attackSession(ctx.options({ limits: { fsize: 1_000_000 } }));
    await assert.rejects(
      s.execute('writeLines(strrep("x", 2e6), "/tmp/big")'),
      /File too large|error writing/i,
    );
    const r = await s.execute(
      'line <- grep("Max file size", readLines("/proc/self/limits"), value = TRUE)\n' +
        'c(file.size("/tmp/big"), as.numeric(strsplit(line, " +")[[1]][4]))',
    );
    assert.deepEqual(r.value, [1_000_000, 1_000_000]);
  });
});
