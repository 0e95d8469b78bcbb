/**
 * Option validation at the API boundary (valibot). A wrong type throws `TypeError`, a
 * value out of range throws `RangeError`; messages name the option and show the value.
 *
 * @module
 */
import * as v from "valibot";
import type { Backend } from "../sandbox/backend.ts";
import type { VerboseOption } from "./session_log.ts";
import { type Limits, resolveLimits } from "../sandbox/limits.ts";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../channel/protocol.ts";
import { type Tool, typeTag, validateTools } from "../tools/securer_tool.ts";
import { mergeFiles, mergePlots, resolveCapture } from "../plots/capture_options.ts";
import type { CaptureSettings, FileOptions, PlotImage, PlotOptions } from "../plots/types.ts";
import type { ToolCallEvent } from "../tools/run_tool_call.ts";

/** Options of {@linkcode SecureSession.create} and the Effect `makeSession`. */
export interface SessionOptions {
  /** Tools R code may call. @default [] */
  readonly tools?: readonly Tool[];
  /** Run R inside an OS sandbox (fails closed when none works). @default false */
  readonly sandbox?: boolean;
  /** A backend object or a built-in backend's name; overrides probing. */
  readonly backend?: Backend | string;
  /** With `sandbox: true`, run unsandboxed (with a warning) when no sandbox works. @default false */
  readonly allowUnsandboxed?: boolean;
  /** Resource limits; `{}` disables them. @default the sandbox defaults when sandboxed, none otherwise */
  readonly limits?: Limits | null;
  /** Log `[securer] ...` lines to stderr (`true`) or to a function. @default false */
  readonly verbose?: VerboseOption;
  /** Path of a JSONL audit log (created 0600; symlinks and devices refused). */
  readonly auditLog?: string;
  /** Most executions this session will run. */
  readonly maxExecutions?: number;
  /** Called with the code before each execution: throw to fail, return `false` to block. */
  readonly preExecuteHook?: (code: string) => unknown;
  /** Sanitize R error messages (paths, pids, hosts) before they reach the caller. @default false */
  readonly sanitizeErrors?: boolean;
  /** Longest a tool call may take, in milliseconds (a tool's own `timeout` wins). @default 30000 */
  readonly toolTimeout?: number;
  /** Extra environment variables for R (nothing else from the host is passed). */
  readonly env?: Readonly<Record<string, string>>;
  /** The `R` executable to use (its home is derived from it). @default `R` on PATH */
  readonly rPath?: string;
  /** R's home directory (R_HOME), instead of `rPath`. */
  readonly rHome?: string;
  /** Largest message accepted from R, in bytes. @default 1048576 */
  readonly maxMessageBytes?: number;
  /** How long R may take to start and complete its handshake, in milliseconds. @default 30000 */
  readonly startTimeout?: number;
  /** After a timeout's soft interrupt, how long R gets before it is killed, in ms. @default 500 */
  readonly interruptGrace?: number;
  /** How plots come back as `result.images`; `false` returns none. @default PNG, 672 × 480 px */
  readonly plots?: PlotOptions | false;
  /** How files in `SECURER_OUTPUT_DIR` come back as `result.files`; `false` returns none. */
  readonly files?: FileOptions | false;
}

/** Options of `execute()`. */
export interface ExecuteOptions {
  /** Milliseconds before the execution is interrupted; `null` for none. @default 30000 */
  readonly timeout?: number | null;
  /** Reject code with a syntax error before running it. @default true */
  readonly validate?: boolean;
  /** Receives each output line as it is produced. */
  readonly onOutput?: (line: string) => void;
  /**
   * Told when R calls a tool (`{ type: "call", tool, args }`) and when the reply goes back
   * (`{ type: "result", tool, error?, elapsedMs }`); what it throws is ignored.
   */
  readonly onToolCall?: (event: ToolCallEvent) => void;
  /**
   * Receives each image as soon as it is complete (R started the next page or closed the
   * device), while the code still runs; the same images, in the same order, end up in
   * `result.images`. What it throws is ignored.
   */
  readonly onImage?: (image: PlotImage) => void;
  /** Most tool calls this execution may make. */
  readonly maxToolCalls?: number;
  /** Longest code accepted, in characters. @default 100000 */
  readonly maxCodeLength?: number;
  /** Most output lines kept in the result (all are still streamed). @default 10000 */
  readonly maxOutputLines?: number;
  /**
   * Most output bytes (UTF-8) kept in the result; lines past it are counted in
   * `droppedOutputLines`, not kept (they are still streamed). @default 16777216 (16 MiB)
   */
  readonly maxOutputBytes?: number;
  /** Aborting it stops the execution like a timeout. */
  readonly signal?: AbortSignal;
  /** This execution's plot settings, over the session's (`false`: no images). */
  readonly plots?: PlotOptions | false;
  /** This execution's file settings, over the session's (`false`: no files). */
  readonly files?: FileOptions | false;
}

