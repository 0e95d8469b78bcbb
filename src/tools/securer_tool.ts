/**
 * Tools: host functions that R code can call (SPEC §4, §9).
 *
 * Each tool becomes an R function of the same name in the child, with the declared
 * argument names, R-side type checks and a locked binding. Calls are checked again on the
 * host: argument names, R types, and (for schema-typed arguments) the schema itself.
 *
 * @module
 */
import { R_TYPE_NAMES, type RTypeName } from "../channel/wire_value.ts";

/**
 * A Standard Schema (valibot, zod, arktype, ...) used to validate one tool argument on
 * the host. Only `~standard.validate` is called; `~standard.types` (a type-only member)
 * gives the argument's TypeScript type, {@linkcode SchemaOutput}.
 */
export interface ArgSchema {
  /** The Standard Schema v1 interface. */
  readonly "~standard": {
    /** The version of the standard: 1. */
    readonly version: 1;
    /** The schema library's name. */
    readonly vendor: string;
    /** Validates a value; the host passes the decoded argument. */
    readonly validate: (value: unknown) => SchemaResult | Promise<SchemaResult>;
    /** The schema's input and output types; type-only, never set at run time. */
    readonly types?: { readonly input: unknown; readonly output: unknown } | undefined;
  };
}

/** The result of a Standard Schema validation. */
export type SchemaResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | { readonly issues: readonly { readonly message: string }[] };

/** How one argument is typed: an R type name, a schema, or `null` for any value. */
export type ArgType = RTypeName | ArgSchema | null;

/** Context passed to a tool function as its second argument. */
export interface ToolContext {
  /** Aborted when the call times out or the execution ends first. */
  readonly signal: AbortSignal;
}

/**
 * An R atomic vector as a tool receives it (README "Values"): a length-1 vector arrives as
 * a scalar, `NA` as `null`, any other length (0 included) as an array, a named vector as
 * an object, and a matrix or array as nested arrays of rows.
 */
export type RVector<T> =
  | T
  | null
  | (T | null)[]
  | { [name: string]: T | null }
  | RMatrix<T>;

/** An R matrix (rows of elements, `null` = `NA`) or higher array (rows of matrices, ...). */
export type RMatrix<T> = (T | null)[][] | RMatrix<T>[];

/**
 * What a tool receives for each R type name, as the host hands it over. `numeric`
 * includes integers (R's `is.numeric()`); `list` includes data frames (`is.list()`).
 */
export interface RValues {
  /** A double or integer vector. */
  readonly numeric: RVector<number>;
  /** An integer vector. */
  readonly integer: RVector<number>;
  /** A character vector (factors, dates and complex numbers also arrive as strings). */
  readonly character: RVector<string>;
  /** A logical vector. */
  readonly logical: RVector<boolean>;
  /** A named list (an object) or any other list (an array; a data frame: its rows). */
  readonly list: unknown[] | Record<string, unknown>;
  /** A data frame: one object per row, plus a `_row` key when it has row names. */
  readonly "data.frame": Record<string, unknown>[];
}

/** The TypeScript type of an argument declared with R type name `R`: `RValueOf<"logical">`. */
export type RValueOf<R extends RTypeName> = RValues[R];

/**
 * The output type of a schema: its `~standard.types.output` (Standard Schema's
 * `InferOutput`), or `unknown` when the schema does not declare types.
 */
export type SchemaOutput<S extends ArgSchema> = S extends
  { readonly "~standard": { readonly types?: infer T } }
  ? NonNullable<T> extends { readonly output: infer O } ? O : unknown
  : unknown;

/** The TypeScript type of one argument declared as `T`; `null` or omitted: `unknown`. */
export type ArgValueOf<T extends ArgType | undefined> = T extends RTypeName ? RValueOf<T>
  : T extends ArgSchema ? SchemaOutput<T>
  : unknown;

/**
 * The arguments object a tool function receives for the declaration `A` (a tool's
 * `args`): every declared argument, each typed by {@linkcode ArgValueOf}.
 */
