/**
 * Compares our syntax trees with R's (from the oracle's `tree` request) in
 * one normal form: numbers and logical constants as `#` (R keeps values, we
 * keep the text), names without backticks, `\(x)` as `function`, strings as
 * JSON when ASCII and `<u>` otherwise (escapes above 0x7F are bytes in R).
 *
 * @module
 */
import type { RNode } from "../../src/validate/ast.ts";
import { parseR } from "../../src/validate/parse_r.ts";
import type { RTree } from "./r_oracle.ts";

function str(v: string): string {
  // deno-lint-ignore no-control-regex
  return /^[\x00-\x7f]*$/.test(v) ? JSON.stringify(v) : "<u>";
}

/** Name with runs of U+FFFD merged (R spells a bad byte sequence one byte at a time). */
function name(n: string): string {
  return n.replace(/\uFFFD+/g, "\uFFFD");
}

/** Normal form of one of our nodes. */
export function ours(node: RNode | null): string {
  if (node === null) return "<missing>";
  switch (node.type) {
    case "num":
      return "#";
    case "str":
      return str(node.value);
    case "null":
      return "NULL";
    case "sym":
      return name(node.name);
    case "placeholder":
      return str("_"); // R 4.2's placeholder token is the string "_"
    case "function": {
      const ps = node.params.map((p) =>
        p.default ? `${name(p.name)}=${ours(p.default)}` : name(p.name)
      );
      return `(function (${ps.join(" ")}) ${ours(node.body)})`;
    }
    case "call": {
      const args = node.args.map((a) =>
        (a.name !== null ? `${name(a.name)}=` : "") + ours(a.value)
      );
      return `(${[ours(node.fn), ...args].join(" ")})`;
    }
  }
}

/** Normal form of one of R's trees. */
export function theirs(t: RTree): string {
  if ("c" in t) {
    const [fn, ...args] = t.c;
    const parts = args.map((a, i) => (t.n[i + 1] ? `${name(t.n[i + 1])}=` : "") + theirs(a));
    return `(${[theirs(fn), ...parts].join(" ")})`;
  }
  if ("f" in t) {
    const ps = t.f.map((p) => {
      const d = p.d && "c" in p.d || p.d && Object.keys(p.d).length > 0 ? p.d as RTree : null;
      return d ? `${name(p.name)}=${theirs(d)}` : name(p.name);
    });
    return `(function (${ps.join(" ")}) ${theirs(t.body)})`;
  }
  if ("s" in t) return name(t.s);
  if ("v" in t) return str(t.v);
  if ("b" in t) return "<u>";
  if ("k" in t) return "#";
  if ("z" in t) return "NULL";
  if ("m" in t) return "<missing>";
  return `<${t.o}>`;
}

/** Our normal form for every top-level expression of `code`, or null if it does not parse. */
export function ourTrees(code: string): string[] | null {
  const r = parseR(code);
  return r.ok ? r.program.exprs.map(ours) : null;
}
