/**
 * What an execution brings back besides its value: the images R drew on its graphics
 * devices, the files code wrote to its output directory, and what was left out past a cap;
 * and the options that shape and bound them.
 *
 * @module
 */

/** One page R drew, in the order drawn. */
export interface PlotImage {
  /** `image/png` (the default) or `image/svg+xml` (`plots: { format: "svg" }`). */
  readonly mimeType: "image/png" | "image/svg+xml";
  /** The image file's bytes. */
  readonly data: Uint8Array;
  /**
   * Width: in pixels for PNG (read from its IHDR chunk); for SVG, the width of its
   * `viewBox` (R's SVG device uses points, 72 per inch).
   */
  readonly width: number;
  /** Height, in the same unit as `width`. */
  readonly height: number;
}

/** A file code wrote to the execution's output directory (`SECURER_OUTPUT_DIR`). */
export interface OutputFile {
  /** Its path relative to the output directory, with `/` between parts (`"sub/a.csv"`). */
  readonly name: string;
  /** The MIME type its extension gives (`application/octet-stream` when unknown). */
  readonly mimeType: string;
  /** The file's bytes. */
  readonly data: Uint8Array;
}

/** An image or file left out of the result, and why. */
export interface DroppedOutput {
  /** What was left out. */
  readonly kind: "image" | "file";
  /** The file's name (an image's is its page file, e.g. `plot-001-001.png`), at most 256 characters. */
  readonly name: string;
  /** Its size in bytes as far as known, else `null`. */
  readonly bytes: number | null;
  /** Why, e.g. `more than maxImages (20) images`. */
  readonly reason: string;
}

/** How plots are drawn and how many come back (session and execute option `plots`). */
export interface PlotOptions {
  /** The image format; `false` draws on no file (as `plots: false`). @default "png" */
  readonly format?: "png" | "svg" | false;
  /** Width of each image in pixels (SVG: pixels at `res`). @default 672 */
  readonly width?: number;
  /** Height of each image in pixels. @default 480 */
  readonly height?: number;
  /** Resolution in pixels per inch: sets the size of text and symbols. @default 96 */
  readonly res?: number;
  /** Most images an execution returns; later pages are dropped. @default 20 */
  readonly maxImages?: number;
  /** Largest image returned, in bytes. @default 5242880 (5 MiB) */
  readonly maxImageBytes?: number;
  /** Most bytes of images an execution returns, all together. @default 20971520 (20 MiB) */
  readonly maxTotalBytes?: number;
}

/** How many files come back from the output directory (option `files`). */
export interface FileOptions {
  /** Most files an execution returns. @default 20 */
  readonly maxFiles?: number;
  /** Largest file returned, in bytes. @default 10485760 (10 MiB) */
  readonly maxFileBytes?: number;
  /** Most bytes of files an execution returns, all together. @default 20971520 (20 MiB) */
  readonly maxTotalBytes?: number;
}

/** Plot settings after validation, with defaults applied. */
export interface ResolvedPlots {
  readonly format: "png" | "svg";
  readonly width: number;
  readonly height: number;
  readonly res: number;
  readonly maxImages: number;
  readonly maxImageBytes: number;
  readonly maxTotalBytes: number;
}

/** File settings after validation, with defaults applied. */
export interface ResolvedFiles {
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
}

/** What one execution captures: `null` where capture is off. */
export interface CaptureSettings {
  readonly plots: ResolvedPlots | null;
  readonly files: ResolvedFiles | null;
}

/** What one execution brought back. */
export interface Captured {
  readonly images: readonly PlotImage[];
  readonly files: readonly OutputFile[];
  readonly dropped: readonly DroppedOutput[];
}

/** Nothing captured. */
export const NOTHING_CAPTURED: Captured = Object.freeze({
  images: Object.freeze([]) as readonly PlotImage[],
  files: Object.freeze([]) as readonly OutputFile[],
  dropped: Object.freeze([]) as readonly DroppedOutput[],
});
