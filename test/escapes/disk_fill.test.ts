/**
 * Attack: fill the disk by writing big files, many files, or one file past the size limit.
 *
 * Defence: the only writable place is the private /tmp, a tmpfs bounded in size (128 MiB
 * by default), the file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored so the write fails
 * as an R error instead of killing R), and nothing of it reaches the host's disk.
 *
 * Positive control: before writing, R's /tmp must be that tmpfs (its mount line) and the
 * file-size limit must be in R's /proc/self/limits; the writes must then stop within the
 * tmpfs's last 20 MiB, not before (a lower bound), and not past it.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { MiB, onlyOnLinux, SLOW } from "../_helpers.ts";
import { attackSession } from "./_attack.ts";

const TMPFS = 'grep(" /tmp ", readLines("/proc/self/mountinfo"), value = TRUE)';

conformance("escape: filling the disk", {
  needs: ["filesystem", "fsize"],
  skip: onlyOnLinux("reads /proc"),
}, (ctx) => {
  it("stops at the size of the private /tmp, and R lives on", { timeout: 120_000 }, async () => {
    await using s = await attackSession(ctx.options({ limits: { fsize: 20 * MiB } }));
    const mount = String((await s.execute(TMPFS)).value);
    assert.match(mount, / - tmpfs .*size=131072k/, `R's /tmp is a 128 MiB tmpfs: ${mount}`);
    const dir = `/tmp/fill-${crypto.randomUUID()}`;
    const r = await s.execute(
      `chunk <- raw(10 * 1024 * 1024); written <- 0; msg <- ""; dir.create("${dir}")
      for (i in 1:100) {
        msg <- tryCatch({ con <- file(sprintf("${dir}/f%03d", i), "wb"); writeBin(chunk, con); close(con); "" },
          error = function(e) conditionMessage(e), warning = function(w) conditionMessage(w))
        if (nzchar(msg)) break
        written <- written + 10
      }
      list(written = written, msg = msg)`,
      { timeout: 60_000 },
    );
    const { written, msg } = r.value as { written: number; msg: string };
    assert.ok(written >= 108 && written <= 128, `wrote ${written} MiB before "${msg}"`);
    assert.equal(msg, "problem writing to connection");
    assert.ok(!fs.existsSync(dir), "nothing reached the host's /tmp");
    assert.equal((await s.execute(`unlink("${dir}", recursive = TRUE); 1 + 1`)).value, 2);
  });
  it("refuses one file past the file-size limit with an R error", SLOW, async () => {
    await using s = await attackSession(ctx.options({ limits: { fsize: 1_000_000 } }));
    const line = await s.execute(
      'grep("Max file size", readLines("/proc/self/limits"), value = TRUE)',
    );
    assert.match(String(line.value), /^Max file size\s+1000000\s+1000000\s/);
    await assert.rejects(
      s.execute('big <- file.path(tempdir(), "big"); writeLines(strrep("x", 2e6), big)'),
      /File too large|error writing/i,
    );
    assert.equal((await s.execute("file.size(big)")).value, 1_000_000);
  });
});
