import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromWire } from "../../src/channel/from_wire.ts";
import { toWire } from "../../src/channel/to_wire.ts";
import {
  matchesRType,
  MAX_DECODED_SLOTS,
  rClassOf,
  WireFormatError,
  WireLimitError,
} from "../../src/channel/wire_value.ts";

describe("toWire (JavaScript -> R)", () => {
  it("maps scalars to length-1 vectors", () => {
    assert.deepEqual(toWire(1.5), { t: "d", v: [1.5] });
    assert.deepEqual(toWire("a"), { t: "s", v: ["a"] });
    assert.deepEqual(toWire(true), { t: "l", v: [true] });
    assert.deepEqual(toWire(7n), { t: "i", v: [7] });
  });
  it("maps null and undefined to NULL", () => {
    assert.equal(toWire(null), null);
    assert.equal(toWire(undefined), null);
  });
  it("maps arrays of one primitive type to atomic vectors, with null as NA", () => {
    assert.deepEqual(toWire([1, null, 3]), { t: "d", v: [1, null, 3] });
    assert.deepEqual(toWire(["a", null]), { t: "s", v: ["a", null] });
    assert.deepEqual(toWire([null, null]), { t: "l", v: [null, null] });
  });
  it("encodes NaN, Infinity, -Infinity and -0 as index lists", () => {
    assert.deepEqual(toWire([NaN, Infinity, -Infinity, -0, 2]), {
      t: "d",
      v: [0, 0, 0, -0, 2],
      nan: [1],
      inf: [2],
      ninf: [3],
      nz: [4],
    });
  });
  it("maps mixed arrays to lists and objects to named lists", () => {
    assert.deepEqual(toWire([1, "a"]), {
      t: "list",
      v: [{ t: "d", v: [1] }, { t: "s", v: ["a"] }],
    });
    assert.deepEqual(toWire({ a: 1 }), { t: "list", v: [{ t: "d", v: [1] }], n: ["a"] });
  });
  it("maps arrays of objects with the same keys to a data frame, column by column", () => {
    assert.deepEqual(toWire([{ x: 1, y: "a" }, { y: "b", x: null }]), {
      t: "df",
      nrow: 2,
      n: ["x", "y"],
      v: [{ t: "d", v: [1, null] }, { t: "s", v: ["a", "b"] }],
    });
  });
  it("keeps rows with different keys as a list of named lists", () => {
    const w = toWire([{ x: 1 }, { y: 2 }]) as { t: string };
    assert.equal(w.t, "list");
  });
  it("turns a leading unique _row column into row names", () => {
    const w = toWire([{ _row: "a", x: 1 }, { _row: "b", x: 2 }]);
    assert.deepEqual(w, { t: "df", nrow: 2, n: ["x"], v: [{ t: "d", v: [1, 2] }], rn: ["a", "b"] });
  });
  it("maps arrays of equal-length arrays to a matrix (column-major)", () => {
    assert.deepEqual(toWire([[1, 2, 3], [4, 5, 6]]), {
      t: "d",
      v: [1, 4, 2, 5, 3, 6],
      dim: [2, 3],
    });
  });
  it("maps Dates to POSIXct seconds and bytes to raw", () => {
    assert.deepEqual(toWire(new Date(1500)), { t: "time", v: [1.5] });
    assert.deepEqual(toWire(new Uint8Array([0, 255])), { t: "raw", b: "AP8=" });
    // Only the view's bytes: a subarray of a larger buffer.
    assert.deepEqual(toWire(new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4)), {
      t: "raw",
      b: "AQID",
    });
    assert.deepEqual(toWire(new Uint8Array(0)), { t: "raw", b: "" });
  });
  it("drops functions and symbols to NULL and uses toJSON when present", () => {
    assert.equal(toWire(() => 1), null);
    assert.deepEqual(toWire({ toJSON: () => "x" }), { t: "s", v: ["x"] });
  });
  it("rejects cycles, deep nesting and out-of-range bigints with a clear message", () => {
    const a: unknown[] = [];
    a.push(a);
    assert.throws(() => toWire(a), /contains a cycle/);
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep, "x"];
    assert.throws(() => toWire(deep), /nested more than 100 levels/);
    assert.throws(() => toWire(2n ** 40n), /outside R's integer range/);
  });
});

