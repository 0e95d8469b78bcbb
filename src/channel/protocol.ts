/**
 * The channel protocol between the host and the R child (SPEC §9), as pure functions.
 *
 * Newline-delimited JSON in both directions over two FIFOs. Every message carries the
 * execution id it belongs to; tool calls and replies also carry a call id.
 *
 * Child → host: `hello` (once, with the per-session secret), `result`, `error`,
 * `tool_call`, and before the result `blob` (a base64 chunk of a plot page or an output
 * file) and `dropped` (one left out, with the reason). Host → child: `execute`, `tool_reply`, `interrupt`.
 *
 * Every line from the child is untrusted: {@linkcode parseChildMessage} checks its size,
 * its JSON, its schema and every value in it, and throws {@linkcode ProtocolViolation}
 * otherwise.
 *
 * @module
 */
import * as v from "valibot";
import type { WireValue } from "./wire_value.ts";
import type { CaptureSettings } from "../plots/types.ts";

/** The default cap on one message from the child, in bytes (1 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;

/**
 * The budget of a result's printed text in a message of `maxMessageBytes`, as JSON bytes: a
 * sixteenth of it (64 KiB of 1 MiB). Longer text is cut and the result says so.
 */
export function textBudget(maxMessageBytes: number): number {
  return Math.floor(maxMessageBytes / 16);
}

/**
 * The budget of one value's wire form, in bytes, in every direction: the message less the
 * text's budget and 256 bytes for the rest (982 784 bytes of 1 MiB). R computes the same
 * (`r_values.ts`) and refuses or omits larger values.
 */
export function valueBudget(maxMessageBytes: number): number {
  return maxMessageBytes - textBudget(maxMessageBytes) - 256;
}

/** A message from the child broke the protocol. */
export class ProtocolViolation extends Error {
  override readonly name = "ProtocolViolation";
}

const id = v.pipe(v.number(), v.integer(), v.minValue(1));
const shortText = v.pipe(v.string(), v.maxLength(10_000));
const count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const wire = v.custom<WireValue>((x) => x === null || (typeof x === "object" && !Array.isArray(x)));

/** A message from the child, after validation (`childMessage` is checked against it). */
export type ChildMessage =
  | { type: "hello"; secret: string; pid: number; r: string }
  | {
    type: "result";
    id: number;
    visible: boolean;
    textTruncated?: boolean;
    text: string;
    value: WireValue;
  }
  | {
    type: "error";
    id: number;
    message: string;
    call?: string | null;
    parse?: boolean;
    interrupted?: boolean;
    traceback?: string[];
  }
  | {
    type: "blob";
    id: number;
    kind: "image" | "file";
    name: string;
    size: number;
    offset: number;
    data: string;
  }
  | {
    type: "dropped";
    id: number;
    kind: "image" | "file";
    name: string;
    size: number | null;
    reason: string;
  }
  | { type: "tool_call"; id: number; call: number; tool: string; args: Record<string, WireValue> };

// Annotated (not inferred) so that declarations can be emitted file by file.
const childMessage: v.GenericSchema<unknown, ChildMessage> = v.variant("type", [
  v.strictObject({
    type: v.literal("hello"),
    secret: shortText,
    pid: v.pipe(v.number(), v.integer()),
    r: shortText,
  }),
  v.strictObject({
    type: v.literal("result"),
    id,
    visible: v.boolean(),
    textTruncated: v.optional(v.boolean()),
    text: v.string(),
    value: wire,
  }),
  v.strictObject({
    type: v.literal("error"),
    id,
    message: v.string(),
    call: v.optional(v.nullable(v.string())),
    parse: v.optional(v.boolean()),
    interrupted: v.optional(v.boolean()),
    traceback: v.optional(v.array(shortText)),
  }),
  v.strictObject({
    type: v.literal("blob"),
    id,
    kind: v.picklist(["image", "file"]),
    name: v.pipe(v.string(), v.maxLength(1024)),
    size: count,
    offset: count,
    data: v.string(),
  }),
  v.strictObject({
    type: v.literal("dropped"),
    id,
    kind: v.picklist(["image", "file"]),
    name: v.pipe(v.string(), v.maxLength(1024)),
    size: v.nullable(count),
    reason: v.pipe(v.string(), v.maxLength(1024)),
  }),
  v.strictObject({
    type: v.literal("tool_call"),
    id,
    call: id,
    tool: v.pipe(v.string(), v.maxLength(256)),
    args: v.pipe(
      v.record(v.pipe(v.string(), v.maxLength(256)), wire),
      v.check((r) => Object.getPrototypeOf(r) === Object.prototype, "args must be an object"),
    ),
  }),
]);

/** A message from the host to the child. */
export type HostMessage =
  | {
    readonly type: "execute";
    readonly id: number;
    readonly code: string;
    /** This execution's capture settings, when they differ from the session's. */
    readonly capture?: CaptureSettings;
  }
  | {
    readonly type: "tool_reply";
    readonly id: number;
    readonly call: number;
    readonly value?: WireValue;
    readonly error?: string;
  }
  | { readonly type: "interrupt"; readonly id: number };

/**
 * Parses and validates one line from the child.
 *
 * @throws {ProtocolViolation} when the line is not a valid message.
 */
export function parseChildMessage(line: string): ChildMessage {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new ProtocolViolation(`invalid JSON: ${preview(line)}`);
  }
  const r = v.safeParse(childMessage, json);
  if (!r.success) {
    throw new ProtocolViolation(`malformed message (${v.summarize(r.issues)}): ${preview(line)}`);
  }
  return r.output;
}

/** Encodes a message for the child as one line (with its newline). */
export function encodeHostMessage(message: HostMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/** At most 120 characters of untrusted text, for error messages. */
export function preview(text: string): string {
  // deno-lint-ignore no-control-regex
  const flat = text.replace(/[\x00-\x1f\x7f]/g, "?");
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
