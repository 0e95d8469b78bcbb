/**
 * The output directory is listed only when it may have changed (issue 12: capture costs an
 * execution that writes nothing next to nothing). R skips the listing while the directory's
 * size, mtime and ctime are those a listing last found empty, once the file system's clock
 * has passed that ctime. These tests write files in every way that could slip past such a
 * check: in the same clock tick as the check before (timestamps are coarse), after the fast
 * path has settled, into a new subdirectory, and into a directory that replaced the first.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";

const OUT = 'Sys.getenv("SECURER_OUTPUT_DIR")';
/** R: whether the runtime holds an "empty and unchanged" state (the listing is skipped). */
const SKIPS = "!is.null(environment(.securer_call_tool)$st$out_empty)";
const write = (name: string) => `writeLines("${name}", file.path(${OUT}, "${name}"))`;
const text = (data: Uint8Array) => new TextDecoder().decode(data).trim();

conformance("the output directory's change check", {}, (ctx) => {
  const session = ctx.shareSession();

  /** Runs `1 + 1` until the runtime skips the listing (the clock has passed the last change). */
  async function settle(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if ((await session().execute(SKIPS)).value === true) return;
      await sleep(5);
    }
    assert.fail("the listing is never skipped: the fast path is unreachable");
  }

  it("skips the listing once the directory has been empty for a clock tick", SLOW, async () => {
    await settle();
    const r = await session().execute(`1 + 1\n${SKIPS}`);
    assert.equal(r.value, true, "an execution that writes nothing keeps the fast path");
    assert.deepEqual([r.files, r.images], [[], []]);
  });

  it(
    "returns a file written right after an execution that checked the directory",
    SLOW,
    async () => {
      // Executions take about a millisecond, timestamps move by a clock tick (several ms, or a
      // second): most of these writes land in the tick of the check before them.
      for (let i = 0; i < 60; i++) {
        const first = await session().execute(write(`a${i}.txt`));
        assert.deepEqual(first.files.map((f) => f.name), [`a${i}.txt`]);
        await session().execute("1 + 1");
        const next = await session().execute(write(`b${i}.txt`));
        assert.deepEqual(next.files.map((f) => f.name), [`b${i}.txt`], `round ${i}`);
        assert.equal(text(next.files[0].data), `b${i}.txt`);
      }
    },
  );

  it("returns a file written right after the directory settled", SLOW, async () => {
    for (let i = 0; i < 5; i++) {
      await settle();
      const r = await session().execute(write(`settled${i}.txt`));
      assert.deepEqual(r.files.map((f) => f.name), [`settled${i}.txt`]);
    }
  });

  it(
    "returns a file in a new subdirectory, and in a directory that replaced it",
    SLOW,
    async () => {
      await settle();
      const sub = await session().execute(
        `dir.create(file.path(${OUT}, "d", "e"), recursive = TRUE)\n` +
          `writeLines("deep", file.path(${OUT}, "d", "e", "f.txt"))`,
      );
      assert.deepEqual(sub.files.map((f) => f.name), ["d/e/f.txt"]);
      await settle();
      const replaced = await session().execute(
        `unlink(${OUT}, recursive = TRUE)\ndir.create(${OUT})\n${write("new.txt")}`,
      );
      assert.deepEqual(replaced.files.map((f) => f.name), ["new.txt"]);
      await settle();
      const kept = await session().execute(
        `Sys.setFileTime(${OUT}, Sys.time() - 3600)\n${write("old.txt")}\n` +
          `Sys.setFileTime(${OUT}, Sys.time() - 3600)`,
      );
      assert.deepEqual(kept.files.map((f) => f.name), ["old.txt"], "mtime set back");
    },
  );
});
