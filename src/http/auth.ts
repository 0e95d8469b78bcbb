/**
 * Bearer-token authentication. The presented token and the expected one are both hashed
 * (SHA-256) and the digests compared with `timingSafeEqual`, so the comparison takes the
 * same time whatever the token's length or how much of it matches.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { errorAnswer, HttpError } from "./error_body.ts";

const digest = (s: string): Uint8Array => createHash("sha256").update(s, "utf8").digest();

/** Whether `presented` equals `expected`, in time independent of both. */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Middleware: 401 unless `Authorization: Bearer <token>` carries the token. */
export function bearerAuth(token: string, exempt: (path: string) => boolean): MiddlewareHandler {
  return async (c, next) => {
    if (exempt(c.req.path)) return await next();
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (match === null || !tokensMatch(match[1], token)) {
      const why = match === null ? "no bearer token was given" : "the bearer token is wrong";
      const { status, body } = errorAnswer(
        new HttpError(401, "UnauthorizedError", `Cannot authenticate: ${why}.`),
      );
      c.header("WWW-Authenticate", 'Bearer realm="securer"');
      return c.json(body, status as 401);
    }
    await next();
  };
}
