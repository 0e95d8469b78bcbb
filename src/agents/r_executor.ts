/**
 * What every agent adapter runs R code on — a `SecureSession`, a `SecureSessionPool`, or a
 * pool's leased session: anything with `execute()` and `tools()` — and the one function that
 * turns a call of the `execute_r` tool into text for the model. It never throws: errors
 * become text (with `isError` set), as SPEC §11 asks.
 *
 * Sessions and conversations: a session keeps its state between calls, so an adapter made
 * over one session binds the conversation to it. A pool hands each call to whichever session
 * is free, so calls are independent; to bind one conversation to one session, lease it
 * (`await using lease = await pool.acquire()`) and make the adapter over `lease.session`.
 *
 * @module
 */
import * as v from "valibot";
import { toJsonSchema } from "@valibot/to-json-schema";
import type { ExecuteResult } from "../session/run_execution.ts";
import type { ToolInfo } from "../tools/securer_tool.ts";
import {
  formatToolResult,
  type FormatToolResultOptions,
  type ImageNote,
} from "../format/format_tool_result.ts";
import { formatToolError } from "../format/format_tool_error.ts";
import { describeExecuteR, type IsolationNote } from "../format/tool_description.ts";

/** What an adapter needs: satisfied by `SecureSession`, `SecureSessionPool` and a lease's session. */
export interface RExecutor {
  /** Runs R code (only `timeout` and `signal` are passed). */
  execute(
    code: string,
    options?: { readonly timeout?: number | null; readonly signal?: AbortSignal },
  ): Promise<ExecuteResult>;
  /** The host functions R code may call. */
  tools(): readonly ToolInfo[];
}

/** Options shared by every adapter of the `execute_r` tool. */
export interface ExecuteRToolOptions {
  /** The tool's name. @default "execute_r" */
  readonly name?: string;
  /** Time limit of one call in milliseconds (`null`: none). @default 30_000 */
  readonly timeout?: number | null;
  /**
   * Whether state persists between calls, as the description tells the model.
   * @default false for a pool (an object with `acquire()`), true otherwise
   */
  readonly persistent?: boolean;
  /**
   * What the description says the sandbox isolates. @default read from the executor's
   * `info().capabilities` when it has `info()`, else nothing is said
   */
  readonly isolation?: IsolationNote | null;
  /** Text appended to the description (what the data is, what to answer). */
  readonly instructions?: string;
  /** How much of each result the model gets. */
  readonly format?: FormatToolResultOptions;
}

/** An image produced by an execution (`result.images`), as adapters pass it on. */
export interface ToolImage extends ImageNote {
  /** The encoded image. */
  readonly data: Uint8Array;
}

/** The outcome of one tool call: text for the model, whether it failed, and any images. */
export interface ToolOutcome {
  /** The result or error as text (see `formatToolResult` and `formatToolError`). */
  readonly text: string;
  /** `true` when the code did not run to completion. */
  readonly isError: boolean;
  /** Images the code drew (empty until the execution reports some). */
  readonly images: readonly ToolImage[];
}

/** The tool's input: one string of R code. The JSON Schema is generated from it. */
const ExecuteRInput = v.strictObject({
  code: v.pipe(
    v.string(),
    v.minLength(1),
    v.description("R code to run. The value of the last expression is returned."),
  ),
});

/** The JSON Schema of {@linkcode ExecuteRInput} (draft-07, without `$schema`). */
export function executeRInputSchema(): Record<string, unknown> {
  const { $schema: _, ...schema } = toJsonSchema(ExecuteRInput) as Record<string, unknown>;
  return schema;
}

/** The name, description and settings of an `execute_r` tool over `executor`. */
export interface ResolvedTool {
  readonly name: string;
  readonly description: string;
  readonly timeout: number | null;
  readonly format: FormatToolResultOptions;
}

/** Resolves the options and builds the description (the one builder, for every adapter). */
export function resolveTool(executor: RExecutor, options: ExecuteRToolOptions = {}): ResolvedTool {
  const timeout = options.timeout === undefined ? 30_000 : options.timeout;
  const description = describeExecuteR({
    tools: executor.tools(),
    timeoutMs: timeout,
    persistent: options.persistent ?? !isPool(executor),
    isolation: options.isolation === undefined ? isolationOf(executor) : options.isolation,
    extra: options.instructions,
  });
  return { name: options.name ?? "execute_r", description, timeout, format: options.format ?? {} };
}

/**
 * Runs one call of the tool: validates the arguments (an object, or its JSON text), runs the
 * code and formats the result or the error. Never throws.
 */
export async function runTool(
  executor: RExecutor,
  tool: ResolvedTool,
  args: unknown,
  signal?: AbortSignal,
): Promise<ToolOutcome> {
  const parsed = parseArgs(args);
  if (typeof parsed !== "string") return { text: parsed.error, isError: true, images: [] };
  try {
    const result = await executor.execute(parsed, { timeout: tool.timeout, signal });
    const images = imagesOf(result);
    return { text: formatToolResult({ ...result, images }, tool.format), isError: false, images };
  } catch (e) {
    return { text: formatToolError(e), isError: true, images: [] };
  }
}

function parseArgs(args: unknown): string | { error: string } {
  let value = args;
  if (typeof args === "string") {
    try {
      value = JSON.parse(args);
    } catch {
      return { error: 'Invalid arguments: expected a JSON object like {"code": "1 + 1"}.' };
    }
  }
  const r = v.safeParse(ExecuteRInput, value);
  if (r.success) return r.output.code;
  return {
    error: 'Invalid arguments: expected {"code": "<R code>"} with a non-empty string of R ' +
      `code (${r.issues[0].message}).`,
  };
}

function isPool(executor: RExecutor): boolean {
  return typeof (executor as { acquire?: unknown }).acquire === "function";
}

function isolationOf(executor: RExecutor): IsolationNote | null {
  const info = (executor as { info?: unknown }).info;
  if (typeof info !== "function") return null;
  try {
    const i = info.call(executor) as {
      sandboxed?: boolean;
      capabilities?: { network?: boolean; filesystem?: boolean };
    };
    if (!i?.sandboxed || !i.capabilities) return null;
    return { network: i.capabilities.network === true, filesystem: !!i.capabilities.filesystem };
  } catch {
    return null;
  }
}

/** The images of a result, when the execution reports them (`result.images`). */
function imagesOf(result: ExecuteResult): readonly ToolImage[] {
  const images = (result as { images?: unknown }).images;
  if (!Array.isArray(images)) return [];
  return images.filter((i): i is ToolImage =>
    typeof i === "object" && i !== null && i.data instanceof Uint8Array &&
    typeof i.mimeType === "string"
  );
}
