/**
 * `createApp()`: the securer HTTP API as a Hono app over a pool of sessions, with
 * persistent sessions beside it (SPEC §11). Routes, auth and limits are wired here; each
 * concern lives in its own file (`auth.ts`, `read_body.ts`, `run_route.ts`,
 * `session_registry.ts`, `openapi.ts`).
 *
 * @module
 */
import { Hono } from "hono";
import type { ExecuteOptions, SessionOptions } from "../session/options.ts";
import { SecureSession } from "../facade/secure_session.ts";
import type { Tool, ToolInfo } from "../tools/securer_tool.ts";
import { bearerAuth } from "./auth.ts";
import { errorAnswer } from "./error_body.ts";
import { openApiDocument } from "./openapi.ts";
import { type BodyLimits, readJson, readText } from "./read_body.ts";
import { answerJson, answerStream, type Run, wantsStream } from "./run_route.ts";
import { CreateSessionRequest, ExecuteRequest, SessionExecuteRequest } from "./schemas.ts";
import { SessionRegistry } from "./session_registry.ts";
import type { HttpPool, HttpSession, McpMount } from "./types.ts";
import { makePool, type PoolOptions, sessionOptionsOf } from "./make_pool.ts";

/** Options of {@linkcode createApp}. */
export interface AppOptions {
  /** The pool to run one-shot executions on; the caller keeps it (and closes it). */
  readonly pool?: HttpPool;
  /** Options of a pool that `createApp` creates (and `close()` closes), when no `pool`. */
  readonly poolOptions?: PoolOptions;
  /** Options of each persistent session. @default the pool's session options */
  readonly sessionOptions?: SessionOptions;
  /** Tools for the pool `createApp` creates and for persistent sessions (added to theirs). */
  readonly tools?: readonly Tool[];
  /** The bearer token every route but `/v1/health` requires (a non-empty string). */
  readonly token: string;
  /** Largest request body, in bytes (413 past it). @default 1048576 */
  readonly maxBodyBytes?: number;
  /** Longest a client may take to send its body, in milliseconds (408). @default 10000 */
  readonly bodyTimeout?: number;
  /** Timeout of an execution that names none, in milliseconds. @default 30000 */
  readonly defaultTimeout?: number;
  /** Largest timeout a request may ask for, in milliseconds (larger ones are capped). @default 60000 */
  readonly maxTimeout?: number;
  /** Longest code accepted, in characters (422 `CodeTooLongError`). @default 100000 */
  readonly maxCodeLength?: number;
  /** Most persistent sessions open at once (503 past it). @default 4 */
  readonly maxSessions?: number;
  /** Idle time after which a persistent session is closed, in milliseconds. @default 300000 */
  readonly sessionIdleTimeout?: number;
  /** How long an execution waits for a free pooled session, in milliseconds. @default 10000 */
  readonly acquireTimeout?: number;
  /**
   * Serves MCP (Streamable HTTP) at `/mcp`, behind the token, on the pool: pass
   * `mcpOverHttp()` from `./mcp`. Each call's timeout is capped at `maxTimeout`.
   * @default no `/mcp` route
   */
  readonly mcp?: McpMount;
}

/** The app `createApp` returns: a Hono app that also closes what it opened. */
export type SecurerApp = Hono & {
  /** Closes the persistent sessions and the pool `createApp` created. Safe to call twice. */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
};

const VERSION = "0.1.0";

const positiveInt = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`\`${name}\` must be a positive integer, not ${String(value)}.`);
  }
  return value;
};

/** The R call of a tool, e.g. `query_db(table, limit)`. */
export function toolSignature(tool: ToolInfo): string {
  return `${tool.name}(${tool.args.map((a) => a.name).join(", ")})`;
}

/**
 * Creates the HTTP API: `GET /v1/health`, `POST /v1/execute`, `POST /v1/sessions`,
 * `POST /v1/sessions/:id/execute`, `DELETE /v1/sessions/:id`, `GET /v1/tools` and
 * `GET /v1/openapi.json`, all but health behind the bearer token; with `mcp`, `/mcp` too.
 *
 * @example
 * ```ts
 * import { createApp, serve } from "@securer/securer/http";
 *
 * const app = await createApp({ poolOptions: { size: 2 }, token: "change-me" });
 * const server = await serve(app, { port: 8787 });
 * // ... later
 * await server.close();
 * await app.close();
 * ```
 */
