/**
 * `formatToolResult`: an execution's result as text for a language model, by the reference's
 * rules (`format_tool_result` of the R package), plus the captured output and a note of the
 * images, which the reference dropped.
 *
 * The value's text follows the reference line for line where the reference is well defined:
 * `NULL` → `NULL`; a scalar (an atomic vector of length 1) → R's `as.character()` of it
 * (`42`, `hello`, `TRUE`, `NA`); a data frame → its printed lines, at most 30, then
 * `... (N rows total)`; anything else → its printed lines, at most 50, then
 * `... (output truncated)`. Like the reference, a data frame is printed with `print(max = 50)`
 * (the first 50 / columns rows); that print is rebuilt on the host (`data_frame_head.ts`), and
 * where it cannot be rebuilt exactly (custom row names, wide frames, list columns) the first 30
 * lines of the full print are used instead. It is computed from the result alone, without R,
 * so a few values differ from the reference: a named scalar and a 1 × 1 matrix print as R
 * prints them (the reference gave the bare value), and a date-time scalar is its ISO-8601
 * text, not R's local-time text.
 *
 * @module
 */
import type { ExecuteResult } from "../session/run_execution.ts";
import { printDataFrameHead } from "./data_frame_head.ts";

/** An image an execution produced, as far as the text needs it. */
export interface ImageNote {
  /** The media type, e.g. `image/png`. */
  readonly mimeType: string;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/** What {@linkcode formatToolResult} reads from a result: an `ExecuteResult` has it all. */
export type FormattableResult =
  & Pick<ExecuteResult, "value" | "text" | "output">
  & Partial<
    Pick<
      ExecuteResult,
      "outputTruncated" | "droppedOutputLines" | "valueOmitted" | "textTruncated" | "lost"
    >
  >
  & { readonly images?: readonly ImageNote[] };

/** How much of a result {@linkcode formatToolResult} keeps. */
export interface FormatToolResultOptions {
  /** Printed lines of a data frame kept before `... (N rows total)`. @default 30 */
  readonly dataFrameLines?: number;
  /** Printed lines of any other value kept before `... (output truncated)`. @default 50 */
  readonly valueLines?: number;
  /** Output lines kept before `... (N more output lines)`. @default 50 */
  readonly outputLines?: number;
}

/**
 * Formats a result for a language model. Without output or images it is exactly the
 * reference's text for the value; with them, the output comes first under `Output:`, then
 * the value under `Value:`, then one line per image. A last `Note:` line says when the
 * printed value was cut (`textTruncated`) or converting it lost something (`lost`).
 *
 * @example
 * ```ts
 * import { formatToolResult, SecureSession } from "@securer/securer";
 *
 * await using session = await SecureSession.create();
 * console.log(formatToolResult(await session.execute("1 + 1"))); // 2
 * console.log(formatToolResult(await session.execute('cat("hi\\n"); 2')));
 * // Output:
 * // hi
 * // Value:
 * // 2
 * ```
 */
export function formatToolResult(
  result: FormattableResult,
  options: FormatToolResultOptions = {},
): string {
  const value = valueText(result, options);
  const images = result.images ?? [];
  const notes = noteLines(result);
  const extra = result.output.length > 0 || images.length > 0 || result.outputTruncated === true;
  if (!extra) return [value, ...notes].join("\n");
  const parts: string[] = [];
  if (result.output.length > 0 || result.outputTruncated === true) {
    parts.push("Output:", ...outputLines(result, options.outputLines ?? 50));
  }
  parts.push("Value:", value);
  for (const [i, image] of images.entries()) {
    parts.push(
      `[image ${i + 1} of ${images.length}: ${image.mimeType}, ${image.width}x${image.height}, ` +
        "attached separately]",
    );
  }
  parts.push(...notes);
  return parts.join("\n");
}

/** Notes of a lost part kept, each cut to this many characters. */
const NOTE_CHARS = 200;

/** The `Note:` lines: the printed value was cut, or converting the value lost something. */
function noteLines(result: FormattableResult): string[] {
  const out: string[] = [];
  // A scalar is written from the value, which is whole; anything else from the cut print.
  const scalar = ["string", "number", "boolean"].includes(typeof result.value);
  if (result.textTruncated === true && !scalar) {
    out.push("Note: the printed value was cut to its size limit; print a part of it to see more.");
  }
  // One line each: a note may carry names from R, which may hold anything.
  const lost = (result.lost ?? []).slice(0, 5).map((l) => {
    // deno-lint-ignore no-control-regex
    const line = String(l).replace(/[\x00-\x1f\x7f]/g, " ");
    return line.length > NOTE_CHARS ? `${line.slice(0, NOTE_CHARS)}...` : line;
  });
  if (lost.length > 0) {
    const more = (result.lost?.length ?? 0) - lost.length;
    out.push(
      `Note: converting the value lost: ${lost.join("; ")}${more > 0 ? ` (+${more} more)` : ""}`,
    );
  }
  return out;
}

/** The value's text by the reference's rules. */
function valueText(result: FormattableResult, options: FormatToolResultOptions): string {
  const { value, text } = result;
  if (value === null && text === "NULL") return "NULL";
  if (value === null && text === "[1] NA") return "NA";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") return numberText(value, text);
  if (isDataFrame(value, text)) {
    const printed = printDataFrameHead(value, text, 50) ?? text;
    const lines = printed.split("\n");
    const keep = options.dataFrameLines ?? 30;
    if (lines.length <= keep) return printed;
    return [...lines.slice(0, keep), `... (${value.length} rows total)`].join("\n");
  }
  const lines = text.split("\n");
  const keep = options.valueLines ?? 50;
  if (lines.length <= keep) return text;
  return [...lines.slice(0, keep), "... (output truncated)"].join("\n");
}

/**
 * A data frame arrives as an array of row objects. A list of named lists does too, but R
 * prints that as `[[1]]` …, a data frame with its header line.
 */
function isDataFrame(value: unknown, text: string): value is readonly unknown[] {
  return Array.isArray(value) && value.length > 0 && !text.startsWith("[[") &&
    value.every((row) => typeof row === "object" && row !== null && !Array.isArray(row));
}

/**
 * R's `as.character()` of a double or integer scalar. The printed text (`[1] 1e+05`) is
 * used when it is exact, since it alone knows integer from double; otherwise the number is
 * written as R writes it, with 15 significant digits.
 */
function numberText(n: number, text: string): string {
  const printed = /^\[1\] (\S+)$/.exec(text)?.[1];
  if (printed !== undefined && Number(printed) === n) return printed;
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Inf" : "-Inf";
  return rDouble(n, 15);
}

/**
 * A double as R writes it with `digits` significant digits: the fewest digits that show it
 * to that precision, in fixed notation unless scientific notation is narrower.
 */
export function rDouble(n: number, digits: number): string {
  if (n === 0) return "0";
  const [mantissa, exp] = n.toExponential(digits - 1).split("e");
  const e = Number(exp);
  const sign = mantissa.startsWith("-") ? "-" : "";
  const sig = mantissa.replace(/^-/, "").replace(".", "").replace(/0+$/, "") || "0";
  const sciMantissa = sig.length > 1 ? `${sig[0]}.${sig.slice(1)}` : sig;
  const sci = `${sign}${sciMantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  let fixed: string;
  if (e >= 0) {
    const whole = sig.slice(0, e + 1).padEnd(e + 1, "0");
    const frac = sig.slice(e + 1);
    fixed = frac === "" ? whole : `${whole}.${frac}`;
  } else {
    fixed = `0.${"0".repeat(-e - 1)}${sig}`;
  }
  fixed = sign + fixed;
  return fixed.length <= sci.length ? fixed : sci;
}

/** The output lines, capped, with a line saying how many were left out. */
function outputLines(result: FormattableResult, keep: number): string[] {
  const lines = result.output.slice(0, keep);
  const left = result.output.length - lines.length + (result.droppedOutputLines ?? 0);
  if (left > 0) lines.push(`... (${left} more output lines)`);
  return lines;
}
