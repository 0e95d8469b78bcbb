/**
 * Reading a request body under limits: at most `maxBytes` (413 past it, checked on the
 * declared length first and on the bytes as they arrive), within `timeoutMs` (408 for a
 * client that stalls), then parsed as JSON (400) and validated by a valibot schema (400
 * naming the field). The body is read in full before any session is taken, so a slow
 * client never holds one.
 *
 * @module
 */
import * as v from "valibot";
import { HttpError } from "./error_body.ts";

/** The limits a body is read under. */
export interface BodyLimits {
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
  /** Longest the client may take to send it, in milliseconds. */
  readonly timeoutMs: number;
}

const tooLarge = (max: number) =>
  new HttpError(
    413,
    "PayloadTooLargeError",
    `Cannot read the request body: it exceeds ${max} bytes.`,
  );

/** Reads the body as UTF-8 text under the limits. */
export async function readText(req: Request, limits: BodyLimits): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
  if (req.body === null) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HttpError(
            408,
            "RequestTimeoutError",
            `Cannot read the request body: the client sent it too slowly (over ${limits.timeoutMs} ms).`,
          ),
        ),
      limits.timeoutMs,
    );
  });
  try {
    while (true) {
      const { done, value } = await Promise.race([reader.read(), stalled]);
      if (done) break;
      size += value.byteLength;
      if (size > limits.maxBytes) throw tooLarge(limits.maxBytes);
      chunks.push(value);
    }
  } catch (e) {
    reader.cancel().catch(() => undefined);
    throw e;
  } finally {
    clearTimeout(timer);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(all);
  } catch {
    throw new HttpError(400, "BadRequestError", "Cannot read the request body: it is not UTF-8.");
  }
}

/** Reads, parses and validates a JSON body; an empty body is `{}` when `emptyIsObject`. */
export async function readJson<S extends v.GenericSchema>(
  req: Request,
  schema: S,
  limits: BodyLimits,
  emptyIsObject = false,
): Promise<v.InferOutput<S>> {
  const text = await readText(req, limits);
  let data: unknown;
  if (text.trim() === "" && emptyIsObject) data = {};
  else {
    try {
      data = JSON.parse(text);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new HttpError(400, "BadRequestError", `Cannot parse the request body as JSON: ${why}`);
    }
  }
  const parsed = v.safeParse(schema, data);
  if (parsed.success) return parsed.output;
  const issue = parsed.issues[0];
  const field = v.getDotPath(issue) ?? undefined;
  const where = field === undefined ? "the body" : `\`${field}\``;
  throw new HttpError(400, "BadRequestError", `Invalid request: ${where}: ${issue.message}`, field);
}
