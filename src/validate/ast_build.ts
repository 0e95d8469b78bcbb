/**
 * Small constructors for syntax tree nodes, shaped like R's calls. Each
 * kind of node is always built with the same properties in the same order,
 * so the engines see one object shape per kind.
 *
 * @module
 */
import type { RArg, RCall, RNode, RNull, RNum, RStr, RSym } from "./ast.ts";

/** A symbol node at `line`:`col`. */
export function sym(name: string, quoted: boolean, line: number, col: number): RSym {
  return { type: "sym", name, quoted, line, col };
}

/** An argument; `name` is null for an unnamed one, `value` null for an empty one. */
export function arg(name: string | null, value: RNode | null): RArg {
  return { name, value };
}

/** A call node at `line`:`col`. */
export function call(
  fn: RNode,
  args: RArg[],
  syntax: RCall["syntax"],
  line: number,
  col: number,
): RCall {
  return { type: "call", fn, args, syntax, line, col };
}

/** A call to the binary operator `op` at `line`:`col` (where its left operand starts). */
export function binary(op: string, a: RNode, b: RNode, line: number, col: number): RCall {
  return call(sym(op, false, line, col), [arg(null, a), arg(null, b)], "binary", line, col);
}

/** A call to a function `name` written as syntax (`(`, `{`, `if`, unary `-` ...) at `line`:`col`. */
export function special(
  name: string,
  args: RArg[],
  syntax: RCall["syntax"],
  line: number,
  col: number,
): RCall {
  return call(sym(name, false, line, col), args, syntax, line, col);
}

/** A string constant node. */
export function str(value: string, line: number, col: number): RStr {
  return { type: "str", value, line, col };
}

/** A numeric or logical constant node. */
export function num(text: string, line: number, col: number): RNum {
  return { type: "num", text, line, col };
}

/** A `NULL` node. */
export function nul(line: number, col: number): RNull {
  return { type: "null", line, col };
}
