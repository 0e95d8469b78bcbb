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
  valueOmitted: v.boolean(),
  elapsedMs: v.number(),
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
