/**
 * Values across the R boundary (SPEC §6): a tagged wire form that keeps R's types, and the
 * conversions between it and plain JavaScript values.
 *
 * On the wire every R value is `null` (R `NULL`) or an object with a tag `t`:
 *
 * | tag    | R                                   | `v`                                   |
 * |--------|-------------------------------------|---------------------------------------|
 * | `d`    | double vector                       | numbers, `null` = `NA`                |
 * | `i`    | integer vector                      | numbers, `null` = `NA`                |
 * | `l`    | logical vector                      | booleans, `null` = `NA`               |
 * | `s`    | character (also factor, Date, ...)  | strings, `null` = `NA`                |
 * | `raw`  | raw vector                          | none: `b`, the bytes in base64        |
 * | `time` | POSIXct (host → R only)             | seconds since the epoch               |
 * | `list` | list                                | wire values                           |
 * | `df`   | data.frame (column-wise)            | one wire value per column             |
 * | `none` | no data form (function, env, ...)   | —                                     |
 * | `omitted` | a final value R could not send (R → host, top level only; `why` says why) | — |
 *
 * A raw vector carries its bytes as one base64 string `b` (RFC 4648, padded, no line breaks)
 * instead of `v`: a byte costs 4/3 of a byte on the wire, not the 2–4 of a number in an array.
 *
 * Optional fields: `n` (names), `dim` (array dimensions, column-major `v`), `nrow` and `rn`
 * (data frame rows and row names; a `_row` key of unique strings in every row becomes the
 * row names), and for doubles the 1-based index lists `nan`, `inf`,
 * `ninf`, `nz` (negative zero) sent host → R, since JSON has no such numbers. R writes
 * `"NaN"`, `"Inf"` and `"-Inf"` as strings inside `v` instead, and writes every double with
 * 17 significant digits, so doubles round-trip exactly both ways.
 *
 * R adds `lost` to a value's top level: what its conversion lost, one note per kind of
 * loss (at most {@linkcode MAX_LOST_NOTES}).
 *
 * In JavaScript, names that cannot be an object's keys in order — missing, empty or
 * duplicate names, or integer-like names, which objects put first — give the named form
 * `{ _names, _values }`, which goes back to R as the named vector or list it came from.
 *
 * Everything that comes from R is checked by `fromWire` (`from_wire.ts`) before use: it is
 * untrusted input. `toWire` (`to_wire.ts`) builds the wire form of values sent to R.
 *
 * @module
 */

/** A value in wire form. */
export type WireValue = null | WireObject;

/** A tagged wire value (see the module doc for the tags). */
export interface WireObject {
  readonly t: string;
  readonly v?: readonly unknown[];
  /** A raw vector's bytes, in base64. */
  readonly b?: string;
  readonly n?: readonly (string | null)[];
  readonly dim?: readonly number[];
  readonly nrow?: number;
  readonly rn?: readonly (string | null)[];
  readonly cls?: string;
  readonly nan?: readonly number[];
  readonly inf?: readonly number[];
  readonly ninf?: readonly number[];
  readonly nz?: readonly number[];
  readonly why?: string;
  readonly lost?: readonly string[];
}

/** The wire data was malformed (a protocol violation when it comes from R). */
export class WireFormatError extends Error {
  override readonly name = "WireFormatError";
}

/**
 * A wire value from R would expand, once decoded, past {@linkcode MAX_DECODED_SLOTS}: it is
 * well formed but too large for the host (a 0-column data frame of 10⁸ rows is a few bytes on
 * the wire). Nothing was allocated for it.
 */
export class WireLimitError extends WireFormatError {
  /** The slots the value would need, at least. */
  readonly slots: number;
  /** The limit it went past. */
  readonly limit: number;
  /** Creates the error. */
  constructor(slots: number, limit: number) {
    super(
      `Cannot decode a value from R: it would expand to at least ${slots} elements ` +
        `(at most ${limit} are allowed)`,
    );
    this.slots = slots;
    this.limit = limit;
  }
}

/**
 * How many JavaScript slots (array elements and object properties) one value from R may
 * expand to when decoded: the host's memory per decoded value is bounded by this, whatever
 * the size of its wire form. 4 Mi slots is a few tens of MiB of heap. The bytes of a raw
 * vector count one slot per {@linkcode RAW_BYTES_PER_SLOT}.
 */
export const MAX_DECODED_SLOTS: number = 4_194_304;

/** How many bytes of a raw vector count as one slot of {@linkcode MAX_DECODED_SLOTS}. */
export const RAW_BYTES_PER_SLOT: number = 8;

/**
 * How deeply values may nest, in all three directions: lists and data frames inside each
 * other, the outermost one counting (an atomic vector or matrix is not a level). Deeper
 * values are refused with {@linkcode tooDeepMessage}.
 */
export const MAX_WIRE_DEPTH: number = 100;

/** The error for a value nested past {@linkcode MAX_WIRE_DEPTH} (R writes the same). */
export function tooDeepMessage(): string {
  return `the value is nested more than ${MAX_WIRE_DEPTH} levels deep`;
}

/** At most this many notes of what a value lost are kept, each cut to 300 characters. */
export const MAX_LOST_NOTES: number = 20;

/** R's class name for a wire value, as the reference's type-check messages print it. */
export function rClassOf(w: WireValue): string {
  if (w === null) return "NULL";
  switch (w.t) {
    case "d":
      return "numeric";
    case "i":
      return "integer";
    case "l":
      return "logical";
    case "s":
      return "character";
    case "raw":
      return "raw";
    case "list":
      return "list";
    case "df":
      return "data.frame";
    default:
      return typeof w.cls === "string" ? w.cls : "unknown";
  }
}

/** The six R type names a tool argument can declare. */
export type RTypeName = "numeric" | "character" | "logical" | "integer" | "list" | "data.frame";

/** The R type names tool arguments can declare, in the reference's order. */
export const R_TYPE_NAMES: readonly RTypeName[] = [
  "numeric",
  "character",
  "logical",
  "integer",
  "list",
  "data.frame",
];

/** Does a wire value pass R's `is.<type>()` check for a declared tool argument type? */
export function matchesRType(w: WireValue, type: RTypeName): boolean {
  const t = w === null ? "null" : w.t;
  switch (type) {
    case "numeric":
      return t === "d" || t === "i";
    case "character":
      return t === "s";
    case "logical":
      return t === "l";
    case "integer":
      return t === "i";
    case "list":
      return t === "list" || t === "df";
    case "data.frame":
      return t === "df";
  }
}
