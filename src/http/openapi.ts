/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the valibot schemas in
 * `schemas.ts` (the same ones that validate the requests) by `@valibot/to-json-schema`.
 *
 * @module
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";
import {
  CreateSessionRequest,
  ErrorResponse,
  ExecuteRequest,
  ExecuteResponse,
  HealthResponse,
  SessionExecuteRequest,
  SessionResponse,
  ToolsResponse,
} from "./schemas.ts";

const schema = (s: v.GenericSchema) =>
  toJsonSchema(s, { target: "draft-2020-12" }) as Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ "application/json": { schema: ref(name) } });

const errors = (statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), {
    description: DESCRIPTIONS[s],
    content: json("Error"),
  }]));

const DESCRIPTIONS: Record<number, string> = {
  400: "Malformed JSON or a field that fails validation (`field` names it).",
  401: "Missing or wrong bearer token.",
  404: "No such session.",
  408: "The client sent the body too slowly.",
  409: "The session is running another execution.",
  413: "The body exceeds the server's limit.",
  422: "The code was rejected or failed: RSyntaxError, CodeTooLongError, RExecutionError, " +
    "ExecutionTimeoutError, ToolCallLimitError, ChildCrashedError, ProtocolError, PreExecuteHookError.",
  500: "An unexpected server error.",
  503: "No capacity now (PoolExhaustedError, TooManySessionsError) or the server is closing.",
};

const executeResponses = {
  "200": {
    description: "The result; or, with `Accept: text/event-stream` or `?stream=1`, a stream of " +
      "`output` events (one JSON string per line), `tool_call` (`{ tool, args }`) and " +
      "`tool_result` (`{ tool, error?, elapsedMs }`) events as R calls host tools, one `image` " +
      "event per image as soon as R completed it (`{ index, mimeType, width, height, data }`), " +
      "then one `result` or `error` event (whose `images` leave out `data`).",
    content: { ...json("ExecuteResult"), "text/event-stream": { schema: { type: "string" } } },
  },
  ...errors([400, 401, 404, 408, 409, 413, 422, 500, 503]),
};
const streamParam = {
  name: "stream",
  in: "query",
  required: false,
  description: "`1` to stream server-sent events.",
  schema: { type: "string", enum: ["1", "true"] },
};
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" } };

/** Builds the OpenAPI 3.1 document. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "securer",
      version,
      description: "Run R code in an OS sandbox; the code may call the server's tools.",
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        ExecuteRequest: schema(ExecuteRequest),
        SessionExecuteRequest: schema(SessionExecuteRequest),
        CreateSessionRequest: schema(CreateSessionRequest),
        ExecuteResult: schema(ExecuteResponse),
        Error: schema(ErrorResponse),
        Health: schema(HealthResponse),
        Tools: schema(ToolsResponse),
        Session: schema(SessionResponse),
      },
    },
    paths: {
      "/v1/health": {
        get: {
          summary: "Server and pool status",
          security: [],
          responses: { "200": { description: "Status.", content: json("Health") } },
        },
      },
      "/v1/execute": {
        post: {
          summary: "Run code on a pooled session (or in `session`)",
          parameters: [streamParam],
          requestBody: { required: true, content: json("ExecuteRequest") },
          responses: executeResponses,
        },
      },
      "/v1/sessions": {
        post: {
          summary: "Open a persistent session",
          requestBody: { required: false, content: json("CreateSessionRequest") },
          responses: {
            "201": { description: "The session.", content: json("Session") },
            ...errors([400, 401, 413, 500, 503]),
          },
        },
      },
      "/v1/sessions/{id}/execute": {
        post: {
          summary: "Run code in a persistent session (its state persists)",
          parameters: [idParam, streamParam],
          requestBody: { required: true, content: json("SessionExecuteRequest") },
          responses: executeResponses,
        },
      },
      "/v1/sessions/{id}": {
        delete: {
          summary: "Close a persistent session",
          parameters: [idParam],
          responses: { "204": { description: "Closed." }, ...errors([401, 404]) },
        },
      },
      "/v1/tools": {
        get: {
          summary: "The R functions the code may call",
          responses: {
            "200": { description: "The tools.", content: json("Tools") },
            ...errors([401]),
          },
        },
      },
      "/v1/openapi.json": {
        get: {
          summary: "This document",
          responses: { "200": { description: "OpenAPI 3.1." }, ...errors([401]) },
        },
      },
    },
  };
}
