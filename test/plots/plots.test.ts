/**
 * Plots and files come back: under every backend this host runs (bubblewrap included),
 * each page R draws is a decoded, non-blank PNG (or a well-formed SVG) of the size asked
 * for, in order; files written to `SECURER_OUTPUT_DIR` come back by name; caps drop what is
 * past them and say so; `plots: false` and `files: false` return nothing.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { RExecutionError } from "../../mod.ts";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";
import { decodePng, distinctPixels, xmlRoot } from "./_png.ts";

const OUT = 'file.path(Sys.getenv("SECURER_OUTPUT_DIR"), ';

function assertPng(image: { mimeType: string; data: Uint8Array; width: number; height: number }) {
  assert.equal(image.mimeType, "image/png");
  const d = decodePng(image.data);
  assert.deepEqual([d.width, d.height], [image.width, image.height]);
  return d;
}

conformance("plots and files", {}, (ctx) => {
  const session = ctx.shareSession();

  it("returns each page drawn as a PNG of the default size, in order", SLOW, async () => {
    const r = await session().execute(
      "plot(1:10, main = 'one')\nhist(c(1, 2, 2, 3, 3, 3))\nlibrary(grid); grid.newpage(); grid.circle()\n42",
    );
    assert.equal(r.value, 42);
    assert.equal(r.images.length, 3);
    for (const image of r.images) {
      const d = assertPng(image);
      assert.deepEqual([d.width, d.height], [672, 480]);
      assert.ok(distinctPixels(d) >= 2, "the page is not blank");
    }
    // In order: the scatter plot has far more ink than the lone circle.
    assert.notDeepEqual(r.images[0].data, r.images[2].data);
    assert.deepEqual([r.files, r.dropped], [[], []]);
  });

  it("draws text: the fonts are readable inside the sandbox", SLOW, async () => {
    const r = await session().execute(
      "plot.new(); text(0.5, 0.5, 'Hello', cex = 5)\nnames(grDevices::dev.cur())",
    );
    assert.equal(r.images.length, 1);
    assert.ok(distinctPixels(assertPng(r.images[0])) >= 3, "anti-aliased text has grey levels");
    assert.ok(!r.output.some((l) => /fontconfig/i.test(l)), r.output.join("\n"));
  });

  it("flushes a page left open and closes devices between executions", SLOW, async () => {
    const r = await session().execute("plot(1)\nlines(c(1, 1))\ninvisible(1)");
    assert.equal(r.images.length, 1);
    const next = await session().execute("unname(grDevices::dev.cur())");
    assert.equal(next.value, 1, "no device is left open");
    assert.equal(next.images.length, 0);
  });

  it("returns SVG on request, at the size asked for", SLOW, async () => {
    const r = await session().execute("plot(1:3); plot(3:1)", {
      plots: { format: "svg", width: 480, height: 240, res: 96 },
    });
    assert.equal(r.images.length, 2);
    for (const image of r.images) {
      assert.equal(image.mimeType, "image/svg+xml");
      assert.equal(xmlRoot(new TextDecoder().decode(image.data)), "svg");
      // 480 × 240 px at 96 ppi is 5 × 2.5 in: 360 × 180 points.
      assert.deepEqual([image.width, image.height], [360, 180]);
    }
    // The execution's settings do not outlive it.
    assertPng((await session().execute("plot(1)")).images[0]);
  });

  it("honours width, height and res for PNG", SLOW, async () => {
    const r = await session().execute("plot(1)", { plots: { width: 300, height: 200, res: 72 } });
    const d = assertPng(r.images[0]);
    assert.deepEqual([d.width, d.height], [300, 200]);
  });

  it("returns the pages drawn before an error with the RExecutionError", SLOW, async () => {
    const e = await session().execute("plot(1:5)\nstop('boom')").then(
      () => assert.fail("the execution should fail"),
      (e: unknown) => e,
    );
    assert.ok(e instanceof RExecutionError);
    assert.equal(e.message, "boom");
    assert.equal(e.images.length, 1);
    assert.ok(distinctPixels(assertPng(e.images[0])) >= 2);
    assert.equal((await session().execute("1 + 1")).images.length, 0);
  });

  it("drops pages past maxImages and maxImageBytes, and says so", SLOW, async () => {
    const r = await session().execute("for (i in 1:4) plot(i)", { plots: { maxImages: 2 } });
    assert.equal(r.images.length, 2);
    assert.equal(r.dropped.length, 2);
    for (const d of r.dropped) {
      assert.equal(d.kind, "image");
      assert.equal(d.reason, "more than 2 images");
      assert.ok(typeof d.bytes === "number" && d.bytes > 0);
    }
    const small = await session().execute("plot(1)", { plots: { maxImageBytes: 100 } });
    assert.equal(small.images.length, 0);
    assert.match(small.dropped[0].reason, /^larger than 100 bytes$/);
    const total = await session().execute("plot(1); plot(2)", {
      plots: { maxTotalBytes: small.dropped[0].bytes! + 10 },
    });
    assert.equal(total.images.length, 1);
    assert.match(total.dropped[0].reason, /bytes of images in all/);
  });

  it("returns no image with plots: false, and writes no Rplots.pdf", SLOW, async () => {
    const r = await session().execute("plot(1); file.exists('Rplots.pdf')", { plots: false });
    assert.deepEqual([r.images, r.dropped, r.value], [[], [], false]);
  });

  it("returns the files code writes to SECURER_OUTPUT_DIR, and empties it", SLOW, async () => {
    const r = await session().execute(
      `write.csv(data.frame(a = 1:2), ${OUT}"t.csv"), row.names = FALSE)
      dir.create(${OUT}"sub"))
      writeBin(as.raw(0:255), ${OUT}"sub/bytes.bin"))
      png(${OUT}"mine.png")); plot(1)
      Sys.getenv("SECURER_OUTPUT_DIR")`,
    );
    assert.ok(String(r.value).length > 0);
    assert.deepEqual(r.files.map((f) => [f.name, f.mimeType]), [
      ["mine.png", "image/png"],
      ["sub/bytes.bin", "application/octet-stream"],
      ["t.csv", "text/csv"],
    ]);
    assert.equal(new TextDecoder().decode(r.files[2].data), '"a"\n1\n2\n');
    assert.deepEqual([...r.files[1].data], Array.from({ length: 256 }, (_, i) => i));
    assertPng({ ...r.files[0], mimeType: "image/png", width: 480, height: 480 });
    assert.equal(r.images.length, 0, "a device the code opened is its own file, not an image");
    const again = await session().execute(`length(list.files(Sys.getenv("SECURER_OUTPUT_DIR")))`);
    assert.deepEqual([again.value, again.files], [0, []]);
  });

  it("drops files past their caps, and returns none with files: false", SLOW, async () => {
    const write = `for (i in 1:3) writeLines(strrep("x", 1000), ${OUT}paste0("f", i, ".txt")))`;
    const r = await session().execute(write, { files: { maxFiles: 1 } });
    assert.deepEqual(r.files.map((f) => f.name), ["f1.txt"]);
    assert.deepEqual(r.dropped.map((d) => [d.name, d.reason]), [
      ["f2.txt", "more than 1 files"],
      ["f3.txt", "more than 1 files"],
    ]);
    const big = await session().execute(write, { files: { maxFileBytes: 500 } });
    assert.deepEqual([big.files.length, big.dropped.length], [0, 3]);
    const off = await session().execute(write, { files: false });
    assert.deepEqual([off.files, off.dropped], [[], []]);
    const left = await session().execute(`length(list.files(Sys.getenv("SECURER_OUTPUT_DIR")))`);
    assert.equal(left.value, 0, "what was not returned is deleted all the same");
  });

  it("carries a file larger than one message in several chunks", SLOW, async () => {
    const r = await session().execute(
      `set.seed(1); writeBin(as.raw(sample(0:255, 3e6, TRUE)), ${OUT}"big.bin")); 1`,
    );
    assert.equal(r.files.length, 1);
    assert.equal(r.files[0].data.length, 3e6);
  });
});
