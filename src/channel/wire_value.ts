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
 * | `raw`  | raw vector                          | numbers 0–255                         |
 * | `time` | POSIXct (host → R only)             | seconds since the epoch               |
 * | `list` | list                                | wire values                           |
 * | `df`   | data.frame (column-wise)            | one wire value per column             |
 * | `none` | no data form (function, env, ...)   | —                                     |
 *
 * Optional fields: `n` (names), `dim` (array dimensions, column-major `v`), `nrow` and `rn`
 * (data frame rows and row names; a `_row` key of unique strings in every row becomes the
 * row names), and for doubles the 1-based index lists `nan`, `inf`,
 * `ninf`, `nz` (negative zero) sent host → R, since JSON has no such numbers. R writes
 * `"NaN"`, `"Inf"` and `"-Inf"` as strings inside `v` instead, and writes every double with
 * 17 significant digits, so doubles round-trip exactly both ways.
 *
 * Everything that comes from R is checked by {@linkcode fromWire} before use: it is
 * untrusted input.
 *
 * @module
 */

/** A value in wire form. */
export type WireValue = null | WireObject;

/** A tagged wire value (see the module doc for the tags). */
export interface WireObject {
  readonly t: string;
  readonly v?: readonly unknown[];
  readonly n?: readonly (string | null)[];
  readonly dim?: readonly number[];
  readonly nrow?: number;
  readonly rn?: readonly (string | null)[];
  readonly cls?: string;
  readonly nan?: readonly number[];
  readonly inf?: readonly number[];
  readonly ninf?: readonly number[];
  readonly nz?: readonly number[];
}

/** The wire data was malformed (a protocol violation when it comes from R). */
export class WireFormatError extends Error {
  override readonly name = "WireFormatError";
}

const MAX_DEPTH = 100;

// ---------------------------------------------------------------------------------------
// JavaScript -> wire (values sent to R: tool results)

type ScalarKind = "d" | "i" | "l" | "s" | "time";

function scalarKind(x: unknown): ScalarKind | null {
  switch (typeof x) {
    case "number":
      return "d";
    case "string":
      return "s";
    case "boolean":
      return "l";
    case "bigint":
      return "i";
    default:
      return x instanceof Date ? "time" : null;
  }
}

/** The common scalar kind of an array's elements, ignoring nulls; `null` if they differ. */
function atomicKind(xs: readonly unknown[]): ScalarKind | null {
  let kind: ScalarKind | null = null;
  for (const x of xs) {
    if (x === null || x === undefined) continue;
    const k = scalarKind(x);
    if (k === null || (kind !== null && k !== kind)) return null;
    kind = k;
  }
  return kind ?? "l";
}

function isPlainRecord(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  if (x instanceof Date || ArrayBuffer.isView(x) || x instanceof Map || x instanceof Set) {
    return false;
  }
  return true;
}

const INT_MAX = 2147483647;

function atomicWire(kind: ScalarKind, xs: readonly unknown[]): WireObject {
  switch (kind) {
    case "d":
      return doubleWire(xs as readonly (number | null | undefined)[]);
    case "i":
      return {
        t: "i",
        v: xs.map((x) => {
          if (x === null || x === undefined) return null;
          const b = x as bigint;
          if (b > BigInt(INT_MAX) || b < -BigInt(INT_MAX)) {
            throw new TypeError(
              `Cannot send value to R: bigint ${b} is outside R's integer range (±${INT_MAX})`,
            );
          }
          return Number(b);
        }),
      };
    case "time":
      return {
        t: "time",
        v: xs.map((x) => {
          const ms = x instanceof Date ? x.getTime() : NaN;
          return Number.isNaN(ms) ? null : ms / 1000;
        }),
      };
    default:
      return { t: kind, v: xs.map((x) => x ?? null) };
  }
}