describe("fromWire (R -> JavaScript)", () => {
  it("unboxes length-1 vectors and keeps longer ones as arrays", () => {
    assert.equal(fromWire({ t: "d", v: [2] }), 2);
    assert.deepEqual(fromWire({ t: "i", v: [1, null] }), [1, null]);
    assert.deepEqual(fromWire({ t: "d", v: [] }), []);
  });
  it("decodes R's special doubles", () => {
    const v = fromWire({ t: "d", v: ["NaN", "Inf", "-Inf", null] }) as number[];
    assert.ok(Number.isNaN(v[0]));
    assert.deepEqual(v.slice(1), [Infinity, -Infinity, null]);
  });
  it("maps named vectors and lists to objects, unusable names to { _names, _values }", () => {
    assert.deepEqual(fromWire({ t: "d", v: [1, 2], n: ["a", "b"] }), { a: 1, b: 2 });
    assert.deepEqual(fromWire({ t: "d", v: [1, 2], n: ["a", ""] }), {
      _names: ["a", ""],
      _values: [1, 2],
    });
    assert.deepEqual(fromWire({ t: "list", v: [null], n: ["a"] }), { a: null });
  });
  it("keeps __proto__ as an own key instead of setting the prototype", () => {
    const o = fromWire({ t: "list", v: [{ t: "d", v: [1] }], n: ["__proto__"] }) as object;
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(Object.keys(o), ["__proto__"]);
  });
  it("maps data frames to row objects, with row names as _row", () => {
    const rows = fromWire({
      t: "df",
      nrow: 2,
      n: ["x", "y"],
      v: [{ t: "d", v: [1, 2] }, { t: "s", v: ["a", null] }],
      rn: ["r1", "r2"],
    });
    assert.deepEqual(rows, [{ _row: "r1", x: 1, y: "a" }, { _row: "r2", x: 2, y: null }]);
  });
  it("maps matrices and arrays to nested rows", () => {
    assert.deepEqual(fromWire({ t: "i", v: [1, 2, 3, 4, 5, 6], dim: [2, 3] }), [[1, 3, 5], [
      2,
      4,
      6,
    ]]);
    assert.deepEqual(fromWire({ t: "i", v: [1, 2, 3, 4, 5, 6, 7, 8], dim: [2, 2, 2] }), [
      [[1, 5], [3, 7]],
      [[2, 6], [4, 8]],
    ]);
  });
  it("maps raw to Uint8Array and values with no data form to null", () => {
    assert.deepEqual(fromWire({ t: "raw", b: "AQI=" }), new Uint8Array([1, 2]));
    assert.deepEqual(fromWire({ t: "raw", b: "" }), new Uint8Array(0));
    assert.equal(fromWire({ t: "none", cls: "function" }), null);
  });
  it("rejects malformed values (hostile input)", () => {
    const bad: unknown[] = [
      5,
      [1],
      { t: "zzz", v: [] },
      { t: "d", v: ["1"] },
      { t: "i", v: [1.5] },
      { t: "l", v: [1] },
      { t: "s", v: [1] },
      { t: "raw", v: [1] },
      { t: "raw", b: 5 },
      { t: "raw", b: "AQI" },
      { t: "raw", b: "AQ=I" },
      { t: "raw", b: "AQ\nI" },
      { t: "raw", b: "A===" },
      { t: "raw", b: "AQ-_" },
      { t: "raw", b: "AQI=", dim: [1, 2] },
      { t: "d", v: [1, 2], n: ["a"] },
      { t: "d", v: [1, 2, 3], dim: [2, 2] },
      { t: "df", nrow: 2, n: ["x"], v: [{ t: "d", v: [1] }] },
      { t: "df", nrow: -1, n: [], v: [] },
      { t: "list" },
    ];
    for (const w of bad) assert.throws(() => fromWire(w), WireFormatError, JSON.stringify(w));
    let deep: unknown = null;
    for (let i = 0; i < 150; i++) deep = { t: "list", v: [deep] };
    assert.throws(() => fromWire(deep), /nested more than 100/);
  });
});