/** Output bytes an execution keeps in its result by default: 16 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16_777_216;

/** Session options after validation, with defaults applied. */
export interface ResolvedSessionOptions {
  readonly tools: readonly Tool[];
  readonly sandbox: boolean;
  readonly backend: Backend | string | undefined;
  readonly allowUnsandboxed: boolean;
  readonly limits: Limits;
  readonly verbose: VerboseOption;
  readonly auditLog: string | undefined;
  readonly maxExecutions: number | undefined;
  readonly preExecuteHook: ((code: string) => unknown) | undefined;
  readonly sanitizeErrors: boolean;
  readonly toolTimeout: number;
  readonly env: Readonly<Record<string, string>>;
  readonly rPath: string | undefined;
  readonly rHome: string | undefined;
  readonly maxMessageBytes: number;
  readonly startTimeout: number;
  readonly interruptGrace: number;
  readonly capture: CaptureSettings;
}

/** Execute options after validation, with defaults applied. */
export interface ResolvedExecuteOptions {
  readonly timeout: number | null;
  readonly validate: boolean;
  readonly onOutput: ((line: string) => void) | undefined;
  readonly onToolCall: ((event: ToolCallEvent) => void) | undefined;
  readonly onImage: ((image: PlotImage) => void) | undefined;
  readonly maxToolCalls: number | undefined;
  readonly maxCodeLength: number;
  readonly maxOutputLines: number;
  readonly maxOutputBytes: number;
  readonly signal: AbortSignal | undefined;
  readonly plots: PlotOptions | false | undefined;
  readonly files: FileOptions | false | undefined;
}

const show = (x: unknown): string => {
  if (typeof x === "number" || typeof x === "boolean" || typeof x === "bigint") return String(x);
  if (typeof x === "string") return JSON.stringify(x);
  return typeTag(x);
};

const isType = (kind: string) => (name: string) =>
  v.custom<unknown>(
    (x) => x === undefined || (kind === "array" ? Array.isArray(x) : typeof x === kind),
    (issue) =>
      `TypeError:\`${name}\` must be ${kind === "array" ? "an" : "a"} ${kind}, not ${
        typeTag(issue.input)
      }.`,
  );
const positive = (name: string, integer: boolean) =>
  v.pipe(
    isType("number")(name),
    v.custom<unknown>(
      (x) =>
        x === undefined ||
        ((x as number) > 0 && (integer ? Number.isInteger(x) : !Number.isNaN(x as number))),
      (issue) =>
        `RangeError:\`${name}\` must be a positive ${integer ? "integer" : "number"}, not ${
          show(issue.input)
        }.`,
    ),
  );
const bool = isType("boolean");
const fn = isType("function");
const str = isType("string");

const RESERVED_ENV =
  /^(R_HOME|R_SHARE_DIR|R_INCLUDE_DIR|R_DOC_DIR|R_LIBS_USER|R_ENVIRON.*|R_PROFILE.*|LD_.*|DYLD_.*|SECURER_.*)$/;

const sessionSchema = v.object({
  sandbox: v.optional(bool("sandbox")),
  allowUnsandboxed: v.optional(bool("allowUnsandboxed")),
  verbose: v.optional(v.custom<unknown>(
    (x) => x === undefined || typeof x === "boolean" || typeof x === "function",
    (i) => `TypeError:\`verbose\` must be a boolean or a function, not ${typeTag(i.input)}.`,
  )),
  auditLog: v.optional(str("auditLog")),
  maxExecutions: v.optional(positive("maxExecutions", true)),
  preExecuteHook: v.optional(fn("preExecuteHook")),
  sanitizeErrors: v.optional(bool("sanitizeErrors")),
  toolTimeout: v.optional(positive("toolTimeout", false)),
  env: v.optional(v.custom<unknown>(
    (x) =>
      x === undefined ||
      (typeof x === "object" && x !== null && !Array.isArray(x) &&
        Object.entries(x).every(([k, val]) =>
          /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !RESERVED_ENV.test(k) && typeof val === "string"
        )),
    (i) =>
      `TypeError:\`env\` must map variable names to strings, and may not set ${RESERVED_ENV.source}; got ${
        JSON.stringify(i.input)
      }.`,
  )),
  rPath: v.optional(str("rPath")),
  rHome: v.optional(str("rHome")),
  maxMessageBytes: v.optional(positive("maxMessageBytes", true)),
  startTimeout: v.optional(positive("startTimeout", false)),
  interruptGrace: v.optional(positive("interruptGrace", false)),
});

