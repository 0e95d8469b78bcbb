/**
 * JavaScript → wire: the tagged form (`wire_value.ts`) of values sent to R, i.e. tool
 * results. A `Uint8Array` becomes a raw vector (its bytes in base64), arrays of one scalar
 * kind become atomic vectors, arrays of same-keyed plain
 * objects become data frames (a `_row` key of unique strings becomes the row names),
 * rectangular arrays of arrays become matrices, `{ _names, _values }` becomes a named vector
 * or list, other objects become named lists; non-finite doubles and negative zero travel as
 * index lists, since JSON has no such numbers.
 *
 * Nesting is counted as R counts it, in lists and data frames (an atomic vector or matrix is
 * not a level): more than {@linkcode MAX_WIRE_DEPTH} levels are refused, as R refuses them.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { MAX_WIRE_DEPTH, tooDeepMessage, type WireObject, type WireValue } from "./wire_value.ts";

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
              `bigint ${b} is outside R's integer range (±${INT_MAX})`,
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
    case "s":
      return {
        t: "s",
        v: xs.map((x) => x === undefined || x === null ? null : noNul(x as string)),
      };
    default:
      return { t: kind, v: xs.map((x) => x ?? null) };
  }
}

/** R strings cannot hold NUL: such a string is refused, never cut. */
function noNul(s: string): string {
  if (s.includes("\0")) {
    throw new TypeError("a string holds a NUL character, which R strings cannot hold");
  }
  return s;
}

/** Refuses a list or data frame that would be R's level `depth + 1` past the limit. */
function container(depth: number): void {
  if (depth >= MAX_WIRE_DEPTH) throw new TypeError(tooDeepMessage());
}

/** `{ _names, _values }` with names for every value: a named vector or list. */
function namedForm(
  x: Record<string, unknown>,
): { names: (string | null)[]; values: unknown[] } | null {
  const keys = Object.keys(x);
  if (keys.length !== 2 || !Object.hasOwn(x, "_names") || !Object.hasOwn(x, "_values")) return null;
  const { _names: names, _values: values } = x;
  if (!Array.isArray(names) || !Array.isArray(values) || names.length !== values.length) {
    return null;
  }
  if (!names.every((n) => n === null || typeof n === "string")) return null;
  return { names: names.map((n) => (n === null ? null : noNul(n))), values };
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
  container(depth);
  keys.forEach(noNul);
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
      : (container(depth + 1), { t: "list", v: col.map((x) => toWireAt(x, depth + 2, seen)) });
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
  container(depth);
  return { t: "list", v: xs.map((x) => toWireAt(x, depth + 1, seen)) };
}

function recordWire(
  names: readonly (string | null)[],
  values: readonly unknown[],
  depth: number,
  seen: Set<object>,
): WireObject {
  const kind = values.length > 0 ? atomicKind(values) : null;
  if (kind !== null) return { ...atomicWire(kind, values), n: names };
  container(depth);
  return { t: "list", v: values.map((x) => toWireAt(x, depth + 1, seen)), n: names };
}

/** A `Uint8Array` as a raw vector: its bytes (only the view's) in base64. */
function rawWire(x: Uint8Array): WireObject {
  return { t: "raw", b: Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString("base64") };
}

/** `depth`: the lists and data frames around `x`; `viaJSON`: `x` came from a `toJSON()`. */
function toWireAt(x: unknown, depth: number, seen: Set<object>, viaJSON = false): WireValue {
  if (x === null || x === undefined) return null;
  const kind = scalarKind(x);
  if (kind !== null) return atomicWire(kind, [x]);
  if (typeof x !== "object") return null; // functions and symbols have no R form
  if (seen.has(x)) throw new TypeError("the value contains a cycle");
  seen.add(x);
  try {
    if (x instanceof Uint8Array) return rawWire(x);
    if (ArrayBuffer.isView(x)) {
      return arrayWire(Array.from(x as unknown as ArrayLike<unknown>), depth, seen);
    }
    if (Array.isArray(x)) return arrayWire(x, depth, seen);
    if (x instanceof Set) return arrayWire([...x], depth, seen);
    if (x instanceof Map) {
      const entries = [...x.entries()];
      if (entries.some(([k]) => typeof k !== "string")) {
        throw new TypeError("a Map needs string keys");
      }
      for (const [k] of entries) noNul(k);
      container(depth);
      return {
        t: "list",
        v: entries.map(([, v]) => toWireAt(v, depth + 1, seen)),
        n: entries.map(([k]) => k as string),
      };
    }
    // As JSON.stringify: toJSON() once, not again on what it returns.
    const toJSON = (x as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function" && !viaJSON) {
      return toWireAt(toJSON.call(x), depth, seen, true);
    }
    const record = x as Record<string, unknown>;
    const named = namedForm(record);
    if (named !== null) return recordWire(named.names, named.values, depth, seen);
    const entries = Object.entries(record);
    for (const [k] of entries) noNul(k);
    container(depth);
    return {
      t: "list",
      v: entries.map(([, v]) => toWireAt(v, depth + 1, seen)),
      n: entries.map(([k]) => k),
    };
  } finally {
    seen.delete(x);
  }
}

/**
 * Converts a JavaScript value to wire form for R.
 *
 * @throws {TypeError} for cycles, nesting deeper than 100 levels (lists and data frames),
 *   Maps with non-string keys, strings with a NUL and bigints outside R's integer range.
 */
export function toWire(value: unknown): WireValue {
  return toWireAt(value, 0, new Set());
}
