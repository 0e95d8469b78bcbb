/**
 * Answering one execution request, as one JSON response or as a stream of server-sent
 * events (`output` per line as R prints it, `tool_call` and `tool_result` as R calls a host
 * tool and gets its reply, one `image` per image as soon as R completed it — while the code
 * still runs — then one `result` or `error`, whose `images` then leave out the `data` the
 * `image` events carried). Either way the execution is cancelled when the client goes away,
 * and the execution never waits for a slow reader: events queue, and past
 * {@linkcode MAX_PENDING_BYTES} unsent output lines and tool events are dropped (counted in
 * the final event's `droppedStreamLines`); images are never dropped (their caps bound them).
 *
 * @module
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { ExecuteOptions } from "../session/options.ts";
import type { ExecuteResult } from "../session/run_execution.ts";
import type { ToolCallEvent } from "../tools/run_tool_call.ts";
import type { PlotImage } from "../plots/types.ts";
import { errorAnswer } from "./error_body.ts";
import { toJson } from "./json_value.ts";
import { imageJson, withCapturedJson } from "./captured_json.ts";

/** Bytes of output events that may wait for a slow client before lines are dropped. */
export const MAX_PENDING_BYTES = 1_048_576;

/** Characters of a `tool_call` event's arguments past which they are sent cut, as text. */
export const MAX_TOOL_ARGS_CHARS = 16_384;

/** Runs one execution with the options the route adds (signal, streaming hooks). */
export type Run = (options: ExecuteOptions) => Promise<ExecuteResult>;

/** Whether the client asked for server-sent events. */
export function wantsStream(c: Context): boolean {
  const q = c.req.query("stream");
  if (q === "1" || q === "true") return true;
  return (c.req.header("accept") ?? "").toLowerCase().includes("text/event-stream");
}

/** Answers with the execution's result as JSON (or its error, with the error's status). */
export async function answerJson(c: Context, run: Run): Promise<Response> {
  const controller = linkedController(c.req.raw.signal);
  try {
    const result = await run({ signal: controller.signal });
    return c.body(toJson(withCapturedJson(result)), 200, { "content-type": "application/json" });
  } catch (e) {
    const { status, body } = errorAnswer(e);
    return c.body(toJson(body), status as 400, { "content-type": "application/json" });
  } finally {
    controller.dispose();
  }
}

/** Answers with a stream of server-sent events. */
export function answerStream(c: Context, run: Run): Response {
  return streamSSE(c, async (stream) => {
    const controller = linkedController(c.req.raw.signal);
    stream.onAbort(() => controller.abort());
    let chain: Promise<void> = Promise.resolve();
    let pending = 0;
    let dropped = 0;
    const send = (event: string, data: string, counted = true) => {
      const bytes = counted ? data.length : 0;
      pending += bytes;
      chain = chain
        .then(() => stream.writeSSE({ event, data }))
        .catch(() => controller.abort())
        .finally(() => {
          pending -= bytes;
        });
    };
    const onOutput = (line: string) => {
      if (pending > MAX_PENDING_BYTES) dropped++;
      else send("output", JSON.stringify(line));
    };
    const onToolCall = (event: ToolCallEvent) => {
      if (pending > MAX_PENDING_BYTES) dropped++;
      else if (event.type === "result") {
        const { type: _, ...data } = event;
        send("tool_result", toJson(data));
      } else send("tool_call", toolCallData(event.tool, event.args));
    };
    let index = 0;
    const onImage = (image: PlotImage) => {
      send("image", toJson({ index: index++, ...imageJson(image) }), false);
    };
    try {
      const result = await run({ signal: controller.signal, onOutput, onToolCall, onImage });
      const body = withoutImageData(withCapturedJson(result));
      send("result", toJson({ ...body, droppedStreamLines: dropped }));
    } catch (e) {
      const { status, body } = errorAnswer(e);
      send("error", toJson({ ...withoutImageData(body), status, droppedStreamLines: dropped }));
    } finally {
      await chain;
      controller.dispose();
    }
  });
}

/**
 * `body` with its images' `data` left out: it went in the `image` events
 * (`{ index, mimeType, width, height, data }`), one per image, sent as each was completed.
 */
function withoutImageData(body: Record<string, unknown>): Record<string, unknown> {
  const images = body.images as readonly Record<string, unknown>[] | undefined;
  if (!Array.isArray(images) || images.length === 0) return body;
  return { ...body, images: images.map(({ data: _, ...rest }) => rest) };
}

/**
 * A `tool_call` event's data: `{ tool, args }`, with `args` replaced by the start of its
 * JSON text (a string ending `... [truncated]`) past {@linkcode MAX_TOOL_ARGS_CHARS}.
 */
function toolCallData(tool: string, args: unknown): string {
  let text: string;
  try {
    text = toJson(args) ?? "null";
  } catch {
    text = JSON.stringify("[arguments JSON cannot hold]");
  }
  if (text.length <= MAX_TOOL_ARGS_CHARS) return `{"tool":${JSON.stringify(tool)},"args":${text}}`;
  return JSON.stringify({ tool, args: `${text.slice(0, MAX_TOOL_ARGS_CHARS)}... [truncated]` });
}

/** An AbortController that also aborts when `outer` does. */
function linkedController(outer: AbortSignal): AbortController & { dispose(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (outer.aborted) controller.abort();
  else outer.addEventListener("abort", onAbort, { once: true });
  return Object.assign(controller, {
    dispose: () => outer.removeEventListener("abort", onAbort),
  });
}
