/**
 * The pool `createApp` creates from `poolOptions` (a `SecureSessionPool`), and the session
 * options persistent sessions derive from them.
 *
 * @module
 */
import type { SessionOptions } from "../session/options.ts";
import type { PoolOptions } from "../pool/pool_options.ts";
import { SecureSessionPool } from "../pool/secure_session_pool.ts";
import type { HttpPool } from "./types.ts";

export type { PoolOptions };

const POOL_KEYS = ["size", "resetBetweenUses", "acquireTimeout", "maxExecutionsPerSession"];

/** The session options inside pool options (the pool's own keys removed; sandboxed by default). */
export function sessionOptionsOf(options: PoolOptions): SessionOptions {
  const rest: Record<string, unknown> = { sandbox: true };
  for (const [k, v] of Object.entries(options)) if (!POOL_KEYS.includes(k)) rest[k] = v;
  return rest as SessionOptions;
}

/** Creates the pool. */
export function makePool(options: PoolOptions): Promise<HttpPool> {
  return SecureSessionPool.create(options);
}