export type ArgsOf<A extends Record<string, ArgType | undefined>> = {
  -readonly [K in keyof A]-?: ArgValueOf<A[K]>;
};

/** What {@linkcode securerTool} takes; `A` is the argument declaration (`args`). */
export interface ToolDefinition<
  A extends Record<string, ArgType | undefined> = Record<string, ArgType | undefined>,
> {
  /** The R function name: a valid R identifier (`^[A-Za-z.][A-Za-z0-9_.]*$`). */
  readonly name: string;
  /** What the tool does, for humans and for LLM tool descriptions. */
  readonly description?: string;
  /** Argument names and their types. All arguments are required. @default {} */
  readonly args?: A;
  /**
   * The host function. May be async. Its return value is sent back to R (SPEC §6). Its
   * arguments are typed from `args` ({@linkcode ArgsOf}).
   */
  readonly fn: (args: ArgsOf<A>, context: ToolContext) => unknown;
  /** Per-tool timeout in milliseconds, overriding the session's `toolTimeout`. */
  readonly timeout?: number;
}

/** One declared argument of a tool. */
export interface ToolArg {
  /** The argument name. */
  readonly name: string;
  /** The R type name, or `null` when any type is accepted. */
  readonly rType: RTypeName | null;
  /** The schema that validates it on the host, if any. */
  readonly schema: ArgSchema | null;
}

const TOOL: unique symbol = Symbol("securer.tool");

/** A tool created by {@linkcode securerTool}. */
export interface Tool {
  /** The R function name. */
  readonly name: string;
  /** The description. */
  readonly description: string;
  /** The declared arguments, in order. */
  readonly args: readonly ToolArg[];
  /**
   * The host function. Its argument type is erased here, so that tools of different
   * declarations share one type; {@linkcode securerTool} checks it where the tool is made.
   */
  // deno-lint-ignore no-explicit-any
  readonly fn: (args: any, context: ToolContext) => unknown;
  /** The per-tool timeout in milliseconds, if set. */
  readonly timeout: number | undefined;
  /** @internal Brand set by {@linkcode securerTool}. */
  readonly [TOOL]: true;
}

const IDENTIFIER = /^[A-Za-z.][A-Za-z0-9_.]*$/;
const RESERVED = new Set([
  "if",
  "else",
  "repeat",
  "while",
  "function",
  "for",
  "next",
  "break",
  "TRUE",
  "FALSE",
  "NULL",
  "Inf",
  "NaN",
  "NA",
  "NA_integer_",
  "NA_real_",
  "NA_character_",
  "NA_complex_",
  "in",
]);

/** Is `name` a syntactic R name (usable unquoted, not reserved, not `...`/`..1`)? */
export function isValidRName(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name) && !/^\.\.(\.|\d+)$/.test(name) &&
    !/^\.\d/.test(name);
}

/** Describes a value's type for error messages: `<string>`, `<array>`, `<null>`. */
export function typeTag(x: unknown): string {
  if (x === null) return "<null>";
  if (Array.isArray(x)) return "<array>";
  return `<${typeof x}>`;
}

function isSchema(x: unknown): x is ArgSchema {
  return typeof x === "object" && x !== null &&
    typeof (x as ArgSchema)["~standard"]?.validate === "function";
}

function parseArg(tool: string, name: string, type: unknown): ToolArg {
  if (type === null || type === undefined) return { name, rType: null, schema: null };
  if (typeof type === "string") {
    if (!(R_TYPE_NAMES as readonly string[]).includes(type)) {
      throw new TypeError(
        `Tool '${tool}': argument '${name}' has unknown type "${type}"; use one of ${
          R_TYPE_NAMES.join(", ")
        }, null, or a schema.`,
      );
    }
    return { name, rType: type as RTypeName, schema: null };
  }
  if (isSchema(type)) return { name, rType: null, schema: type };
  throw new TypeError(
    `Tool '${tool}': argument '${name}' must be typed by an R type name, null or a schema, not ${
      typeTag(type)
    }.`,
  );
}

