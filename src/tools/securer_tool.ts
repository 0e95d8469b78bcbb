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
 * the host. Only the `~standard.validate` member is used.
 */
export interface ArgSchema {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => SchemaResult | Promise<SchemaResult>;
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

/** What {@linkcode securerTool} takes. */
export interface ToolDefinition {
  /** The R function name: a valid R identifier (`^[A-Za-z.][A-Za-z0-9_.]*$`). */
  readonly name: string;
  /** What the tool does, for humans and for LLM tool descriptions. */
  readonly description?: string;
  /** Argument names and their types. All arguments are required. @default {} */
  readonly args?: Readonly<Record<string, ArgType | undefined>>;
  /** The host function. May be async. Its return value is sent back to R (SPEC §6). */
  // deno-lint-ignore no-explicit-any
  readonly fn: (args: any, context: ToolContext) => unknown;
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
  /** The host function. */
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
 * @example
 * ```ts
 * import { securerTool } from "@securer/securer";
 * const add = securerTool({
 *   name: "add",
 *   description: "Add two numbers",
 *   args: { a: "numeric", b: "numeric" },
 *   fn: ({ a, b }) => a + b,
 * });
 * ```
 * @throws {TypeError} with the reference's messages for an invalid name, description,
 *   function, argument list or argument name.
 */
export function securerTool(definition: ToolDefinition): Tool {
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