const executeSchema = v.object({
  timeout: v.optional(v.custom<unknown>(
    (x) => x === undefined || x === null || (typeof x === "number" && x > 0),
    (i) =>
      `RangeError:\`timeout\` must be a positive number of milliseconds or null, not ${
        show(i.input)
      }.`,
  )),
  validate: v.optional(bool("validate")),
  onOutput: v.optional(v.custom<unknown>(
    (x) => x === undefined || typeof x === "function",
    (i) => `TypeError:\`onOutput\` must be a function, not ${typeTag(i.input)}.`,
  )),
  onToolCall: v.optional(fn("onToolCall")),
  onImage: v.optional(fn("onImage")),
  maxToolCalls: v.optional(positive("maxToolCalls", true)),
  maxCodeLength: v.optional(positive("maxCodeLength", true)),
  maxOutputLines: v.optional(positive("maxOutputLines", true)),
  maxOutputBytes: v.optional(positive("maxOutputBytes", true)),
  signal: v.optional(v.custom<unknown>(
    (x) => x === undefined || x instanceof AbortSignal,
    (i) => `TypeError:\`signal\` must be an AbortSignal, not ${typeTag(i.input)}.`,
  )),
});

function check(schema: v.GenericSchema, input: unknown, what: string): void {
  if (
    input !== undefined && (typeof input !== "object" || input === null || Array.isArray(input))
  ) {
    throw new TypeError(`${what} must be an object, not ${show(input)}.`);
  }
  const r = v.safeParse(schema, input ?? {});
  if (r.success) return;
  const message = r.issues[0].message;
  const [kind, text] = message.startsWith("RangeError:")
    ? [RangeError, message.slice(11)]
    : [TypeError, message.replace(/^TypeError:/, "")];
  throw new kind(text);
}

/** Validates session options and applies defaults. */
export function resolveSessionOptions(options: SessionOptions | undefined): ResolvedSessionOptions {
  check(sessionSchema, options, "Session options");
  const o = options ?? {};
  const sandbox = o.sandbox ?? false;
  return {
    tools: validateTools(o.tools),
    sandbox,
    backend: o.backend,
    allowUnsandboxed: o.allowUnsandboxed ?? false,
    limits: resolveLimits(o.limits, sandbox),
    verbose: o.verbose ?? false,
    auditLog: o.auditLog,
    maxExecutions: o.maxExecutions,
    preExecuteHook: o.preExecuteHook,
    sanitizeErrors: o.sanitizeErrors ?? false,
    toolTimeout: o.toolTimeout ?? 30_000,
    env: o.env ?? {},
    rPath: o.rPath,
    rHome: o.rHome,
    maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    startTimeout: o.startTimeout ?? 30_000,
    interruptGrace: o.interruptGrace ?? 500,
    capture: resolveCapture(o.plots, o.files),
  };
}

/** Validates execute options and applies defaults. */
export function resolveExecuteOptions(options: ExecuteOptions | undefined): ResolvedExecuteOptions {
  check(executeSchema, options, "Execute options");
  const o = options ?? {};
  // Checked here, merged over the session's settings when the execution starts.
  mergePlots(null, o.plots);
  mergeFiles(null, o.files);
  return {
    timeout: o.timeout === undefined ? 30_000 : o.timeout,
    validate: o.validate ?? true,
    onOutput: o.onOutput,
    onToolCall: o.onToolCall,
    onImage: o.onImage,
    maxToolCalls: o.maxToolCalls,
    maxCodeLength: o.maxCodeLength ?? 100_000,
    maxOutputLines: o.maxOutputLines ?? 10_000,
    maxOutputBytes: o.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    signal: o.signal,
    plots: o.plots,
    files: o.files,
  };
}
