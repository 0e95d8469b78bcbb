/**
 * The pool's options and their validation at the API boundary: the pool's own options are
 * checked here, the rest are session options, checked as a session checks them. A wrong
 * type throws `TypeError`, a value out of range `RangeError`.
 *
 * @module
 */
import type { ExecuteOptions, SessionOptions } from "../session/options.ts";
import { resolveSessionOptions } from "../session/options.ts";
import { typeTag } from "../tools/securer_tool.ts";

/**
 * What a session is cleared of between two uses:
 * - `false`: nothing, state carries over from one use to the next (the reference's default);
 * - `"state"`: R's state is reset in the same process (see the README's Pool section);
 * - `"process"`: each use gets a fresh R process, swapped in from a pre-started spare.
 */
export type ResetMode = false | "state" | "process";

/** Options of {@linkcode SecureSessionPool.create} and the Effect `makeSessionPool`. */
export interface PoolOptions extends Omit<SessionOptions, "sandbox" | "maxExecutions"> {
  /** How many sessions the pool keeps, 1 to 100. @default 4 */
  readonly size?: number;
  /** Run R inside an OS sandbox (fails closed when none works). @default true */
  readonly sandbox?: boolean;
  /** What is cleared between two uses of a session. @default false */
  readonly resetBetweenUses?: ResetMode;
  /**
   * How long a caller waits for a free session, in milliseconds, in FIFO order; `0` fails
   * at once with `All sessions are busy.` when none is idle. @default 0
   */
  readonly acquireTimeout?: number;
  /** After this many uses a session is replaced by a fresh one, in the background. */
  readonly maxExecutionsPerSession?: number;
}

/** Options of the pool's `execute()`: those of a session's, and `acquireTimeout`. */
export interface PoolExecuteOptions extends ExecuteOptions {
  /** How long to wait for a free session, in milliseconds. @default the pool's */
  readonly acquireTimeout?: number;
}

/** Pool options after validation, with defaults applied. */
export interface ResolvedPoolOptions {
  readonly size: number;
  readonly resetBetweenUses: ResetMode;
  readonly acquireTimeout: number;
  readonly maxExecutionsPerSession: number | undefined;
  /** What each session is created with. */
  readonly session: SessionOptions;
}

/** The largest pool. */
export const MAX_POOL_SIZE = 100;

const POOL_KEYS = ["size", "resetBetweenUses", "acquireTimeout", "maxExecutionsPerSession"];

/** Validates an `acquireTimeout`: a non-negative number of milliseconds (`Infinity` waits). */
export function checkAcquireTimeout(x: unknown): number | undefined {
  if (x === undefined) return undefined;
  if (typeof x !== "number") {
    throw new TypeError(`\`acquireTimeout\` must be a number, not ${typeTag(x)}.`);
  }
  if (!(x >= 0)) {
    throw new RangeError(
      `\`acquireTimeout\` must be a non-negative number of milliseconds, not ${x}.`,
    );
  }
  return x;
}

function checkSize(x: unknown): number {
  if (x === undefined) return 4;
  if (typeof x !== "number") throw new TypeError(`\`size\` must be a number, not ${typeTag(x)}.`);
  if (!Number.isInteger(x)) throw new RangeError(`\`size\` must be a whole number, not ${x}.`);
  if (x < 1) throw new RangeError(`\`size\` must be at least 1, not ${x}.`);
  if (x > MAX_POOL_SIZE) {
    throw new RangeError(`\`size\` must not exceed ${MAX_POOL_SIZE}, got ${x}.`);
  }
  return x;
}

function checkReset(x: unknown): ResetMode {
  if (x === undefined || x === false || x === "state" || x === "process") return x ?? false;
  throw new TypeError(
    `\`resetBetweenUses\` must be false, "state" or "process", not ${
      typeof x === "string" ? JSON.stringify(x) : typeTag(x)
    }.`,
  );
}

function checkMaxExecutions(x: unknown): number | undefined {
  if (x === undefined) return undefined;
  if (typeof x !== "number") {
    throw new TypeError(`\`maxExecutionsPerSession\` must be a number, not ${typeTag(x)}.`);
  }
  if (!Number.isInteger(x) || x < 1) {
    throw new RangeError(`\`maxExecutionsPerSession\` must be a positive integer, not ${x}.`);
  }
  return x;
}

/** Validates pool options (the session options among them) and applies defaults. */
export function resolvePoolOptions(options: PoolOptions | undefined): ResolvedPoolOptions {
  if (
    options !== undefined &&
    (typeof options !== "object" || options === null || Array.isArray(options))
  ) {
    throw new TypeError(`Pool options must be an object, not ${typeTag(options)}.`);
  }
  const o = options ?? {};
  if ("maxExecutions" in o && o.maxExecutions !== undefined) {
    throw new TypeError(
      "`maxExecutions` is not a pool option: use `maxExecutionsPerSession`, which replaces a session when it is reached.",
    );
  }
  const session: Record<string, unknown> = { ...o, sandbox: o.sandbox ?? true };
  for (const key of POOL_KEYS) delete session[key];
  const resolved: ResolvedPoolOptions = {
    size: checkSize(o.size),
    resetBetweenUses: checkReset(o.resetBetweenUses),
    acquireTimeout: checkAcquireTimeout(o.acquireTimeout) ?? 0,
    maxExecutionsPerSession: checkMaxExecutions(o.maxExecutionsPerSession),
    session: session as SessionOptions,
  };
  resolveSessionOptions(resolved.session);
  return resolved;
}
