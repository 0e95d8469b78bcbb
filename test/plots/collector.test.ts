/**
 * The host side of capture, without R: the collector keeps only what its own caps allow,
 * allocates nothing for what it drops, and treats chunks out of order, for another
 * execution, not base64 or past the stated size as protocol violations; PNG and SVG sizes
 * come from the bytes; file names and MIME types.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { deflateSync } from "node:zlib";
import { describe, it } from "node:test";
import { type CaptureMessage, makeCollector, safeName } from "../../src/plots/collector.ts";
import { resolveCapture } from "../../src/plots/capture_options.ts";
import { pngSize, svgSize } from "../../src/plots/image_info.ts";
import { mimeTypeOf } from "../../src/plots/mime_type.ts";
import { parseChildMessage } from "../../src/channel/protocol.ts";
import { decodePng, distinctPixels } from "./_png.ts";

/** A minimal valid PNG: `w` × `h` gray pixels, a gradient (not blank). */
function png(w: number, h: number): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Uint8Array) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, body: Uint8Array) => {
    const out = Buffer.alloc(12 + body.length);
    out.writeUInt32BE(body.length, 0);
    out.write(type, 4, "latin1");
    out.set(body, 8);
    out.writeUInt32BE(crc(out.subarray(4, 8 + body.length)), 8 + body.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc(h * (w + 1));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rows[y * (w + 1) + 1 + x] = x * 10;
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", new Uint8Array(0)),
  ]));
}

/** The blob messages R would send for `data`, in chunks of `chunk` bytes. */
function blobs(
  id: number,
  kind: "image" | "file",
  name: string,
  data: Uint8Array,
  chunk = 1 << 20,
): CaptureMessage[] {
  const out: CaptureMessage[] = [];
  let offset = 0;
  do {
    const part = data.subarray(offset, offset + chunk);
    out.push({
      type: "blob",
      id,
      kind,
      name,
      size: data.length,
      offset,
      data: Buffer.from(part).toString("base64"),
    });
    offset += part.length;
  } while (offset < data.length);
  return out;
}

const feed = (c: ReturnType<typeof makeCollector>, ms: CaptureMessage[]) =>
  ms.map((m) => c.add(m)).filter((r) => r !== null);

