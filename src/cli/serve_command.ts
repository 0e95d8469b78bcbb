/**
 * `securer serve`: the HTTP API on a pool of sandboxed sessions, until SIGINT or SIGTERM;
 * then it stops accepting, lets requests in flight finish (10 s at most), closes the pool
 * and exits 0.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import process from "node:process";
import { createApp } from "../http/create_app.ts";
import { serve } from "../http/serve.ts";
import type { Command } from "./command.ts";
import { intFlag, poolCommandInput, SHARED_USAGE, UsageError } from "./flags.ts";

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  token: { type: "string" },
  "max-body": { type: "string" },
  "max-timeout": { type: "string" },
} as const;

const USAGE = `Usage: securer serve [flags]

Serves the HTTP API (POST /v1/execute, /v1/sessions, GET /v1/health, /v1/tools,
/v1/openapi.json) and MCP over Streamable HTTP at /mcp on a pool of R sessions.
Every route but /v1/health needs "Authorization: Bearer <token>".

  --host <addr>        address to bind (default 127.0.0.1)
  --port <n>           port (default 8787; 0 picks a free one)
  --token <t>          the bearer token (default: $SECURER_TOKEN, else one is
                       generated and printed once); required for a non-loopback --host
  --max-body <bytes>   largest request body (default 1048576)
  --max-timeout <ms>   largest execution timeout a request may ask for (default 60000)
${SHARED_USAGE}`;

/** Whether `host` is a loopback address. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

async function run(argv: readonly string[]): Promise<number> {
  const input = await poolCommandInput(argv, OPTIONS, USAGE);
  if (input === null) return 0;
  const { values } = input;
  const host = (values.host as string | undefined) ?? "127.0.0.1";
  const port = intFlag(values, "port", 0, 65535) ?? 8787;
  const maxBodyBytes = intFlag(values, "max-body", 1, 1 << 30);
  const maxTimeout = intFlag(values, "max-timeout", 1, 86_400_000);
  const given = (values.token as string | undefined) ?? process.env.SECURER_TOKEN;
  if (given === "") throw new UsageError("--token (or SECURER_TOKEN) must not be empty.");
  if (given === undefined && !isLoopback(host)) {
    throw new UsageError(
      `Refusing to bind ${host} (not a loopback address) without a token given explicitly: pass --token or set SECURER_TOKEN.`,
    );
  }
  const token = given ?? randomBytes(24).toString("base64url");
  const { mcpOverHttp } = await import("../mcp/http.ts");
  const app = await createApp({
    poolOptions: input.pool,
    token,
    mcp: mcpOverHttp(),
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    ...(maxTimeout === undefined ? {} : { maxTimeout }),
  });
  let server;
  try {
    server = await serve(app, { host, port });
  } catch (e) {
    await app.close();
    throw e;
  }
  if (given === undefined) console.error(`securer: generated token (shown once): ${token}`);
  console.log(`securer: listening on ${server.url}`);
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  console.error(`securer: ${signal}: finishing requests in flight, then closing the pool`);
  await server.close();
  await app.close();
  return 0;
}

/** The `serve` subcommand. */
export const serveCommand: Command = {
  name: "serve",
  summary: "serve the HTTP API on a pool of R sessions",
  usage: USAGE,
  run,
};
