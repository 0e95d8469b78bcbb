/**
 * Images stream as they are completed: `onImage` receives each page as soon as R starts the
 * next page (base graphics' `plot.new`, grid's `grid.newpage`) or closes the device — while
 * the code still runs — in order and once each, and `result.images` holds the same images.
 * The code waits in a host tool until the test has received a page, so a page that arrived
 * only at the end would make that tool time out: no timing is asserted. Caps count the pages
 * sent early and those sent at the end together.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { executeR, type PlotImage, securerTool, SecureSessionPool } from "../../mod.ts";
import { resolveExecuteOptions } from "../../src/session/options.ts";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";
import { decodePng, xmlRoot } from "./_png.ts";

/** The images the current test received through `onImage`, and who waits for more. */
const seen: { images: PlotImage[]; waiters: (() => void)[] } = { images: [], waiters: [] };

/** `onImage` for the tests: records the image and wakes the tool waiting for it. */
function onImage(image: PlotImage): void {
  seen.images.push(image);
  for (const wake of seen.waiters.splice(0)) wake();
}

/** Starts a test afresh: no image seen yet. */
function reset(): PlotImage[] {
  seen.images = [];
  seen.waiters = [];
  return seen.images;
}

/** `images_seen(n)`: waits until the test has received `n` images, then says how many. */
const IMAGES_SEEN = securerTool({
  name: "images_seen",
  args: { n: "numeric" },
  timeout: 20_000,
  fn: async ({ n }) => {
    while (seen.images.length < (n as number)) {
      await new Promise<void>((wake) => seen.waiters.push(wake));
    }
    return seen.images.length;
  },
});

conformance("plots streamed as they are drawn", {}, (ctx) => {
  const session = ctx.shareSession({ tools: [IMAGES_SEEN] });

  it(
    "hands each page to onImage while the code runs, base and grid, in order and once each",
    SLOW,
    async () => {
      const streamed = reset();
      const r = await session().execute(
        [
          "plot(1:10, main = 'one')",
          "plot.new()", // page 2 starts: page 1 is complete
          "a <- images_seen(1)",
          "text(0.5, 0.5, 'two', cex = 4)",
          "library(grid); grid.newpage(); grid.circle()", // page 3 starts: page 2 is complete
          "b <- images_seen(2)",
          "c(a, b)",
        ].join("\n"),
        { onImage },
      );
      // R went on only once the test had page 1, then page 2: they came before the end.
      assert.deepEqual(r.value, [1, 2]);
      assert.equal(streamed.length, 3, "the page left open came at the end, once");
      assert.deepEqual(r.images, streamed);
      for (const image of streamed) {
        const d = decodePng(image.data);
        assert.deepEqual([d.width, d.height], [672, 480]);
      }
      assert.equal(new Set(streamed.map((i) => i.data.length)).size, 3, "three different pages");
      assert.deepEqual(r.dropped, []);
    },
  );

  it("streams SVG pages, and a page of a device the code closed", SLOW, async () => {
    const streamed = reset();
    const r = await session().execute(
      "plot(1:3); dev.off(); plot(3:1); n <- images_seen(1); plot(2:4); n",
      { onImage, plots: { format: "svg" } },
    );
    assert.equal(r.value, 1);
    assert.equal(streamed.length, 3);
    assert.deepEqual(r.images, streamed);
    for (const image of streamed) {
      assert.equal(xmlRoot(new TextDecoder().decode(image.data)), "svg");
    }
  });

  it("keeps the order of pages on two devices open at once", SLOW, async () => {
    const streamed = reset();
    const r = await session().execute(
      "plot(1, main = 'a'); dev.new(); plot(1:2, main = 'b'); plot(1:3, main = 'c')",
      { onImage },
    );
    assert.equal(streamed.length, 3);
    assert.deepEqual(r.images, streamed);
    // Device 1's page, still being drawn while device 2 drew, holds back device 2's pages.
    const alone = await session().execute("plot(1, main = 'a')");
    assert.deepEqual(streamed[0].data, alone.images[0].data);
  });

  it("counts the pages sent early and at the end against the same caps", SLOW, async () => {
    const streamed = reset();
    const r = await session().execute(
      "plot(1); plot(2); n <- images_seen(1); plot(3); plot(4); n",
      { onImage, plots: { maxImages: 2 } },
    );
    assert.equal(r.value, 1);
    assert.equal(streamed.length, 2);
    assert.deepEqual(r.images, streamed);
    assert.deepEqual(r.dropped.map((d) => d.reason), ["more than 2 images", "more than 2 images"]);
    const one = (await session().execute("plot(1)")).images[0].data.length;
    const total = await session().execute("plot(1); plot(1); plot(1)", {
      onImage,
      plots: { maxTotalBytes: 2 * one + 10 },
    });
    assert.equal(total.images.length, 2);
    assert.deepEqual(total.dropped.map((d) => d.reason), [
      `past ${2 * one + 10} bytes of images in all`,
    ]);
  });

  it("ignores what onImage throws", SLOW, async () => {
    const r = await session().execute("plot(1); plot(2); 3", {
      onImage: () => {
        throw new Error("handler bug");
      },
    });
    assert.deepEqual([r.value, r.images.length], [3, 2]);
  });

  it("passes onImage through executeR and the pool", SLOW, async () => {
    const streamed: PlotImage[] = [];
    const r = await executeR("plot(1); plot(2)", {
      ...ctx.options(),
      onImage: (image) => streamed.push(image),
    });
    assert.equal(streamed.length, 2);
    assert.deepEqual(r.images, streamed);
    await using pool = await SecureSessionPool.create({ ...ctx.options(), size: 1 });
    const pooled: PlotImage[] = [];
    const p = await pool.execute("plot(1); plot(2); plot(3)", {
      onImage: (image) => pooled.push(image),
    });
    assert.equal(pooled.length, 3);
    assert.deepEqual(p.images, pooled);
  });
});

it("refuses an onImage that is not a function", () => {
  assert.throws(
    () => resolveExecuteOptions({ onImage: 1 as unknown as () => void }),
    /`onImage` must be a function/,
  );
});
