/**
 * Serving one tool call from R (SPEC §9): the host-side checks (known tool, argument
 * names, R types, schemas), the call itself under its timeout, and the reply.
 *
 * Every failure becomes an error reply with a sanitized message, which R raises as an
 * R error of class `securer_tool_error`. Nothing here fails the execution itself.
 *
 * @module
 */
import { Effect } from "effect";
import type { SessionLog } from "../session/session_log.ts";
import { secs } from "../session/session_log.ts";
import { sanitizeErrorMessage } from "./sanitize_error_message.ts";
import type { Tool } from "./securer_tool.ts";
import { toWire } from "../channel/to_wire.ts";
import { matchesRType, rClassOf, type WireValue } from "../channel/wire_value.ts";

/** The reply to a tool call: a value in wire form, or an error message. */
export type ToolReply = { readonly value: WireValue } | { readonly error: string };

/** A tool call whose arguments were decoded (each with its wire form for type checks). */
export interface PreparedToolCall {
  readonly tool: string;
  readonly args: Readonly<Record<string, { readonly wire: unknown; readonly value: unknown }>>;
}

/**
 * What `onToolCall` (an execute option) is told: `call` when R calls a tool, with the
 * arguments as decoded from R (before the host's checks), then `result` when the reply goes
 * back, with the error R gets, if any.
 */
export type ToolCallEvent =
  | {
    /** R called a tool. */
    readonly type: "call";
    /** The tool's name, as R sent it. */
    readonly tool: string;
    /** The arguments, by name, as decoded from R (not yet checked). */
    readonly args: Readonly<Record<string, unknown>>;
  }
  | {
    /** The tool's reply went back to R. */
    readonly type: "result";
    /** The tool's name, as R sent it. */
    readonly tool: string;
    /** The error R gets (a failed check, a throw, a timeout), if the call failed. */
    readonly error?: string;
    /** How long the call took, in milliseconds. */
    readonly elapsedMs: number;
  };

/** What serving a call needs from the session. */
export interface ToolCallContext {
  readonly toolsByName: ReadonlyMap<string, Tool>;
  readonly toolTimeout: number;
  readonly log: SessionLog;
  /** Told of the call and of its result; what it throws is ignored. */
  readonly onToolCall?: ((event: ToolCallEvent) => void) | undefined;
}

/** Tells `onToolCall`, if any; a handler that throws does not affect the call. */
function notify(ctx: ToolCallContext, event: ToolCallEvent): void {
  if (ctx.onToolCall === undefined) return;
  try {
    ctx.onToolCall(event);
  } catch {
    // A failing handler must not break the call.
  }
}

const quoteList = (names: readonly string[]) => names.map((n) => `‘${n}’`).join(", ");

/** Checks a call against its tool; returns the arguments to pass, or an error message. */
async function checkCall(
  tool: Tool,
  call: PreparedToolCall,
): Promise<{ args: Record<string, unknown> } | { error: string }> {
  const given = Object.keys(call.args);
  const declared = tool.args.map((a) => a.name);
  const unexpected = given.filter((g) => !declared.includes(g));
  if (unexpected.length > 0) {
    return { error: `Unexpected arguments for tool '${tool.name}': ${quoteList(unexpected)}` };
  }
  const missing = declared.filter((d) => !given.includes(d));
  if (missing.length > 0) {
    return { error: `Missing arguments for tool '${tool.name}': ${quoteList(missing)}` };
  }
  const args: Record<string, unknown> = {};
  for (const spec of tool.args) {
    const { wire, value } = call.args[spec.name];
    if (spec.rType !== null && !matchesRType(wire as WireValue, spec.rType)) {
      return {
        error: `Tool '${tool.name}': argument '${spec.name}' must be ${spec.rType}, got ${
          rClassOf(wire as WireValue)
        }`,
      };
    }
    if (spec.schema !== null) {
      const r = await spec.schema["~standard"].validate(value);
      if (r.issues !== undefined) {
        return {
          error: `Tool '${tool.name}': argument '${spec.name}' is invalid: ${
            r.issues.map((i) => i.message).join("; ")
          }`,
        };
      }
      args[spec.name] = r.value;
    } else args[spec.name] = value;
  }
  return { args };
}