export async function createApp(options: AppOptions): Promise<SecurerApp> {
  if (typeof options?.token !== "string" || options.token.length === 0) {
    throw new TypeError("`token` must be a non-empty string (the bearer token clients send).");
  }
  if (options.pool !== undefined && options.poolOptions !== undefined) {
    throw new TypeError("Pass `pool` or `poolOptions`, not both.");
  }
  const limits: BodyLimits = {
    maxBytes: positiveInt("maxBodyBytes", options.maxBodyBytes, 1_048_576),
    timeoutMs: positiveInt("bodyTimeout", options.bodyTimeout, 10_000),
  };
  const maxTimeout = positiveInt("maxTimeout", options.maxTimeout, 60_000);
  const defaultTimeout = Math.min(
    positiveInt("defaultTimeout", options.defaultTimeout, 30_000),
    maxTimeout,
  );
  const maxCodeLength = positiveInt("maxCodeLength", options.maxCodeLength, 100_000);
  const acquireTimeout = options.acquireTimeout ?? 10_000;
  const tools = options.tools ?? [];
  const sessionOptions = options.sessionOptions ??
    sessionOptionsOf(options.poolOptions ?? { sandbox: true });
  const ownPool = options.pool === undefined;
  const pool = options.pool ?? await makePool({
    ...options.poolOptions,
    tools: [...(options.poolOptions?.tools ?? []), ...tools],
  });
  const idleTimeoutMs = positiveInt("sessionIdleTimeout", options.sessionIdleTimeout, 300_000);
  const sessions = new SessionRegistry({
    create: (): Promise<HttpSession> =>
      SecureSession.create({
        ...sessionOptions,
        tools: [...(sessionOptions.tools ?? []), ...tools],
      }),
    max: positiveInt("maxSessions", options.maxSessions, 4),
    idleTimeoutMs,
  });
  const backend = await backendOf(pool);
  let closing = false;

  const execOptions = (timeout: number | undefined): ExecuteOptions => ({
    timeout: Math.min(timeout ?? defaultTimeout, maxTimeout),
    maxCodeLength,
  });
  const answer = (c: Parameters<typeof wantsStream>[0], run: Run) =>
    wantsStream(c) ? answerStream(c, run) : answerJson(c, run);

  const app = new Hono();
  app.onError((e, c) => {
    const { status, body } = errorAnswer(e);
    return c.json(body, status as 400);
  });
  app.notFound((c) =>
    c.json({
      _tag: "NotFoundError",
      message: `Cannot ${c.req.method} ${c.req.path}: no such route.`,
    }, 404)
  );
  app.use("*", bearerAuth(options.token, (path) => path === "/v1/health"));

  app.get("/v1/health", (c) =>
    c.json({
      status: closing ? "closing" : "ok",
      backend,
      pool: pool.status(),
      sessions: sessions.size,
    }));

  app.get("/v1/tools", (c) =>
    c.json({
      tools: pool.tools().map((t) => ({
        name: t.name,
        description: t.description,
        signature: toolSignature(t),
        args: t.args,
      })),
    }));

  app.get("/v1/openapi.json", (c) => c.json(openApiDocument(VERSION)));

  app.post("/v1/execute", async (c) => {
    const body = await readJson(c.req.raw, ExecuteRequest, limits);
    const base = execOptions(body.timeout);
    if (body.session !== undefined) {
      const id = body.session;
      return answer(c, (o) => sessions.use(id, (s) => s.execute(body.code, { ...base, ...o })));
    }
    return answer(c, (o) => pool.execute(body.code, { ...base, ...o, acquireTimeout }));
  });

  app.post("/v1/sessions", async (c) => {
    await readJson(c.req.raw, CreateSessionRequest, limits, true);
    const id = await sessions.open();
    return c.json({ id, idleTimeoutMs }, 201);
  });

  app.post("/v1/sessions/:id/execute", async (c) => {
    const id = c.req.param("id");
    const body = await readJson(c.req.raw, SessionExecuteRequest, limits);
    const base = execOptions(body.timeout);
    return answer(c, (o) => sessions.use(id, (s) => s.execute(body.code, { ...base, ...o })));
  });

  app.delete("/v1/sessions/:id", async (c) => {
    await sessions.delete(c.req.param("id"));
    return c.body(null, 204);
  });

  if (options.mcp !== undefined) {
    const handle = options.mcp({
      execute: (code, o) =>
        pool.execute(code, {
          ...o,
          timeout: Math.min(o?.timeout ?? maxTimeout, maxTimeout),
          maxCodeLength,
          acquireTimeout,
        }),
      tools: () => pool.tools(),
    });
    app.all("/mcp", async (c) => {
      const raw = c.req.raw;
      if (raw.method !== "POST") return await handle(raw);
      // The body is read under the app's limits before the MCP SDK sees it.
      const body = await readText(raw, limits);
      return await handle(
        new Request(raw.url, { method: "POST", headers: raw.headers, body, signal: raw.signal }),
      );
    });
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing = true;
    closed ??= (async () => {
      await sessions.close();
      if (ownPool) await pool.close();
    })();
    return closed;
  };
  return Object.assign(app, { close, [Symbol.asyncDispose]: close });
}

/** The sandbox backend of the pool's sessions, when the pool can tell. */
async function backendOf(pool: HttpPool): Promise<string | null> {
  const p = pool as HttpPool & {
    withSession?: (fn: (s: { info(): { backend: string } }) => unknown) => Promise<unknown>;
  };
  if (typeof p.withSession !== "function") return null;
  try {
    const name = await p.withSession((s) => s.info().backend);
    return typeof name === "string" ? name : null;
  } catch {
    return null;
  }
}
