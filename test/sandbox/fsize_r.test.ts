/**
 * A write past the file-size limit is an R error on every write path, and the session lives
 * on (SPEC §8). R itself only warns for writeBin() and a connection left open ("problem
 * writing to connection"): the runtime turns that warning into an error. cat(), writeChar()
 * and sink() ignore the failed write inside R: the runtime's wrappers of them check the file
 * afterwards. A sink left open when the execution ends is reported in the output. In every
 * case the file is never larger than the limit.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { RExecutionError } from "../../mod.ts";
import { conformance } from "../_conformance.ts";
import { MiB, SLOW } from "../_helpers.ts";

const LIMIT = 1 * MiB;
const WRITES: Record<string, string> = {
  "writeBin to a path": "writeBin(raw(5 * 2^20), big)",
  "writeBin to a connection left open": 'con <- file(big, "wb"); writeBin(raw(5 * 2^20), con)',
  "writeLines": 'writeLines(strrep("x", 5e6), big)',
  "saveRDS": "saveRDS(runif(1e6), big, compress = FALSE)",
  "write.csv": "write.csv(data.frame(x = runif(2e5)), big)",
  "cat to a path": 'cat(strrep("x", 5e6), file = big)',
  "cat to a connection left open": 'con <- file(big, "w"); cat(strrep("x", 5e6), file = con)',
  "cat appending in a loop": 'for (i in 1:20) cat(strrep("x", 1e5), file = big, append = TRUE)',
  "writeChar": 'writeChar(strrep("z", 5e6), big, eos = NULL)',
  "sink": 'sink(big); print(strrep("y", 3e6)); sink()',
};

conformance("the file-size limit", { needs: ["fsize"] }, (ctx) => {
  const s = ctx.shareSession({ limits: { fsize: LIMIT } });
  // Paths in R's own temporary directory: without a sandbox /tmp is the host's, shared with
  // whatever else runs (the other runtimes' suites run side by side).
  const paths = 'big <- file.path(tempdir(), "big"); open_ <- file.path(tempdir(), "open"); ' +
    'small <- file.path(tempdir(), "small")';
  for (const [path, code] of Object.entries(WRITES)) {
    it(`makes ${path} past it an R error, and the session lives on`, SLOW, async () => {
      await s().execute(`${paths}; state <- 42`);
      await assert.rejects(s().execute(code), (e: unknown) => {
        assert.ok(e instanceof RExecutionError, String(e));
        assert.match(e.message, /File too large|file size limit|error writing to connection/i);
        return true;
      });
      assert.equal((await s().execute("state")).value, 42);
      assert.ok(((await s().execute("file.size(big)")).value as number) <= LIMIT);
      await s().execute(
        'if (exists("con")) { try(close(con), silent = TRUE); rm(con) }; unlink(big)',
      );
    });
  }
  it(
    "reports a sink left open past the limit in the output, and the file stays cut",
    SLOW,
    async () => {
      const r = await s().execute(`${paths}; sink(open_); print(strrep("y", 3e6)); 1`);
      assert.match(r.output.join("\n"), /File too large: the write to '[^']*\/open' reached/);
      assert.equal((await s().execute("file.size(open_)")).value, LIMIT);
      const next = await s().execute("sink(small); print(1); 2");
      assert.doesNotMatch(next.output.join("\n"), /File too large/, "a small sink is no error");
      await s().execute("unlink(c(open_, small))");
    },
  );
  it("leaves cat() and sink() to the console alone", async () => {
    const r = await s().execute('cat("a\\n"); sink(tempfile()); sink(); cat("b\\n", sep = ""); 3');
    assert.deepEqual(r.output, ["a", "b"]);
    assert.equal(r.value, 3);
  });
});
