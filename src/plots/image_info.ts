/**
 * The size of an image, read from its bytes (pure): a PNG's IHDR chunk, an SVG's root
 * element. Both refuse what is not such an image; the bytes come from R, untrusted.
 *
 * @module
 */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height of an image. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** Whether `data` starts with the PNG signature. */
export function isPng(data: Uint8Array): boolean {
  return data.length >= 8 && PNG_SIGNATURE.every((b, i) => data[i] === b);
}

/** A PNG's width and height in pixels (its IHDR chunk, which must come first), or `null`. */
export function pngSize(data: Uint8Array): ImageSize | null {
  if (!isPng(data) || data.length < 33) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const type = String.fromCharCode(data[12], data[13], data[14], data[15]);
  if (view.getUint32(8) !== 13 || type !== "IHDR") return null;
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  return width > 0 && height > 0 ? { width, height } : null;
}

const number = (text: string | undefined): number | null => {
  if (text === undefined) return null;
  const m = /^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|pt)?\s*$/.exec(text);
  if (m === null) return null;
  const x = Number(m[1]);
  return Number.isFinite(x) && x > 0 ? x : null;
};

/**
 * An SVG's width and height: its root `<svg>` element's `viewBox` (R writes one, in
 * points), else its `width` and `height` attributes; `null` when there is no root `<svg>`
 * element in the first 4 KiB or it states no size.
 */
export function svgSize(data: Uint8Array): ImageSize | null {
  const head = new TextDecoder("utf-8", { fatal: false }).decode(data.subarray(0, 4096));
  const open = /<svg\b([^>]*)>/.exec(head);
  if (open === null) return null;
  // Only a prolog, comments and a doctype may come before the root element.
  const before = head.slice(0, open.index)
    .replace(/<\?[\s\S]*?\?>/g, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<!DOCTYPE[^>]*>/i, "");
  if (before.trim() !== "") return null;
  const attrs = new Map<string, string>();
  for (const m of open[1].matchAll(/([A-Za-z:_-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    attrs.set(m[1], m[3] ?? m[4]);
  }
  const box = attrs.get("viewBox")?.trim().split(/[\s,]+/);
  if (box !== undefined && box.length === 4) {
    const [w, h] = [number(box[2]), number(box[3])];
    if (w !== null && h !== null) return { width: w, height: h };
  }
  const [w, h] = [number(attrs.get("width")), number(attrs.get("height"))];
  return w !== null && h !== null ? { width: w, height: h } : null;
}
