/**
 * Small constructors for syntax tree nodes, shaped like R's calls.
 *
 * @module
 */
import type { RArg, RCall, RNode } from "./ast.ts";
import type { Token } from "./tokens.ts";

/** A symbol node. */
export function sym(name: string, at: { line: number; col: number }): RNode {
  return { type: "sym", name, quoted: false, line: at.line, col: at.col };
}

/** An unnamed argument. */
export function arg(value: RNode): RArg {
  return { name: null, value };
}

/** A call node. */
export function call(
  fn: RNode,
  args: RArg[],
  syntax: RCall["syntax"],
  at: { line: number; col: number },
): RCall {
  return { type: "call", fn, args, syntax, line: at.line, col: at.col };
}

/** A call to a binary operator, positioned at `at` (the left operand by default). */
export function binary(op: string, a: RNode, b: RNode, at: RNode = a): RCall {
  return call(sym(op, at), [arg(a), arg(b)], "binary", at);
}

/** A call to a keyword (`if`, `for`, `while`, `repeat`, `break`, `next`). */
export function keyword(name: string, t: Token, parts: RNode[]): RCall {
  return call(sym(name, t), parts.map(arg), "keyword", t);
}