function describeArgs(args: Record<string, unknown>): string {
  return Object.entries(args)
    .map(([k, x]) => `${k}=${typeof x === "string" ? x : summarize(x, 60)}`)
    .join(", ");
}

function summarize(x: unknown, max: number): string {
  let s: string;
  try {
    s = JSON.stringify(x, (_k, v) => typeof v === "bigint" ? `${v}` : v) ?? String(x);
  } catch {
    s = String(x);
  }
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

const AUDIT_ARGS_MAX = 10_000;

/** The arguments for the audit log: as they are, or cut JSON text past 10 000 characters. */
function auditArgs(args: Record<string, unknown>): unknown {
  const text = summarize(args, Infinity);
  return text.length > AUDIT_ARGS_MAX ? `${text.slice(0, AUDIT_ARGS_MAX)}... [truncated]` : args;
}

/** Serves one tool call. Never fails: every problem becomes an error reply. */
export const runToolCall = (
  call: PreparedToolCall,
  ctx: ToolCallContext,
): Effect.Effect<ToolReply> =>
  Effect.gen(function* () {
    const started = performance.now();
    const tool = ctx.toolsByName.get(call.tool);
    const plainArgs = Object.fromEntries(Object.entries(call.args).map(([k, a]) => [k, a.value]));
    ctx.log.audit("tool_call", { tool: call.tool, args: auditArgs(plainArgs) });
    if (ctx.log.isVerbose) ctx.log.verbose(`Tool call: ${call.tool}(${describeArgs(plainArgs)})`);
    notify(ctx, { type: "call", tool: call.tool, args: plainArgs });
    const finish = (reply: ToolReply, summary: string | null) => {
      const ms = performance.now() - started;
      const error = "error" in reply ? reply.error : null;
      ctx.log.audit("tool_result", {
        tool: call.tool,
        error,
        result_summary: summary,
        elapsed_ms: Math.round(ms * 100) / 100,
      });
      ctx.log.verbose(
        `Tool result: ${call.tool} -> ${error !== null ? `error: ${error}` : summary} (${
          secs(ms)
        })`,
      );
      notify(ctx, {
        type: "result",
        tool: call.tool,
        ...(error === null ? {} : { error }),
        elapsedMs: ms,
      });
      return reply;
    };
    if (tool === undefined) return finish({ error: `Unknown tool: ${call.tool}` }, null);
    const checked = yield* Effect.promise(() =>
      checkCall(tool, call).catch((e) => ({ error: String(e) }))
    );
    if ("error" in checked) return finish({ error: checked.error }, null);
    const timeout = tool.timeout ?? ctx.toolTimeout;
    const outcome = yield* Effect.tryPromise({
      try: (signal) => Promise.resolve().then(() => tool.fn(checked.args, { signal })),
      catch: (e) => e,
    }).pipe(
      Effect.map((value) => ({ ok: true as const, value })),
      Effect.timeoutOrElse({
        duration: timeout,
        orElse: () =>
          Effect.succeed({
            ok: false as const,
            error: `Tool '${call.tool}' timed out after ${timeout / 1000} seconds`,
          }),
      }),
      Effect.catch((e) =>
        Effect.succeed({
          ok: false as const,
          error: sanitizeErrorMessage(e instanceof Error ? e.message : String(e)),
        })
      ),
    );
    if (!outcome.ok) return finish({ error: outcome.error }, null);
    try {
      return finish({ value: toWire(outcome.value) }, summarize(outcome.value, 500));
    } catch (e) {
      return finish(
        { error: `Tool '${call.tool}' returned a value R cannot receive: ${(e as Error).message}` },
        null,
      );
    }
  });
