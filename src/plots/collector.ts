/**
 * Collects one execution's `blob` and `dropped` messages into its images, files and
 * dropped list, bounded by the execution's own settings (not R's): a file past a cap is
 * dropped before a byte of it is stored, and at most {@linkcode MAX_DROPPED} entries are
 * kept. Everything in the messages is untrusted: a chunk out of order, for another
 * execution, not base64, or past the size R announced is a protocol violation; an image
 * that is not a PNG or SVG is dropped. Each image kept is handed to `onImage` as soon as its
 * last chunk arrived.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { ChildMessage } from "../channel/protocol.ts";
import { pngSize, svgSize } from "./image_info.ts";
import { mimeTypeOf } from "./mime_type.ts";
import type { Captured, CaptureSettings, DroppedOutput, OutputFile, PlotImage } from "./types.ts";

/** A message that carries captured output. */
export type CaptureMessage = Extract<ChildMessage, { readonly type: "blob" | "dropped" }>;

/** Most entries kept in `dropped`; later ones are not listed. */
export const MAX_DROPPED = 100;

/** Whether a child message carries captured output. */
export function isCaptureMessage(m: ChildMessage): m is CaptureMessage {
  return m.type === "blob" || m.type === "dropped";
}

/** One execution's collector. */
export interface Collector {
  /** Takes one message; returns why it breaks the protocol, or `null`. */
  add(m: CaptureMessage): string | null;
  /** What was captured; a file still incomplete is listed as dropped. */
  result(): Captured;
}

interface Receiving {
  readonly kind: "image" | "file";
  readonly name: string;
  readonly size: number;
  received: number;
  /** `null` when the host does not keep it. */
  readonly data: Uint8Array | null;
  readonly reason: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Hands an image to `onImage`, if any; a handler that throws does not affect the execution. */
function notify(onImage: ((image: PlotImage) => void) | undefined, image: PlotImage): void {
  if (onImage === undefined) return;
  try {
    onImage(image);
  } catch {
    // A failing handler must not break the execution.
  }
}

/** A relative path with no `.` or `..` part, backslash or control character. */
export function safeName(name: string): boolean {
  // deno-lint-ignore no-control-regex
  if (name === "" || /[\x00-\x1f\x7f\\]/.test(name)) return false;
  return name.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

/**
 * A collector for execution `execId` under `settings`; `onImage` is told of each image kept,
 * and what it throws is ignored.
 */
export function makeCollector(
  execId: number,
  settings: CaptureSettings,
  onImage?: (image: PlotImage) => void,
): Collector {
  const images: PlotImage[] = [];
  const files: OutputFile[] = [];
  const dropped: DroppedOutput[] = [];
  const kept = { image: { count: 0, bytes: 0 }, file: { count: 0, bytes: 0 } };
  let current: Receiving | null = null;

  const drop = (kind: "image" | "file", name: string, bytes: number | null, reason: string) => {
    if (dropped.length < MAX_DROPPED) {
      dropped.push({ kind, name: name.slice(0, 256), bytes, reason });
    }
  };

  /** Why the host will not keep a file of this kind and size, or "". */
  const refusal = (kind: "image" | "file", size: number): string => {
    const { count, bytes } = kept[kind];
    if (kind === "image") {
      const p = settings.plots;
      if (p === null) return "plots are off";
      if (count >= p.maxImages) return `more than ${p.maxImages} images`;
      if (size > p.maxImageBytes) return `larger than ${p.maxImageBytes} bytes`;
      if (bytes + size > p.maxTotalBytes) return `past ${p.maxTotalBytes} bytes of images in all`;
      return "";
    }
    const f = settings.files;
    if (f === null) return "files are off";
    if (count >= f.maxFiles) return `more than ${f.maxFiles} files`;
    if (size > f.maxFileBytes) return `larger than ${f.maxFileBytes} bytes`;
    if (bytes + size > f.maxTotalBytes) return `past ${f.maxTotalBytes} bytes of files in all`;
    return "";
  };

  const complete = (r: Receiving): void => {
    if (r.data === null) return drop(r.kind, r.name, r.size, r.reason);
    if (r.kind === "file") {
      if (!safeName(r.name)) {
        return drop("file", r.name, r.size, "its name is not a safe relative path");
      }
      files.push({ name: r.name, mimeType: mimeTypeOf(r.name), data: r.data });
    } else {
      const png = pngSize(r.data);
      const svg = png === null ? svgSize(r.data) : null;
      const size = png ?? svg;
      if (size === null) return drop("image", r.name, r.size, "it is not a PNG or SVG image");
      const image: PlotImage = {
        mimeType: png ? "image/png" : "image/svg+xml",
        data: r.data,
        ...size,
      };
      images.push(image);
      notify(onImage, image);
    }
    kept[r.kind].count++;
    kept[r.kind].bytes += r.size;
  };

  const add = (m: CaptureMessage): string | null => {
    if (m.id !== execId) return `a ${m.type} message for execution ${m.id} during ${execId}`;
    if (m.type === "dropped") {
      if (current !== null) return "a dropped message inside a blob";
      drop(m.kind, m.name, m.size, m.reason);
      return null;
    }
    if (m.offset === 0) {
      if (current !== null) return "a new blob before the last one ended";
      const reason = refusal(m.kind, m.size);
      current = {
        kind: m.kind,
        name: m.name,
        size: m.size,
        received: 0,
        data: reason === "" ? new Uint8Array(m.size) : null,
        reason,
      };
    } else if (
      current === null || current.kind !== m.kind || current.name !== m.name ||
      current.size !== m.size || current.received !== m.offset
    ) {
      return "a blob chunk out of order";
    }
    const r: Receiving = current;
    if (m.data.length % 4 !== 0 || !BASE64.test(m.data)) return "a blob chunk that is not base64";
    const n = m.data.length / 4 * 3 - (m.data.endsWith("==") ? 2 : m.data.endsWith("=") ? 1 : 0);
    if (r.received + n > r.size) return "a blob longer than its stated size";
    if (n === 0 && r.size > 0) return "an empty blob chunk";
    if (r.data !== null && n > 0) r.data.set(Buffer.from(m.data, "base64"), r.received);
    r.received += n;
    if (r.received === r.size) {
      current = null;
      complete(r);
    }
    return null;
  };

  return {
    add,
    result: () => {
      if (current !== null) {
        drop(current.kind, current.name, current.size, "it did not arrive whole");
        current = null;
      }
      return { images, files, dropped };
    },
  };
}
