/**
 * Wire → JavaScript: decodes the tagged form (`wire_value.ts`) of values received from R,
 * i.e. tool arguments and execution results. The input is untrusted, so every shape is
 * checked and a malformed value is a {@linkcode WireFormatError}. A raw vector becomes a
 * `Uint8Array` (its base64 checked, and its length charged, before it is decoded). Other
 * atomic vectors of length one become scalars, named vectors and lists become objects (or `{ _names, _values }` when
 * their names cannot be an object's keys in order), arrays become nested row-major arrays
 * and data frames become arrays of row objects.
 *
 * What a value expands to is charged against a budget before anything is allocated for it
 * (the dimensions and row counts on the wire are claims, not data): past
 * {@linkcode MAX_DECODED_SLOTS} the decoding stops with a {@linkcode WireLimitError}.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import {
  MAX_DECODED_SLOTS,
  MAX_LOST_NOTES,
  MAX_WIRE_DEPTH,
  RAW_BYTES_PER_SLOT,
  tooDeepMessage,
  WireFormatError,
  WireLimitError,
  type WireObject,
  type WireValue,
} from "./wire_value.ts";

/** Slots still allowed for the value being decoded. */
interface Budget {
  left: number;
  readonly total: number;
}

/** Takes `n` slots from the budget before they are allocated. */
function charge(budget: Budget, n: number): void {
  budget.left -= n;
  if (budget.left < 0) throw new WireLimitError(budget.total - budget.left, budget.total);
}

function fail(what: string): never {
  throw new WireFormatError(`Cannot decode a value from R: ${what}`);
}

function stringList(x: unknown, len: number, what: string): (string | null)[] {
  if (!Array.isArray(x) || x.length !== len) fail(`${what} has the wrong length`);
  for (const s of x) if (s !== null && typeof s !== "string") fail(`${what} are not strings`);
  return x as (string | null)[];
}

function decodeDouble(e: unknown): number | null {
  if (e === null || typeof e === "number") return e;
  if (e === "NaN") return NaN;
  if (e === "Inf") return Infinity;
  if (e === "-Inf") return -Infinity;
  return fail(`${JSON.stringify(e)} is not a double`);
}

function decodeElements(t: string, v: readonly unknown[]): unknown[] {
  switch (t) {
    case "d":
      return v.map(decodeDouble);
    case "i":
      for (const e of v) {
        if (e !== null && !Number.isInteger(e)) fail("an integer vector holds a non-integer");
      }
      return v as unknown[];
    case "l":
      for (const e of v) {
        if (e !== null && typeof e !== "boolean") fail("a logical vector holds a non-boolean");
      }
      return v as unknown[];
    case "s":
      for (const e of v) {
        if (e !== null && typeof e !== "string") fail("a character vector holds a non-string");
      }
      return v as unknown[];
    default:
      return fail(`unknown tag "${t}"`);
  }
}

/** An array index key, which JavaScript objects put first, in ascending order. */
const INDEX_KEY = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * Usable as an object's keys: every name present, non-empty and unique, and the object keeps
 * their order (integer-like keys, which objects put first in ascending order, only there).
 */
function usableNames(n: readonly (string | null)[]): n is readonly string[] {
  const set = new Set<string>();
  let lastIndex = -1;
  let others = false;
  for (const k of n) {
    if (k === null || k === "" || set.has(k)) return false;
    set.add(k);
    if (INDEX_KEY.test(k) && Number(k) < 4294967295) {
      if (others || Number(k) <= lastIndex) return false;
      lastIndex = Number(k);
    } else others = true;
  }
  // An object with exactly these keys would read as the named form going back to R.
  return !(n.length === 2 && set.has("_names") && set.has("_values"));
}

