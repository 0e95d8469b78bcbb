/**
 * The one description of the `execute_r` tool that every adapter (AI SDK, MCP, OpenAI,
 * Anthropic) gives a model: what the tool does, the R signature and description of every
 * host function the code may call, the limits that apply, and whether state persists
 * between calls. The reference's description named none of these.
 *
 * @module
 */
import type { ToolInfo } from "../tools/securer_tool.ts";

/** What the sandbox isolates, as far as a model needs to know. */
export interface IsolationNote {
  /** The network is cut off. */
  readonly network: boolean;
  /** Host files are hidden; only a private /tmp is writable. */
  readonly filesystem: boolean;
}

/** The facts {@linkcode describeExecuteR} puts into words. */
export interface ToolDescriptionInput {
  /** The host functions R code may call. */
  readonly tools: readonly ToolInfo[];
  /** The time limit of one call in milliseconds (`null`: none). */
  readonly timeoutMs: number | null;
  /** Whether variables persist from one call to the next. */
  readonly persistent: boolean;
  /** What the sandbox isolates (`null` or absent: say nothing about isolation). */
  readonly isolation?: IsolationNote | null;
  /** A sentence or two of your own, appended (what the data is, what to answer). */
  readonly extra?: string;
}

/**
 * The tool's description.
 *
 * @example
 * ```ts
 * import { describeExecuteR } from "@securer/securer";
 *
 * console.log(describeExecuteR({
 *   tools: [{
 *     name: "query_db",
 *     description: "Query a database table",
 *     args: [{ name: "table", type: "character" }, { name: "limit", type: "numeric" }],
 *   }],
 *   timeoutMs: 30_000,
 *   persistent: false,
 * }));
 * ```
 */
export function describeExecuteR(input: ToolDescriptionInput): string {
  const lines = [
    "Run R code in an isolated R session. Pass one string of R code; you get back the value " +
    "of its last expression as text (as R prints it), preceded by anything the code printed.",
  ];
  if (input.tools.length > 0) {
    lines.push(
      "",
      "R functions you can call from the code (they run outside the sandbox and return R values):",
      ...input.tools.map(signatureLine),
    );
  }
  lines.push("", "Limits:", ...limitLines(input));
  if (input.extra) lines.push("", input.extra);
  return lines.join("\n");
}

/** `- query_db(table, limit): Query a database table (table: character, limit: numeric)`. */
export function signatureLine(tool: ToolInfo): string {
  const sig = `${tool.name}(${tool.args.map((a) => a.name).join(", ")})`;
  const typed = tool.args.filter((a) => a.type !== null && a.type !== "schema");
  const types = typed.length > 0 ? ` (${typed.map((a) => `${a.name}: ${a.type}`).join(", ")})` : "";
  const description = tool.description.trim() === "" ? "" : `: ${tool.description.trim()}`;
  return `- ${sig}${description}${types}`;
}

function limitLines(input: ToolDescriptionInput): string[] {
  const out: string[] = [];
  out.push(
    input.timeoutMs === null
      ? "- No time limit per call."
      : `- Each call may run for at most ${duration(input.timeoutMs)}; then it is interrupted.`,
  );
  if (input.isolation?.network) {
    out.push("- No network access: no downloads, no web APIs, no installing packages.");
  }
  if (input.isolation?.filesystem) {
    out.push("- No files outside /tmp: the host's files are not visible; write only under /tmp.");
  }
  out.push(
    input.persistent
      ? "- State persists: variables and functions you define stay available in later calls."
      : "- State does not persist: each call may run in a fresh R session, so make every call " +
        "self-contained (recompute or re-query what you need).",
  );
  return out;
}

function duration(ms: number): string {
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