function doubleWire(xs: readonly (number | null | undefined)[]): WireObject {
  const v: (number | null)[] = new Array(xs.length);
  const special: Record<"nan" | "inf" | "ninf" | "nz", number[]> = {
    nan: [],
    inf: [],
    ninf: [],
    nz: [],
  };
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === null || x === undefined) v[i] = null;
    else if (Number.isFinite(x)) {
      v[i] = x;
      if (x === 0 && Object.is(x, -0)) special.nz.push(i + 1);
    } else {
      v[i] = 0;
      special[Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "ninf"].push(i + 1);
    }
  }
  const out: Record<string, unknown> = { t: "d", v };
  for (const [k, idx] of Object.entries(special)) if (idx.length > 0) out[k] = idx;
  return out as unknown as WireObject;
}

function dataFrameWire(
  rows: readonly Record<string, unknown>[],
  depth: number,
  seen: Set<object>,
): WireObject | null {
  const keys = Object.keys(rows[0]);
  if (keys.length === 0) return null;
  for (const row of rows) {
    if (!isPlainRecord(row) || Object.keys(row).length !== keys.length) return null;
    for (const k of keys) if (!Object.hasOwn(row, k)) return null;
  }
  const columns = keys.map((k) => rows.map((r) => r[k]));
  let rn: string[] | undefined;
  const at = keys.indexOf("_row");
  if (
    at !== -1 && columns[at].every((x) => typeof x === "string" && x !== "") &&
    new Set(columns[at]).size === rows.length
  ) {
    rn = columns[at] as string[];
    keys.splice(at, 1);
    columns.splice(at, 1);
  }
  const v = columns.map((col) => {
    const kind = atomicKind(col);
    return kind !== null
      ? atomicWire(kind, col)
      : { t: "list", v: col.map((x) => toWireAt(x, depth + 1, seen)) };
  });
  return { t: "df", nrow: rows.length, n: keys, v, ...(rn ? { rn } : {}) };
}

function matrixWire(rows: readonly unknown[][]): WireObject | null {
  const ncol = rows[0].length;
  if (ncol === 0 || rows.some((r) => r.length !== ncol)) return null;
  const flat: unknown[] = new Array(rows.length * ncol);
  for (let c = 0; c < ncol; c++) {
    for (let r = 0; r < rows.length; r++) flat[c * rows.length + r] = rows[r][c];
  }
  const kind = atomicKind(flat);
  if (kind === null || rows.some((r) => atomicKind(r) === null)) return null;
  return { ...atomicWire(kind, flat), dim: [rows.length, ncol] };
}

function arrayWire(xs: readonly unknown[], depth: number, seen: Set<object>): WireObject {
  if (xs.length > 0) {
    const kind = atomicKind(xs);
    if (kind !== null) return atomicWire(kind, xs);
    if (xs.every(isPlainRecord)) {
      const df = dataFrameWire(xs as Record<string, unknown>[], depth, seen);
      if (df !== null) return df;
    } else if (xs.every(Array.isArray)) {
      const m = matrixWire(xs as unknown[][]);
      if (m !== null) return m;
    }
  }
  return { t: "list", v: xs.map((x) => toWireAt(x, depth + 1, seen)) };
}

function recordWire(entries: [string, unknown][], depth: number, seen: Set<object>): WireObject {
  return {
    t: "list",
    v: entries.map(([, x]) => toWireAt(x, depth + 1, seen)),
    n: entries.map(([k]) => k),
  };
}