describe("the capture collector", () => {
  const settings = resolveCapture({ maxImages: 2, maxImageBytes: 10_000 }, { maxFiles: 1 });

  it("reassembles chunked images and files, reading sizes from the bytes", () => {
    const c = makeCollector(7, settings);
    const image = png(40, 30);
    const svg = new TextEncoder().encode(
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="504pt" height="360pt" viewBox="0 0 504 360"><g/></svg>',
    );
    assert.deepEqual(feed(c, blobs(7, "image", "p-001.png", image, 7)), []);
    assert.deepEqual(feed(c, blobs(7, "image", "p-002.svg", svg, 5)), []);
    assert.deepEqual(feed(c, blobs(7, "file", "a/b.csv", new TextEncoder().encode("x\n1\n"))), []);
    const r = c.result();
    assert.deepEqual(r.images.map((i) => [i.mimeType, i.width, i.height]), [
      ["image/png", 40, 30],
      ["image/svg+xml", 504, 360],
    ]);
    assert.deepEqual(r.images[0].data, image);
    const d = decodePng(r.images[0].data);
    assert.deepEqual([d.width, d.height, distinctPixels(d)], [40, 30, 40]);
    assert.deepEqual(r.files.map((f) => [f.name, f.mimeType, f.data.length]), [
      ["a/b.csv", "text/csv", 4],
    ]);
    assert.deepEqual(r.dropped, []);
  });

  it("drops what is past a cap, keeping the order of reasons", () => {
    const c = makeCollector(1, settings);
    const small = png(4, 4);
    for (let i = 0; i < 3; i++) feed(c, blobs(1, "image", `p${i}.png`, small));
    feed(c, blobs(1, "image", "big.png", new Uint8Array(20_000)));
    feed(c, blobs(1, "file", "one.txt", new Uint8Array(3)));
    feed(c, blobs(1, "file", "two.txt", new Uint8Array(3)));
    assert.deepEqual(
      c.add({ type: "dropped", id: 1, kind: "file", name: "r.bin", size: 9, reason: "R says" }),
      null,
    );
    const r = c.result();
    assert.equal(r.images.length, 2);
    assert.equal(r.files.length, 1);
    assert.deepEqual(r.dropped.map((d) => [d.name, d.bytes, d.reason]), [
      ["p2.png", small.length, "more than 2 images"],
      ["big.png", 20_000, "more than 2 images"],
      ["two.txt", 3, "more than 1 files"],
      ["r.bin", 9, "R says"],
    ]);
  });

  it("allocates nothing for an image larger than its cap, whatever size R states", () => {
    const c = makeCollector(1, resolveCapture({ maxImageBytes: 100 }, undefined));
    // A huge stated size is refused before any buffer is made for it.
    const first: CaptureMessage = {
      type: "blob",
      id: 1,
      kind: "image",
      name: "huge.png",
      size: 2 ** 50,
      offset: 0,
      data: "AAAA",
    };
    assert.equal(c.add(first), null);
    assert.deepEqual(c.result().dropped, [{
      kind: "image",
      name: "huge.png",
      bytes: 2 ** 50,
      reason: "it did not arrive whole",
    }]);
    const c2 = makeCollector(1, resolveCapture({ maxImageBytes: 100 }, undefined));
    feed(c2, blobs(1, "image", "p.png", png(50, 50)));
    assert.match(c2.result().dropped[0].reason, /^larger than 100 bytes$/);
  });

  it("treats chunks out of order, foreign, malformed or too long as violations", () => {
    const data = new Uint8Array(10);
    const [a, b] = blobs(3, "file", "f", data, 6) as Extract<CaptureMessage, { type: "blob" }>[];
    assert.equal(makeCollector(4, settings).add(a), "a blob message for execution 3 during 4");
    assert.equal(makeCollector(3, settings).add(b), "a blob chunk out of order");
    const twice = makeCollector(3, settings);
    assert.equal(twice.add(a), null);
    assert.equal(twice.add(a), "a new blob before the last one ended");
    assert.equal(
      makeCollector(3, settings).add({ ...a, data: "not base64!" }),
      "a blob chunk that is not base64",
    );
    assert.equal(
      makeCollector(3, settings).add({ ...a, size: 2 }),
      "a blob longer than its stated size",
    );
    const inside = makeCollector(3, settings);
    inside.add(a);
    assert.equal(
      inside.add({ type: "dropped", id: 3, kind: "file", name: "x", size: null, reason: "" }),
      "a dropped message inside a blob",
    );
  });

  it("drops an image that is not a PNG or SVG, and a file with an unsafe name", () => {
    const c = makeCollector(1, settings);
    feed(c, blobs(1, "image", "fake.png", new TextEncoder().encode("GIF89a....")));
    feed(c, blobs(1, "file", "../escape.txt", new Uint8Array(1)));
    assert.deepEqual(c.result().dropped.map((d) => d.reason), [
      "it is not a PNG or SVG image",
      "its name is not a safe relative path",
    ]);
  });

  it("keeps nothing when plots and files are off", () => {
    const c = makeCollector(1, resolveCapture(false, false));
    feed(c, blobs(1, "image", "p.png", png(2, 2)));
    feed(c, blobs(1, "file", "f.txt", new Uint8Array(2)));
    const r = c.result();
    assert.deepEqual([r.images, r.files], [[], []]);
    assert.deepEqual(r.dropped.map((d) => d.reason), ["plots are off", "files are off"]);
  });

  it("lists at most 100 dropped entries", () => {
    const c = makeCollector(1, settings);
    for (let i = 0; i < 500; i++) {
      c.add({ type: "dropped", id: 1, kind: "file", name: `f${i}`, size: 1, reason: "r" });
    }
    assert.equal(c.result().dropped.length, 100);
  });

  it("parses blob and dropped messages, refusing unknown fields and negative sizes", () => {
    const ok = parseChildMessage(
      '{"type":"blob","id":1,"kind":"image","name":"p.png","size":3,"offset":0,"data":"AAAA"}',
    );
    assert.equal(ok.type, "blob");
    assert.throws(() =>
      parseChildMessage(
        '{"type":"blob","id":1,"kind":"image","name":"p","size":-1,"offset":0,"data":""}',
      )
    );
    assert.throws(() =>
      parseChildMessage(
        '{"type":"dropped","id":1,"kind":"disk","name":"p","size":null,"reason":""}',
      )
    );
  });
});

describe("image sizes, names and types", () => {
  it("reads a PNG's IHDR and refuses what is not a PNG", () => {
    assert.deepEqual(pngSize(png(123, 45)), { width: 123, height: 45 });
    assert.equal(pngSize(new Uint8Array(40)), null);
    const broken = png(3, 3);
    broken[12] = 0x58; // "XHDR"
    assert.equal(pngSize(broken), null);
  });
  it("reads an SVG's viewBox, else its width and height", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    assert.deepEqual(svgSize(enc('<svg viewBox="0 0 10 20.5"></svg>')), {
      width: 10,
      height: 20.5,
    });
    assert.deepEqual(svgSize(enc("<!-- c --><svg width='30px' height='40'/>")), {
      width: 30,
      height: 40,
    });
    assert.equal(svgSize(enc("<html><svg width='1' height='1'/></html>")), null);
    assert.equal(svgSize(enc("<svg></svg>")), null);
  });
  it("accepts only safe relative names", () => {
    for (const ok of ["a.csv", "sub/b.txt", ".hidden"]) assert.ok(safeName(ok), ok);
    for (const bad of ["", "/etc/passwd", "../x", "a/../../x", "a//b", "a\\b", "a\nb", "./a"]) {
      assert.ok(!safeName(bad), JSON.stringify(bad));
    }
  });
  it("gives the MIME type of an extension", () => {
    assert.equal(mimeTypeOf("x.CSV"), "text/csv");
    assert.equal(mimeTypeOf("plot.svg"), "image/svg+xml");
    assert.equal(mimeTypeOf("a/b.tar"), "application/octet-stream");
    assert.equal(mimeTypeOf(".Rhistory"), "application/octet-stream");
    assert.equal(mimeTypeOf("noext"), "application/octet-stream");
  });
});
