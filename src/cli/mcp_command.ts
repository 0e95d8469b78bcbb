/**
 * `securer mcp`: the MCP server on stdio over a pool of R sessions, with the pool, sandbox
 * and tools flags of `serve`. Each `execute_r` call runs on a free pooled session, so calls
 * are independent and may run at once; `--persist` binds the client to one leased session
 * instead, so its variables persist from call to call (if R dies, the model is told its
 * state was lost and the next call runs on the restarted R). It serves until the client
 * closes stdin (or SIGINT/SIGTERM), then closes the pool and exits 0.
 *
 * Everything it says goes to stderr: stdout carries the protocol.
 *
 * @module
 */
import process from "node:process";
import { SecureSessionPool } from "../pool/secure_session_pool.ts";
import type { Command } from "./command.ts";
import { intFlag, poolCommandInput, SHARED_USAGE } from "./flags.ts";

const OPTIONS = {
  timeout: { type: "string" },
  persist: { type: "boolean" },
} as const;

const USAGE = `Usage: securer mcp [flags]

Serves the MCP tool execute_r on stdin/stdout (for a desktop MCP client) on a pool of R
sessions. Each call runs on a free session (calls are independent) unless --persist.

  --timeout <ms>       time limit of one call (default 30000)
  --persist            bind the client to one session: variables persist across calls
${SHARED_USAGE}`;

/** How long a call waits for a free pooled session, in milliseconds. */
const ACQUIRE_TIMEOUT = 30_000;

async function run(argv: readonly string[]): Promise<number> {
  const input = await poolCommandInput(argv, OPTIONS, USAGE);
  if (input === null) return 0;
  const timeout = intFlag(input.values, "timeout", 1, 86_400_000) ?? 30_000;
  // Loaded here, not at the top: the other subcommands never load the MCP SDK.
  const { serveStdio } = await import("../mcp/stdio.ts");
  const pool = await SecureSessionPool.create({ acquireTimeout: ACQUIRE_TIMEOUT, ...input.pool });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    if (input.values.persist === true) {
      await using lease = await pool.acquire();
      console.error("securer: MCP on stdio, one session (state persists across calls)");
      await serveStdio({ session: lease.session, timeout, signal: stop.signal });
    } else {
      console.error(`securer: MCP on stdio, a pool of ${pool.size()} (calls are independent)`);
      await serveStdio({ pool, timeout, signal: stop.signal });
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await pool.close();
  }
  return 0;
}

/** The `mcp` subcommand. */
export const mcpCommand: Command = {
  name: "mcp",
  summary: "serve the MCP tool execute_r on stdio on a pool of R sessions",
  usage: USAGE,
  run,
};
