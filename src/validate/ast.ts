/**
 * Syntax tree for R code, shaped like R's own language objects: everything
 * compound is a call (`x + 1` is a call to `+`, `if` is a call to `if`,
 * `x[i]` a call to `[`), except function definitions, whose formals are not
 * expressions. As in R, `a -> b` is stored as `b <- a`, `**` as `^`, and a
 * pipe `x |> f(y)` as the call it becomes, `f(x, y)`.
 *
 * Every node records the line and column (R's counting: characters from 1,
 * tabs to multiples of 8) of its first token.
 *
 * @module
 */

/** Any R expression. */
export type RNode = RNum | RStr | RNull | RSym | RPlaceholder | RCall | RFunction;

/** Fields every node has. */
export interface RNodeBase {
  /** Line of the node's first token (1-based). */
  readonly line: number;
  /** Column of the node's first token, as R counts it. */
  readonly col: number;
}

/** A numeric or logical constant: `1`, `0x1p3`, `5L`, `2i`, `TRUE`, `NA_integer_`, `Inf`. */
export interface RNum extends RNodeBase {
  /** Discriminant. */
  readonly type: "num";
  /** The constant as written. */
  readonly text: string;
}

/** A string constant (quotes removed, escapes decoded). */
export interface RStr extends RNodeBase {
  /** Discriminant. */
  readonly type: "str";
  /** The decoded value. */
  readonly value: string;
}

/** `NULL`. */
export interface RNull extends RNodeBase {
  /** Discriminant. */
  readonly type: "null";
}

/** A name, possibly written in backticks. */
export interface RSym extends RNodeBase {
  /** Discriminant. */
  readonly type: "sym";
  /** The name (backticks removed, escapes decoded). */
  readonly name: string;
  /** Whether it was written in backticks. */
  readonly quoted: boolean;
}

/** The pipe placeholder `_` (valid only as a named argument of a pipe's right-hand side). */
export interface RPlaceholder extends RNodeBase {
  /** Discriminant. */
  readonly type: "placeholder";
}

/** How a call was written. */
export type RCallSyntax =
  /** `f(x)`, `"f"(x)`, `` `+`(1, 2) `` */
  | "call"
  /** the call a pipe `x |> f(y)` turns into */
  | "pipe"
  /** `-x`, `+x`, `!x`, `~x`, `?x` */
  | "unary"
  /** `a + b`, `a <- b`, `a = b`, `a$b`, `a@b`, `a::b`, `a %in% b`, `a ? b` */
  | "binary"
  /** `(x)` */
  | "paren"
  /** `{ ... }` */
  | "brace"
  /** `x[i]`, `x[[i]]` */
  | "index"
  /** `if`, `for`, `while`, `repeat`, `break`, `next` */
  | "keyword";

/** A call: function (usually a symbol) and arguments. */
export interface RCall extends RNodeBase {
  /** Discriminant. */
  readonly type: "call";
  /** What is called: a symbol such as `+`, `if`, `[`, or any expression. */
  readonly fn: RNode;
  /** The arguments in order. */
  readonly args: readonly RArg[];
  /** How the call was written. */
  readonly syntax: RCallSyntax;
}

/** One argument of a call. */
export interface RArg {
  /** The argument's name (`f(x = 1)`), or null. */
  readonly name: string | null;
  /** The value, or null for an empty argument (`x[1, ]`, `f(x = )`). */
  readonly value: RNode | null;
}

/** `function(a, b = 1) body` or `\(a) body`. */
export interface RFunction extends RNodeBase {
  /** Discriminant. */
  readonly type: "function";
  /** The formal arguments. */
  readonly params: readonly RParam[];
  /** The body. */
  readonly body: RNode;
  /** Written as `\(...)`. */
  readonly lambda: boolean;
}

/** One formal argument. */
export interface RParam {
  /** The name. */
  readonly name: string;
  /** The default value, or null. */
  readonly default: RNode | null;
  /** Line of the name. */
  readonly line: number;
  /** Column of the name. */
  readonly col: number;
}

/** The top-level expressions of a parsed text, in order. */
export interface RProgram {
  /** One node per top-level expression. */
  readonly exprs: readonly RNode[];
}