function toWireAt(x: unknown, depth: number, seen: Set<object>): WireValue {
  if (x === null || x === undefined) return null;
  const kind = scalarKind(x);
  if (kind !== null) return atomicWire(kind, [x]);
  if (typeof x !== "object") return null; // functions and symbols have no R form
  if (depth > MAX_DEPTH) {
    throw new TypeError(`Cannot send value to R: it is nested more than ${MAX_DEPTH} levels deep`);
  }
  if (seen.has(x)) throw new TypeError("Cannot send value to R: it contains a cycle");
  seen.add(x);
  try {
    if (x instanceof Uint8Array) return { t: "raw", v: Array.from(x) };
    if (ArrayBuffer.isView(x)) {
      return arrayWire(Array.from(x as unknown as ArrayLike<unknown>), depth, seen);
    }
    if (Array.isArray(x)) return arrayWire(x, depth, seen);
    if (x instanceof Set) return arrayWire([...x], depth, seen);
    if (x instanceof Map) {
      const entries = [...x.entries()];
      if (entries.some(([k]) => typeof k !== "string")) {
        throw new TypeError("Cannot send value to R: a Map needs string keys");
      }
      return recordWire(entries as [string, unknown][], depth, seen);
    }
    const toJSON = (x as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return toWireAt(toJSON.call(x), depth + 1, seen);
    return recordWire(Object.entries(x), depth, seen);
  } finally {
    seen.delete(x);
  }
}

/**
 * Converts a JavaScript value to wire form for R.
 *
 * @throws {TypeError} for cycles, nesting deeper than 100 levels, Maps with non-string keys
 *   and bigints outside R's integer range.
 */
export function toWire(value: unknown): WireValue {
  return toWireAt(value, 0, new Set());
}

// ---------------------------------------------------------------------------------------
// wire -> JavaScript (values received from R: tool arguments and results)

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

/** Usable as object keys: every name present, non-empty and unique. */
function usableNames(n: readonly (string | null)[]): n is readonly string[] {
  const set = new Set<string>();
  for (const k of n) {
    if (k === null || k === "" || set.has(k)) return false;
    set.add(k);
  }
  return true;
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

/** Column-major data with dimensions `dim` → nested row-major arrays. */
function nest(data: readonly unknown[], dim: readonly number[]): unknown[] {
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

function wireLength(w: WireValue): number {
  if (w === null) return 0;
  if (w.t === "df") return Array.isArray(w.n) ? w.n.length : 0;
  return Array.isArray(w.v) ? w.v.length : 0;
}

function fromWireAt(w: unknown, depth: number): unknown {
  if (w === null) return null;
  if (typeof w !== "object" || Array.isArray(w)) fail("a value is not an object");
  if (depth > MAX_DEPTH) fail(`it is nested more than ${MAX_DEPTH} levels deep`);
  const o = w as WireObject;
  if (o.t === "none") return null;
  if (o.t === "df") return dataFrameRows(o, depth);
  if (!Array.isArray(o.v)) fail(`a "${String(o.t)}" value has no element list`);
  const v = o.v;
  if (o.t === "raw") {
    for (const e of v) {
      if (!Number.isInteger(e) || (e as number) < 0 || (e as number) > 255) {
        fail("a raw vector holds a non-byte");
      }
    }
    return Uint8Array.from(v as number[]);
  }
  const elements = o.t === "list" ? v.map((e) => fromWireAt(e, depth + 1)) : decodeElements(o.t, v);
  if (o.dim !== undefined) {
    const dim = o.dim;
    if (!Array.isArray(dim) || dim.length < 2 || !dim.every((d) => Number.isInteger(d) && d >= 0)) {
      fail("bad dimensions");
    }
    if (dim.reduce((a, b) => a * b, 1) !== v.length) fail("dimensions do not match the length");
    return nest(elements, dim);
  }
  if (o.n !== undefined) {
    const names = stringList(o.n, v.length, "names");
    if (usableNames(names)) return record(names, elements);
    return elements;
  }
  if (o.t !== "list" && elements.length === 1) return elements[0];
  return elements;
}

function dataFrameRows(o: WireObject, depth: number): Record<string, unknown>[] {
  const nrow = o.nrow;
  if (!Number.isInteger(nrow) || (nrow as number) < 0) fail("a data frame has a bad row count");
  const cols = o.v;
  if (!Array.isArray(cols)) fail("a data frame has no column list");
  const names = stringList(o.n, cols.length, "column names").map((k, i) => k || `V${i + 1}`);
  const rn = o.rn === undefined ? undefined : stringList(o.rn, nrow as number, "row names");
  const columns = cols.map((c) => {
    const len = wireLength(c as WireValue);
    const asRows = c !== null && (c as WireObject).dim !== undefined;
    const decoded = fromWireAt(c, depth + 1);
    const values = Array.isArray(decoded) ? decoded : [decoded];
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

/**
 * Converts a wire value from R to JavaScript, checking its shape.
 *
 * @throws {WireFormatError} when the value is malformed.
 */
export function fromWire(w: unknown): unknown {
  return fromWireAt(w, 0);
}

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