describe("R type checks on wire values", () => {
  it("follow is.numeric, is.character, is.logical, is.integer, is.list, is.data.frame", () => {
    const d = { t: "d", v: [1] };
    const i = { t: "i", v: [1] };
    const df = { t: "df", nrow: 0, n: [], v: [] };
    assert.ok(matchesRType(d, "numeric") && matchesRType(i, "numeric"));
    assert.ok(!matchesRType(d, "integer") && matchesRType(i, "integer"));
    assert.ok(matchesRType({ t: "s", v: [] }, "character"));
    assert.ok(matchesRType({ t: "l", v: [] }, "logical"));
    assert.ok(matchesRType(df, "list") && matchesRType(df, "data.frame"));
    assert.ok(!matchesRType({ t: "list", v: [] }, "data.frame"));
    assert.ok(!matchesRType(null, "numeric"));
    assert.equal(rClassOf(null), "NULL");
    assert.equal(rClassOf({ t: "s", v: [] }), "character");
  });
});

describe("row names", () => {
  it("come from a _row key wherever it stands, when its values are unique strings", () => {
    const w = toWire([{ x: 1, _row: "a" }, { x: 2, _row: "b" }]);
    assert.deepEqual(w, { t: "df", nrow: 2, n: ["x"], v: [{ t: "d", v: [1, 2] }], rn: ["a", "b"] });
    const dup = toWire([{ x: 1, _row: "a" }, { x: 2, _row: "a" }]) as { n: readonly string[] };
    assert.deepEqual(dup.n, ["x", "_row"]);
  });
});

describe("what a value from R may expand to", () => {
  it("refuses a 0-column data frame of 10^8 rows before allocating its rows", () => {
    const w = { t: "df", v: [], n: [], nrow: 1e8 };
    assert.throws(() => fromWire(w), (e: unknown) => {
      assert.ok(e instanceof WireLimitError);
      assert.ok(e.slots >= 1e8);
      assert.equal(e.limit, MAX_DECODED_SLOTS);
      return true;
    });
  });
  it("refuses a 10^8 × 0 matrix, and a deeper empty array", () => {
    assert.throws(() => fromWire({ t: "d", v: [], dim: [1e8, 0] }), WireLimitError);
    assert.throws(() => fromWire({ t: "list", v: [], dim: [3000, 3000, 0] }), WireLimitError);
    assert.throws(() => fromWire({ t: "d", v: [], dim: [1e300, 0] }), WireLimitError);
  });
  it("refuses a matrix column that claims 10^8 rows inside a data frame", () => {
    const col = { t: "i", v: [], dim: [1e8, 0] };
    assert.throws(() => fromWire({ t: "df", v: [col], n: ["m"], nrow: 1e8 }), WireLimitError);
  });
  it("counts the whole value: many small parts add up", () => {
    const part = { t: "d", v: [1, 2, 3, 4] };
    const list = { t: "list", v: Array.from({ length: 100 }, () => part) };
    assert.equal((fromWire(list, 500) as unknown[]).length, 100);
    assert.throws(() => fromWire(list, 499), WireLimitError);
  });
  it("charges a raw vector's bytes (one slot per 8) before decoding its base64", () => {
    const b = "AAAA".repeat(100); // 300 bytes: 38 slots
    assert.equal((fromWire({ t: "raw", b }, 38) as Uint8Array).length, 300);
    assert.throws(() => fromWire({ t: "raw", b }, 37), WireLimitError);
    // Charged before the alphabet is checked: a long malformed string is not scanned.
    assert.throws(() => fromWire({ t: "raw", b: "!!!!".repeat(100) }, 37), WireLimitError);
  });
  it("still decodes ordinary values, including empty ones", () => {
    assert.deepEqual(fromWire({ t: "d", v: [], dim: [0, 3] }), []);
    assert.deepEqual(fromWire({ t: "df", v: [], n: [], nrow: 2 }), [{}, {}]);
  });
});
