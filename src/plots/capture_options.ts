/**
 * Validation and merging of the `plots` and `files` options (pure): the session's settings
 * with defaults applied, and an execution's on top of them. A wrong type throws
 * `TypeError`, a value out of range `RangeError`; messages name the option.
 *
 * @module
 */
import type {
  CaptureSettings,
  FileOptions,
  PlotOptions,
  ResolvedFiles,
  ResolvedPlots,
} from "./types.ts";

const MiB = 1024 * 1024;

/** The plot settings when none are given. */
export const DEFAULT_PLOTS: ResolvedPlots = Object.freeze({
  format: "png",
  width: 672,
  height: 480,
  res: 96,
  maxImages: 20,
  maxImageBytes: 5 * MiB,
  maxTotalBytes: 20 * MiB,
});

/** The file settings when none are given. */
export const DEFAULT_FILES: ResolvedFiles = Object.freeze({
  maxFiles: 20,
  maxFileBytes: 10 * MiB,
  maxTotalBytes: 20 * MiB,
});

/** Largest width or height accepted, in pixels. */
const MAX_SIDE = 10_000;

const PLOT_KEYS = [
  "format",
  "width",
  "height",
  "res",
  "maxImages",
  "maxImageBytes",
  "maxTotalBytes",
] as const;
const FILE_KEYS = ["maxFiles", "maxFileBytes", "maxTotalBytes"] as const;

function tag(x: unknown): string {
  if (x === null) return "<null>";
  if (Array.isArray(x)) return "<array>";
  return `<${typeof x}>`;
}

function show(x: unknown): string {
  return typeof x === "number" ? String(x) : typeof x === "string" ? JSON.stringify(x) : tag(x);
}

function positiveInt(name: string, x: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof x !== "number") throw new TypeError(`\`${name}\` must be a number, not ${tag(x)}.`);
  if (!Number.isInteger(x) || x < 1 || x > max) {
    throw new RangeError(
      `\`${name}\` must be an integer from 1 to ${max}, not ${show(x)}.`,
    );
  }
  return x;
}

function objectOrFalse(name: string, x: unknown, keys: readonly string[]): object | false {
  if (x === false) return false;
  if (typeof x !== "object" || x === null || Array.isArray(x)) {
    throw new TypeError(`\`${name}\` must be an object or false, not ${tag(x)}.`);
  }
  for (const k of Object.keys(x)) {
    if (!keys.includes(k)) {
      throw new TypeError(
        `\`${name}\` has no option ${JSON.stringify(k)}; known: ${keys.join(", ")}.`,
      );
    }
  }
  return x;
}

/** Applies `options` (validated) over `base`; `null` when plots are off. */
export function mergePlots(
  base: ResolvedPlots | null,
  options: PlotOptions | false | undefined,
): ResolvedPlots | null {
  if (options === undefined) return base;
  const o = objectOrFalse("plots", options, PLOT_KEYS) as PlotOptions | false;
  if (o === false || o.format === false) return null;
  if (o.format !== undefined && o.format !== "png" && o.format !== "svg") {
    throw new TypeError(
      `\`plots.format\` must be "png", "svg" or false, not ${show(o.format)}.`,
    );
  }
  const from = base ?? DEFAULT_PLOTS;
  const int = (k: Exclude<(typeof PLOT_KEYS)[number], "format">, max?: number) =>
    o[k] === undefined ? from[k] : positiveInt(`plots.${k}`, o[k], max);
  return {
    format: o.format ?? from.format,
    width: int("width", MAX_SIDE),
    height: int("height", MAX_SIDE),
    res: int("res", 2_400),
    maxImages: int("maxImages", 1_000),
    maxImageBytes: int("maxImageBytes"),
    maxTotalBytes: int("maxTotalBytes"),
  };
}

/** Applies `options` (validated) over `base`; `null` when files are off. */
export function mergeFiles(
  base: ResolvedFiles | null,
  options: FileOptions | false | undefined,
): ResolvedFiles | null {
  if (options === undefined) return base;
  const o = objectOrFalse("files", options, FILE_KEYS) as FileOptions | false;
  if (o === false) return null;
  const from = base ?? DEFAULT_FILES;
  const int = (k: (typeof FILE_KEYS)[number], max?: number) =>
    o[k] === undefined ? from[k] : positiveInt(`files.${k}`, o[k], max);
  return {
    maxFiles: int("maxFiles", 1_000),
    maxFileBytes: int("maxFileBytes"),
    maxTotalBytes: int("maxTotalBytes"),
  };
}

/** The session's capture settings: the defaults with its options applied. */
export function resolveCapture(
  plots: PlotOptions | false | undefined,
  files: FileOptions | false | undefined,
): CaptureSettings {
  return {
    plots: mergePlots(DEFAULT_PLOTS, plots),
    files: mergeFiles(DEFAULT_FILES, files),
  };
}

/** One execution's capture settings: the session's with the execution's options applied. */
export function executionCapture(
  session: CaptureSettings,
  plots: PlotOptions | false | undefined,
  files: FileOptions | false | undefined,
): CaptureSettings {
  if (plots === undefined && files === undefined) return session;
  return { plots: mergePlots(session.plots, plots), files: mergeFiles(session.files, files) };
}
