/**
 * Test helper: prints a syntax tree as a compact prefix form, e.g.
 * `a + b * c` as `(+ a (* b c))`, so tests can state tree shapes in one line.
 *
 * @module
 */
import type { RNode } from "../../src/validate/ast.ts";
import { parseR } from "../../src/validate/parse_r.ts";

/** Prefix form of one node. */
export function show(node: RNode | null): string {
  if (node === null) return "<missing>";
  switch (node.type) {
    case "num":
      return node.text;
    case "str":
      return JSON.stringify(node.value);
    case "null":
      return "NULL";
    case "sym":
      return node.quoted ? `\`${node.name}\`` : node.name;
    case "placeholder":
      return "_";
    case "function": {
      const ps = node.params.map((p) => (p.default ? `${p.name}=${show(p.default)}` : p.name));
      return `(${node.lambda ? "\\" : "function"} (${ps.join(" ")}) ${show(node.body)})`;
    }
    case "call": {
      const args = node.args.map((a) => (a.name !== null ? `${a.name}=` : "") + show(a.value));
      return `(${[show(node.fn), ...args].join(" ")})`;
    }
  }
}

/** Parses `code` and prints each top-level expression; throws R's message on error. */
export function tree(code: string): string {
  const r = parseR(code);
  if (!r.ok) throw new Error(r.error.message);
  return r.program.exprs.map(show).join("; ");
}

/** R's error message for `code`, or "OK". */
export function errorOf(code: string): string {
  const r = parseR(code);
  return r.ok ? "OK" : r.error.message;
}
