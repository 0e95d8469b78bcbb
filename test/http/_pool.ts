/**
 * A real `SecureSession` behind the HTTP layer's pool interface, for the route tests: one
 * session, one execution at a time, FIFO waiters up to `acquireTimeout`.
 *
 * @module
 */
import { SecureSession, type SessionOptions } from "../../mod.ts";
import type { HttpPool, PoolExecuteOptions, PoolStatus } from "../../src/http/types.ts";

/** One real session as a pool of size one. */
export async function onePool(
  options: SessionOptions,
): Promise<HttpPool & { withSession<T>(fn: (s: SecureSession) => T | Promise<T>): Promise<T> }> {
  const session = await SecureSession.create(options);
  let busy = false;
  const waiters: (() => void)[] = [];
  const take = async (timeout: number) => {
    if (!busy) return void (busy = true);
    if (timeout <= 0) {
      throw Object.assign(new Error("All sessions are busy."), { _tag: "PoolExhaustedError" });
    }
    await new Promise<void>((resolve, reject) => {
      const w = () => (clearTimeout(t), resolve());
      const t = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        reject(Object.assign(new Error("All sessions are busy."), { _tag: "PoolExhaustedError" }));
      }, timeout);
      waiters.push(w);
    });
  };
  const give = () => {
    const next = waiters.shift();
    if (next) next();
    else busy = false;
  };
  const withSession = async <T>(fn: (s: SecureSession) => T | Promise<T>, timeout = 0) => {
    await take(timeout);
    try {
      return await fn(session);
    } finally {
      give();
    }
  };
  return {
    execute: (code: string, o: PoolExecuteOptions = {}) => {
      const { acquireTimeout, ...rest } = o;
      return withSession((s) => s.execute(code, rest), acquireTimeout ?? 0);
    },
    status: (): PoolStatus => ({
      total: 1,
      busy: busy ? 1 : 0,
      idle: busy ? 0 : 1,
      dead: 0,
      starting: 0,
    }),
    tools: () => session.tools(),
    close: () => session.close(),
    withSession: (fn) => withSession(fn),
  };
}
