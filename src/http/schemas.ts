/**
 * The request bodies the HTTP API accepts, as valibot schemas, and the response bodies it
 * returns. The request schemas validate every request, and the OpenAPI document is
 * generated from these same schemas, so the two cannot disagree.
 *
 * @module
 */
import * as v from "valibot";

const code: v.SchemaWithPipe<
  readonly [v.StringSchema<undefined>, v.DescriptionAction<string, string>]
> = v.pipe(
  v.string(),
  v.description("The R code to run (its length is capped by the server's maxCodeLength)."),
);
const timeout: v.SchemaWithPipe<
  readonly [
    v.NumberSchema<undefined>,
    v.IntegerAction<number, undefined>,
    v.MinValueAction<number, 1, undefined>,
    v.DescriptionAction<number, string>,
  ]
> = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(1),
  v.description(
    "Milliseconds before the execution is stopped; capped at the server's maxTimeout. " +
      "Default: the server's default timeout.",
  ),
);

/** `POST /v1/execute`: code to run on a pooled session, or in a persistent one. */
export const ExecuteRequest: v.StrictObjectSchema<{
  readonly code: typeof code;
  readonly timeout: v.OptionalSchema<typeof timeout, undefined>;
  readonly session: v.OptionalSchema<
    v.SchemaWithPipe<readonly [v.StringSchema<undefined>, v.DescriptionAction<string, string>]>,
    undefined
  >;
}, undefined> = v.strictObject({
  code,
  timeout: v.optional(timeout),
  session: v.optional(
    v.pipe(v.string(), v.description("A persistent session's id: run there instead of the pool.")),
  ),
});

/** `POST /v1/sessions/{id}/execute`: code to run in that persistent session. */
export const SessionExecuteRequest: v.StrictObjectSchema<{
  readonly code: typeof code;
  readonly timeout: v.OptionalSchema<typeof timeout, undefined>;
}, undefined> = v.strictObject({ code, timeout: v.optional(timeout) });

/** `POST /v1/sessions`: no fields yet (an empty body is accepted too). */
export const CreateSessionRequest: v.StrictObjectSchema<Record<never, never>, undefined> = v
  .strictObject({});

const strings = v.array(v.string());

const images = v.pipe(
  v.array(v.object({
    mimeType: v.pipe(v.string(), v.description("image/png or image/svg+xml.")),
    width: v.number(),
    height: v.number(),
    data: v.pipe(
      v.string(),
      v.description("The encoded image, in base64 (left out of a stream's result event)."),
    ),
  })),
  v.description("The pages R drew, one image each, in order."),
);
const files = v.pipe(
  v.array(v.object({
    name: v.string(),
    mimeType: v.string(),
    data: v.pipe(v.string(), v.description("The file's bytes, in base64.")),
  })),
  v.description("The files the code wrote to SECURER_OUTPUT_DIR."),
);
const dropped = v.pipe(
  v.array(v.object({
    kind: v.picklist(["image", "file"]),
    name: v.string(),
    bytes: v.nullable(v.number()),
    reason: v.string(),
  })),
  v.description("Images and files left out past a cap, and why."),
);

/** What a successful execution returns (the `ExecuteResult` of the Promise API). */
export const ExecuteResponse: v.GenericSchema = v.object({
  value: v.pipe(
    v.unknown(),
    v.description(
      "The last value, converted to JSON: NA is null; NaN, Inf and -Inf are the strings " +
        '"NaN", "Inf" and "-Inf"; raw vectors are arrays of bytes.',
    ),
  ),
  visible: v.boolean(),
  text: v.pipe(v.string(), v.description("What print() shows for the value.")),
  output: v.pipe(strings, v.description("Output lines in order: stdout, stderr, messages.")),
  outputTruncated: v.boolean(),
  droppedOutputLines: v.number(),
  textTruncated: v.pipe(v.boolean(), v.description("text was cut to its budget; value is whole.")),
  valueOmitted: v.boolean(),
  lost: v.pipe(
    strings,
    v.description("What converting the value lost, one note per kind of loss (empty: nothing)."),
  ),
  elapsedMs: v.number(),
  images,
  files,
  dropped,
});

/** Every error response: the error's `_tag`, its message and its fields. */
export const ErrorResponse: v.GenericSchema = v.object({
  _tag: v.pipe(v.string(), v.description("The error class, e.g. RExecutionError.")),
  message: v.string(),
  field: v.optional(v.pipe(v.string(), v.description("The request field at fault (400)."))),
  output: v.optional(v.pipe(strings, v.description("Output produced before the failure."))),
  call: v.optional(v.nullable(v.string())),
  line: v.optional(v.nullable(v.number())),
  column: v.optional(v.nullable(v.number())),
  timeoutMs: v.optional(v.nullable(v.number())),
  stateKept: v.optional(v.boolean()),
  images: v.optional(images),
  files: v.optional(files),
  dropped: v.optional(dropped),
});

/** `GET /v1/health`. */
export const HealthResponse: v.GenericSchema = v.object({
  status: v.picklist(["ok", "closing"]),
  backend: v.pipe(v.nullable(v.string()), v.description("The sandbox backend, when known.")),
  pool: v.object({
    total: v.number(),
    busy: v.number(),
    idle: v.number(),
    dead: v.number(),
    starting: v.number(),
  }),
  sessions: v.pipe(v.number(), v.description("Open persistent sessions.")),
});

/** `GET /v1/tools`. */
export const ToolsResponse: v.GenericSchema = v.object({
  tools: v.array(v.object({
    name: v.string(),
    description: v.string(),
    signature: v.pipe(v.string(), v.description("The R call, e.g. query_db(table, limit).")),
    args: v.array(v.object({
      name: v.string(),
      type: v.pipe(
        v.nullable(v.string()),
        v.description('An R type name, "schema" (checked host-side) or null (any).'),
      ),
    })),
  })),
});

/** `POST /v1/sessions` (201). */
export const SessionResponse: v.GenericSchema = v.object({
  id: v.pipe(v.string(), v.description("The session id; it is unguessable.")),
  idleTimeoutMs: v.pipe(v.number(), v.description("Idle time after which it is closed.")),
});
