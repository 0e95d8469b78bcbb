/**
 * The pool `createApp` creates from `poolOptions`, and the session options persistent
 * sessions derive from them.
 *
 * @module
 */
import type { SessionOptions } from "../session/options.ts";
import type { HttpPool } from "./types.ts";

/** Options of the pool `createApp` creates: session options plus the pool's own. */
export interface PoolOptions extends SessionOptions {
  /** Sessions in the pool. @default 4 */
  readonly size?: number;
  /** What happens to a session between uses. @default false */
  readonly resetBetweenUses?: false | "state" | "process";
  /** How long `execute` waits for a free session, in milliseconds. @default 0 */
  readonly acquireTimeout?: number;
  /** Executions after which a session is replaced. */
  readonly maxExecutionsPerSession?: number;
}

const POOL_KEYS = ["size", "resetBetweenUses", "acquireTimeout", "maxExecutionsPerSession"];

/** The session options inside pool options (the pool's own keys removed; sandboxed by default). */
export function sessionOptionsOf(options: PoolOptions): SessionOptions {
  const rest: Record<string, unknown> = { sandbox: true };
  for (const [k, v] of Object.entries(options)) if (!POOL_KEYS.includes(k)) rest[k] = v;
  return rest as SessionOptions;
}

/** Creates the pool. */
export function makePool(_options: PoolOptions): Promise<HttpPool> {
  return Promise.reject(new Error("Cannot create a pool yet: pass `pool`."));
}