/**
 * Defines a tool that R code can call.
 *
 * The types of `fn`'s arguments are inferred from `args` ({@linkcode ArgsOf}): an R type
 * name gives what R can send for it ({@linkcode RValueOf}: `"numeric"` may be a scalar, `NA`
 * as `null`, a vector, ...), a schema gives its output type, `null` gives `unknown`.
 *
 * @example
 * ```ts
 * import { securerTool } from "@securer/securer";
 * import * as v from "valibot";
 * const scale = securerTool({
 *   name: "scale",
 *   description: "Multiply numbers by a positive factor",
 *   args: { x: "numeric", by: v.pipe(v.number(), v.minValue(0)) },
 *   fn: ({ x, by }) => {
 *     // x: RValueOf<"numeric"> = number | null | (number | null)[] | ...; by: number
 *     if (typeof x === "number") return x * by;
 *     if (Array.isArray(x)) return x.map((e) => typeof e === "number" ? e * by : null);
 *     throw new TypeError("x must be a numeric vector");
 *   },
 * });
 * ```
 * @throws {TypeError} with the reference's messages for an invalid name, description,
 *   function, argument list or argument name.
 */
export function securerTool<
  const A extends Record<string, ArgType | undefined> = Record<never, never>,
>(definition: ToolDefinition<A>): Tool {
  if (typeof definition !== "object" || definition === null) {
    throw new TypeError(`\`securerTool()\` takes a definition object, not ${typeTag(definition)}.`);
  }
  const { name, description = "", args = {}, fn, timeout } = definition;
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`\`name\` must be a non-empty string, not ${typeTag(name)}.`);
  }
  if (typeof description !== "string") {
    throw new TypeError(`\`description\` must be a character string, not ${typeTag(description)}.`);
  }
  if (typeof fn !== "function") {
    throw new TypeError(`\`fn\` must be a function, not ${typeTag(fn)}.`);
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new TypeError(`\`args\` must be an object, not ${typeTag(args)}.`);
  }
  if (!isValidRName(name)) {
    throw new TypeError(`Tool name must be a valid R identifier, not "${name}".`);
  }
  const bad = Object.keys(args).filter((a) => !isValidRName(a));
  if (bad.length > 0) {
    throw new TypeError(
      `Argument names must be valid R identifiers: ${bad.map((a) => `"${a}"`).join(", ")}.`,
    );
  }
  if (timeout !== undefined && !(typeof timeout === "number" && timeout > 0)) {
    throw new RangeError(`\`timeout\` must be a positive number of milliseconds, not ${timeout}.`);
  }
  return Object.freeze({
    name,
    description,
    args: Object.freeze(Object.entries(args).map(([a, t]) => parseArg(name, a, t))),
    fn,
    timeout,
    [TOOL]: true as const,
  });
}

/**
 * Checks a tool list: every entry made by {@linkcode securerTool}, no duplicate names.
 *
 * @throws {TypeError} with the reference's messages.
 */
export function validateTools(tools: unknown): readonly Tool[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) {
    throw new TypeError(`\`tools\` must be an array of tools, not ${typeTag(tools)}.`);
  }
  for (const t of tools) {
    if (typeof t !== "object" || t === null || (t as Tool)[TOOL] !== true) {
      throw new TypeError("Each tool must be created with `securerTool()`.");
    }
  }
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const t of tools as Tool[]) (seen.has(t.name) ? dups : seen).add(t.name);
  if (dups.size > 0) {
    throw new TypeError(`Duplicate tool names: ${[...dups].map((d) => `"${d}"`).join(", ")}.`);
  }
  return tools as Tool[];
}

/** A tool as `session.tools()` describes it. */
export interface ToolInfo {
  /** The R function name. */
  readonly name: string;
  /** The description. */
  readonly description: string;
  /** Each argument's name and its R type (`null` = any, `"schema"` = host-validated). */
  readonly args: readonly { readonly name: string; readonly type: RTypeName | "schema" | null }[];
}

/** Describes a tool without its function. */
export function toolInfo(tool: Tool): ToolInfo {
  return {
    name: tool.name,
    description: tool.description,
    args: tool.args.map((a) => ({ name: a.name, type: a.schema ? "schema" : a.rType })),
  };
}