function record(keys: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === "__proto__") {
      Object.defineProperty(out, keys[i], {
        value: values[i],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[keys[i]] = values[i];
  }
  return out;
}

/** The slots nested arrays of dimensions `dim` take: every level's arrays, not only leaves. */
function nestedSlots(dim: readonly number[]): number {
  let slots = 0;
  let arrays = 1;
  for (const d of dim) {
    arrays *= d;
    slots += arrays;
    if (!Number.isFinite(slots) || arrays === 0) break;
  }
  return slots;
}

/** Column-major data with dimensions `dim` → nested row-major arrays. */
function nest(data: readonly unknown[], dim: readonly number[], budget: Budget): unknown[] {
  charge(budget, nestedSlots(dim));
  const strides: number[] = [];
  let s = 1;
  for (const d of dim) {
    strides.push(s);
    s *= d;
  }
  const build = (axis: number, offset: number): unknown[] => {
    const out: unknown[] = new Array(dim[axis]);
    for (let i = 0; i < dim[axis]; i++) {
      const at = offset + i * strides[axis];
      out[i] = axis === dim.length - 1 ? data[at] : build(axis + 1, at);
    }
    return out;
  };
  return build(0, 0);
}

/** Padded base64 (RFC 4648) with no line breaks. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The length of the bytes padded base64 of this length and ending encodes. */
function base64Bytes(b: string): number {
  return b.length / 4 * 3 - (b.endsWith("==") ? 2 : b.endsWith("=") ? 1 : 0);
}

/**
 * A raw vector's bytes: its base64 is checked, and its length charged to the budget, before
 * anything is decoded.
 */
function rawBytes(o: WireObject, budget: Budget): Uint8Array {
  const b = o.b;
  if (typeof b !== "string" || o.v !== undefined || o.dim !== undefined || o.n !== undefined) {
    fail("a raw vector is not one base64 string");
  }
  if (b.length % 4 !== 0) fail("a raw vector's base64 has a length that is not a multiple of 4");
  const n = base64Bytes(b);
  charge(budget, Math.ceil(n / RAW_BYTES_PER_SLOT));
  if (!BASE64.test(b)) fail("a raw vector's bytes are not padded base64");
  const bytes = Buffer.from(b, "base64");
  if (bytes.length !== n) fail("a raw vector's base64 is malformed");
  // A plain Uint8Array of its own: a small Buffer is a view of a shared pool.
  const out = new Uint8Array(n);
  out.set(bytes);
  return out;
}

function wireLength(w: WireValue): number {
  if (w === null) return 0;
  if (w.t === "raw") return typeof w.b === "string" ? base64Bytes(w.b) : 0;
  if (w.t === "df") return Array.isArray(w.n) ? w.n.length : 0;
  return Array.isArray(w.v) ? w.v.length : 0;
}

function fromWireAt(w: unknown, depth: number, budget: Budget): unknown {
  if (w === null) return null;
  if (typeof w !== "object" || Array.isArray(w)) fail("a value is not an object");
  const o = w as WireObject;
  if (o.t === "none") return null;
  if ((o.t === "list" || o.t === "df") && depth >= MAX_WIRE_DEPTH) fail(tooDeepMessage());
  if (o.t === "df") return dataFrameRows(o, depth, budget);
  if (o.t === "raw") return rawBytes(o, budget);
  if (!Array.isArray(o.v)) fail(`a "${String(o.t)}" value has no element list`);
  const v = o.v;
  charge(budget, v.length);
  const elements = o.t === "list"
    ? v.map((e) => fromWireAt(e, depth + 1, budget))
    : decodeElements(o.t, v);
  if (o.dim !== undefined) {
    const dim = o.dim;
    if (!Array.isArray(dim) || dim.length < 2 || !dim.every((d) => Number.isInteger(d) && d >= 0)) {
      fail("bad dimensions");
    }
    if (dim.reduce((a, b) => a * b, 1) !== v.length) fail("dimensions do not match the length");
    return nest(elements, dim, budget);
  }
  if (o.n !== undefined) {
    const names = stringList(o.n, v.length, "names");
    if (usableNames(names)) return record(names, elements);
    charge(budget, 2 + names.length);
    return { _names: names, _values: elements };
  }
  if (o.t !== "list" && elements.length === 1) return elements[0];
  return elements;
}

function dataFrameRows(o: WireObject, depth: number, budget: Budget): Record<string, unknown>[] {
  const nrow = o.nrow;
  if (!Number.isInteger(nrow) || (nrow as number) < 0) fail("a data frame has a bad row count");
  const cols = o.v;
  if (!Array.isArray(cols)) fail("a data frame has no column list");
  const names = stringList(o.n, cols.length, "column names").map((k, i) => k || `V${i + 1}`);
  // Every row is an object with a property per column (and `_row`): charge them all now,
  // before the row count (a claim) allocates anything.
  charge(budget, (nrow as number) * (names.length + (o.rn === undefined ? 1 : 2)));
  const rn = o.rn === undefined ? undefined : stringList(o.rn, nrow as number, "row names");
  const columns = cols.map((c) => {
    const len = wireLength(c as WireValue);
    const asRows = c !== null && (c as WireObject).dim !== undefined;
    const decoded = fromWireAt(c, depth + 1, budget);
    // A raw column's cells are its bytes, as numbers (charged with the rows).
    const values = Array.isArray(decoded)
      ? decoded
      : decoded instanceof Uint8Array
      ? Array.from(decoded)
      : [decoded];
    if ((asRows ? values.length : len) !== nrow) fail("a data frame column has the wrong length");
    return values;
  });
  const keys = rn ? ["_row", ...names] : names;
  const rows: Record<string, unknown>[] = new Array(nrow as number);
  for (let r = 0; r < (nrow as number); r++) {
    const cells = columns.map((col) => col[r]);
    rows[r] = record(keys, rn ? [rn[r], ...cells] : cells);
  }
  return rows;
}

/** A final value from R, decoded: the value, what it lost, and whether R omitted it. */
export interface DecodedValue {
  readonly value: unknown;
  /** What the value's conversion lost, one note per kind of loss (R's notes). */
  readonly lost: readonly string[];
  /** R could not send the value (`lost` says why); `value` is `null`. */
  readonly omitted: boolean;
}

function notes(x: unknown): string[] {
  if (x === undefined) return [];
  if (!Array.isArray(x) || x.length > MAX_LOST_NOTES || !x.every((s) => typeof s === "string")) {
    fail("bad notes of what was lost");
  }
  return x.map((s: string) => s.slice(0, 300));
}

/**
 * Decodes a value from R with R's notes of what it lost: a top-level `omitted` value (R
 * could not send it) is `null` with the reason as its note.
 *
 * @throws {WireLimitError} when it would expand past `maxSlots` (nothing was allocated).
 * @throws {WireFormatError} when the value is malformed.
 */
export function decodeFromR(w: unknown, maxSlots: number = MAX_DECODED_SLOTS): DecodedValue {
  if (w !== null && typeof w === "object" && !Array.isArray(w)) {
    const o = w as WireObject;
    if (o.t === "omitted") {
      if (typeof o.why !== "string") fail("an omitted value has no reason");
      return { value: null, lost: [o.why.slice(0, 300)], omitted: true };
    }
    if (o.lost !== undefined) {
      const lost = notes(o.lost);
      return { value: fromWire(w, maxSlots), lost, omitted: false };
    }
  }
  return { value: fromWire(w, maxSlots), lost: [], omitted: false };
}

/**
 * Converts a wire value from R to JavaScript, checking its shape and what it expands to.
 *
 * @param maxSlots The most slots the decoded value may take. @default MAX_DECODED_SLOTS
 * @throws {WireLimitError} when it would expand past `maxSlots` (nothing was allocated).
 * @throws {WireFormatError} when the value is malformed.
 */
export function fromWire(w: unknown, maxSlots: number = MAX_DECODED_SLOTS): unknown {
  return fromWireAt(w, 0, { left: maxSlots, total: maxSlots });
}
