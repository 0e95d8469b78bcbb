/**
 * Type-level tests of `securerTool`: the types of `fn`'s arguments are inferred from `args`.
 *
 * The checks are compile-time: `Equal<A, B>` assertions that fail `deno task check` when an
 * inferred type changes, and `@ts-expect-error` on misuses, which fails the check when the
 * misuse stops being an error. The tests also run, so every tool here is really called.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as v from "valibot";
import {
  type ArgSchema,
  type ArgType,
  type RMatrix,
  type RValueOf,
  type RVector,
  securerTool,
  type Tool,
  validateTools,
} from "../../src/tools/securer_tool.ts";
import type { SessionOptions } from "../../src/session/options.ts";

/** `true` when `A` and `B` are the same type (`any` equals only `any`). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

const context = { signal: new AbortController().signal };

/** Sums what R sends for a `"numeric"` argument, `NA` (null) as 0: uses every branch. */
function total(x: RValueOf<"numeric">): number {
  if (x === null) return 0;
  if (typeof x === "number") return x;
  const items: unknown[] = Array.isArray(x) ? x : Object.values(x);
  return items.reduce<number>(
    (s, e) => s + (typeof e === "number" ? e : total(e as RMatrix<number>)),
    0,
  );
}

describe("securerTool's argument types", () => {
  it("types each R type name as the values R can send for it", () => {
    const t = securerTool({
      name: "r_types",
      args: {
        n: "numeric",
        i: "integer",
        s: "character",
        l: "logical",
        li: "list",
        df: "data.frame",
      },
      fn: (args) => {
        const exact: Equal<typeof args, {
          n: RVector<number>;
          i: RVector<number>;
          s: RVector<string>;
          l: RVector<boolean>;
          li: unknown[] | Record<string, unknown>;
          df: Record<string, unknown>[];
        }> = true;
        return exact;
      },
    });
    const vector: Equal<
      RValueOf<"numeric">,
      number | null | (number | null)[] | { [name: string]: number | null } | RMatrix<number>
    > = true;
    const matrix: Equal<RMatrix<string>, (string | null)[][] | RMatrix<string>[]> = true;
    assert.equal(vector && matrix, true);
    const args = { n: [1, null], i: 2, s: null, l: { a: true }, li: [], df: [{ x: 1 }] };
    assert.equal(t.fn(args, context), true);
  });

  it("lets a tool handle every shape of a numeric argument", () => {
    const sum = securerTool({ name: "sum", args: { x: "numeric" }, fn: ({ x }) => total(x) });
    const cases: [RValueOf<"numeric">, number][] = [
      [2, 2],
      [null, 0],
      [[1, null, 3], 4],
      [{ a: 1, b: 2 }, 3],
      [[[1, 2], [3, null]], 6],
    ];
    for (const [x, want] of cases) assert.equal(sum.fn({ x }, context), want);
  });

  it("types a schema argument as the schema's output", () => {
    const t = securerTool({
      name: "schemas",
      args: {
        n: v.pipe(v.number(), v.minValue(0)),
        o: v.object({ a: v.string(), b: v.optional(v.array(v.boolean())) }),
        u: v.union([v.literal("asc"), v.literal("desc")]),
        parsed: v.pipe(v.string(), v.transform((s) => s.length)),
      },
      fn: (args) => {
        const exact: Equal<typeof args, {
          n: number;
          o: { a: string; b?: boolean[] | undefined };
          u: "asc" | "desc";
          parsed: number;
        }> = true;
        return exact && args.n + args.parsed;
      },
    });
    assert.equal(t.fn({ n: 1, o: { a: "x" }, u: "asc", parsed: 2 }, context), 3);
  });

  it("types null, omitted types and schemas without types as unknown", () => {
    const untyped: ArgSchema = {
      "~standard": { version: 1, vendor: "test", validate: (value) => ({ value }) },
    };
    const t = securerTool({
      name: "anything",
      args: { x: null, y: undefined, z: untyped },
      fn: (args) => {
        const exact: Equal<typeof args, { x: unknown; y: unknown; z: unknown }> = true;
        return exact;
      },
    });
    const none = securerTool({
      name: "none",
      fn: (args) => {
        const exact: Equal<typeof args, Record<never, never>> = true;
        return exact;
      },
    });
    const wide: Record<string, ArgType> = { a: "numeric" };
    const dynamic = securerTool({
      name: "dynamic",
      args: wide,
      fn: (args) => {
        const exact: Equal<typeof args, { [name: string]: unknown }> = true;
        return exact;
      },
    });
    assert.deepEqual([t, none, dynamic].map((x) => x.fn({}, context)), [true, true, true]);
  });

  it("refuses misuses at compile time", () => {
    const reads = securerTool({
      name: "reads",
      args: { s: "character", n: v.number() },
      fn: ({ s, n }) => {
        // @ts-expect-error -- only declared arguments exist
        const extra = ({ s, n }).other;
        // @ts-expect-error -- a "character" argument is not a number
        const asNumber: number = s;
        // @ts-expect-error -- a "character" argument may be a vector or NA, not always a string
        const asString: string = s;
        // @ts-expect-error -- the schema's output is a number, not a string
        const upper = n.toUpperCase();
        return [extra, asNumber, asString, upper];
      },
    });
    const undeclared = securerTool({
      name: "undeclared",
      // @ts-expect-error -- a tool without args receives no arguments
      fn: ({ x }) => x,
    });
    const wrongSchema = securerTool({
      name: "wrong_schema",
      args: { n: v.number() },
      // @ts-expect-error -- fn declares a string where the schema gives a number
      fn: ({ n }: { n: string }) => n,
    });
    const scalarOnly = securerTool({
      name: "scalar_only",
      args: { a: "numeric" },
      // @ts-expect-error -- R can send c(1, 2) or NA for "numeric", not only a number
      fn: ({ a }: { a: number }) => a,
    });
    assert.throws(
      // @ts-expect-error -- not an R type name
      () => securerTool({ name: "typo", args: { x: "numbr" }, fn: () => 1 }),
      /argument 'x' has unknown type "numbr"/,
    );
    // What the compiler refused really goes wrong: a number has no toUpperCase().
    assert.throws(() => reads.fn({ s: "a", n: 1 }, context), TypeError);
    const given = { x: 2, n: 1, a: [1, 2] };
    assert.deepEqual([undeclared, wrongSchema, scalarOnly].map((t) => t.fn(given, context)), [
      2,
      1,
      [1, 2],
    ]);
  });

  it("keeps tools of different declarations in one list", () => {
    const a = securerTool({ name: "a", args: { x: "numeric" }, fn: ({ x }) => x });
    const b = securerTool({ name: "b", args: { y: v.string() }, fn: ({ y }) => y.length });
    const tools: Tool[] = [a, b];
    const options: SessionOptions = { tools: [a, b] };
    assert.deepEqual(validateTools(options.tools).map((t) => t.name), ["a", "b"]);
    assert.equal(tools.length, 2);
  });
});
