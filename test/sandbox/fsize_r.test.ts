/**
 * A write past the file-size limit is an R error on every write path R checks, and the
 * session lives on (SPEC §8). R 4.2 itself only warns for writeBin() and writeChar() and a
 * connection left open ("problem writing to connection"): the runtime turns that warning
 * into an error. cat() and sink() ignore the write's failure inside R itself, so there the
 * file is cut at the limit without a condition — the README says so, and the last test
 * pins that behaviour (the file is never larger than the limit).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { RExecutionError } from "../../mod.ts";
import { conformance } from "../_conformance.ts";
import { MiB, SLOW } from "../_helpers.ts";

const LIMIT = 1 * MiB;
const WRITES: Record<string, string> = {
  "writeBin to a path": 'writeBin(raw(5 * 2^20), "/tmp/big")',
  "writeBin to a connection left open":
    'con <- file("/tmp/big", "wb"); writeBin(raw(5 * 2^20), con)',
  "writeLines": 'writeLines(strrep("x", 5e6), "/tmp/big")',
  "saveRDS": 'saveRDS(runif(1e6), "/tmp/big", compress = FALSE)',
  "write.csv": 'write.csv(data.frame(x = runif(2e5)), "/tmp/big")',
};

conformance("the file-size limit", { needs: ["fsize"] }, (ctx) => {
  const s = ctx.shareSession({ limits: { fsize: LIMIT } });
  for (const [path, code] of Object.entries(WRITES)) {
    it(`makes ${path} past it an R error, and the session lives on`, SLOW, async () => {
      await s().execute("state <- 42");
      await assert.rejects(s().execute(code), (e: unknown) => {
        assert.ok(e instanceof RExecutionError, String(e));
        assert.match(e.message, /File too large|file size limit|error writing to connection/i);
        return true;
      });
      assert.equal((await s().execute("state")).value, 42);
      assert.ok(((await s().execute('file.size("/tmp/big")')).value as number) <= LIMIT);
      await s().execute(
        'if (exists("con")) { try(close(con), silent = TRUE); rm(con) }; unlink("/tmp/big")',
      );
    });
  }
  it("cuts cat(), sink() and writeChar() at the limit (R ignores those errors)", SLOW, async () => {
    const r = await s().execute(
      'cat(strrep("x", 5e6), file = "/tmp/cut"); a <- file.size("/tmp/cut"); ' +
        'sink("/tmp/cut2"); print(strrep("y", 3e6)); sink(); ' +
        'writeChar(strrep("z", 5e6), "/tmp/cut3", eos = NULL); ' +
        'c(a, file.size("/tmp/cut2"), file.size("/tmp/cut3"))',
    );
    assert.deepEqual(r.value, [LIMIT, LIMIT, LIMIT]);
  });
});
