/**
 * A small PNG decoder for the tests (8-bit, non-interlaced, gray/RGB/palette/alpha): checks
 * the signature, walks the chunks (CRCs not checked), inflates the IDAT data and undoes the
 * scanline filters. Enough to count the distinct pixels of what R's cairo device writes.
 *
 * @module
 */
import { inflateSync } from "node:zlib";

/** A decoded PNG. */
export interface Decoded {
  readonly width: number;
  readonly height: number;
  /** Bytes per pixel. */
  readonly bpp: number;
  /** Unfiltered pixel bytes, row after row. */
  readonly pixels: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Decodes `data`, throwing on anything this decoder does not handle. */
export function decodePng(data: Uint8Array): Decoded {
  if (!SIGNATURE.every((b, i) => data[i] === b)) throw new Error("no PNG signature");
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 8;
  let width = 0, height = 0, bpp = 0;
  const idat: Uint8Array[] = [];
  while (at + 8 <= data.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...data.subarray(at + 4, at + 8));
    const body = data.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, colorType, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || interlace !== 0 || !(colorType in CHANNELS)) {
        throw new Error(`unsupported PNG: depth ${depth}, color ${colorType}`);
      }
      bpp = CHANNELS[colorType];
    } else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    at += 12 + length;
  }
  if (width === 0) throw new Error("no IHDR chunk");
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[x - bpp] : 0;
      const b = prev[x];
      const c = x >= bpp ? prev[x - bpp] : 0;
      let p = 0;
      if (filter === 1) p = a;
      else if (filter === 2) p = b;
      else if (filter === 3) p = (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad filter ${filter}`);
      out[x] = (line[x] + p) & 0xff;
    }
  }
  return { width, height, bpp, pixels };
}

/** How many distinct pixel values the image has (stops counting at `limit`). */
export function distinctPixels(d: Decoded, limit = 1000): number {
  const seen = new Set<string>();
  for (let i = 0; i < d.pixels.length && seen.size < limit; i += d.bpp) {
    seen.add(d.pixels.subarray(i, i + d.bpp).join(","));
  }
  return seen.size;
}

/**
 * Checks that `text` is well-formed XML as far as tags go (every element closed in order,
 * one root) and returns the root element's name.
 */
export function xmlRoot(text: string): string {
  const stack: string[] = [];
  let root = "";
  const body = text.replace(/<\?[\s\S]*?\?>/g, "").replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<!DOCTYPE[^>]*>/g, "");
  for (
    const m of body.matchAll(
      /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g,
    )
  ) {
    const [, close, name, , self] = m;
    if (close) {
      if (stack.pop() !== name) throw new Error(`</${name}> closes nothing open`);
    } else {
      if (stack.length === 0) {
        if (root !== "") throw new Error("two root elements");
        root = name;
      }
      if (!self) stack.push(name);
    }
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)}> is never closed`);
  return root;
}
