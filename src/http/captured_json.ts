/**
 * What an execution drew and wrote, as JSON: each image `{ mimeType, width, height, data }`
 * and each file `{ name, mimeType, data }` with `data` in base64 (not an array of bytes, as
 * a raw vector in `value` is), and `dropped` as it is.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { DroppedOutput, OutputFile, PlotImage } from "../plots/types.ts";

/** An image in a JSON body. */
export interface ImageJson {
  /** `image/png` or `image/svg+xml`. */
  readonly mimeType: string;
  /** Width in pixels (for SVG, in the device's pixels). */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** The encoded image, in base64. */
  readonly data: string;
}

/** A file in a JSON body. */
export interface FileJson {
  /** Its name in `SECURER_OUTPUT_DIR`. */
  readonly name: string;
  /** Its media type, guessed from the name. */
  readonly mimeType: string;
  /** Its bytes, in base64. */
  readonly data: string;
}

const base64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

/** One image as JSON. */
export function imageJson(image: PlotImage): ImageJson {
  return {
    mimeType: image.mimeType,
    width: image.width,
    height: image.height,
    data: base64(image.data),
  };
}

/** What a result or an error carries of images, files and dropped ones. */
export interface Captured {
  readonly images?: readonly PlotImage[];
  readonly files?: readonly OutputFile[];
  readonly dropped?: readonly DroppedOutput[];
}

/**
 * `value` (a result or an error's fields) with its images and files in base64; those
 * absent stay absent.
 */
export function withCapturedJson<T extends Captured>(value: T): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (Array.isArray(value.images)) out.images = value.images.map(imageJson);
  if (Array.isArray(value.files)) {
    out.files = value.files.map((f): FileJson => ({
      name: f.name,
      mimeType: f.mimeType,
      data: base64(f.data),
    }));
  }
  return out;
}
