/**
 * `executeR`: run R code once in a fresh session that is always closed afterwards.
 *
 * @module
 */
import type { ExecuteOptions, SessionOptions } from "../session/options.ts";
import { withSession } from "../effect/mod.ts";
import { runOrThrow } from "./run_or_throw.ts";
import type { ExecuteResult } from "../session/make_session.ts";

/** Options of {@linkcode executeR}: the session's and the execution's together. */
export type ExecuteROptions = SessionOptions & ExecuteOptions;

/**
 * Runs `code` in a new session and closes it, also on error. Sandboxed by default.
 *
 * @example
 * ```ts
 * import { executeR } from "@securer/securer";
 * const r = await executeR("mean(c(1, 2, 3))", { sandbox: false });
 * console.log(r.value); // 2
 * ```
 */
export async function executeR(
  code: string,
  options: ExecuteROptions = {},
): Promise<ExecuteResult> {
  const {
    timeout,
    validate,
    onOutput,
    onToolCall,
    onImage,
    maxToolCalls,
    maxCodeLength,
    maxOutputLines,
    maxOutputBytes,
    signal,
    ...session
  } = options;
  return await runOrThrow(
    withSession(
      { ...session, sandbox: session.sandbox ?? true },
      (s) =>
        s.execute(code, {
          timeout,
          validate,
          onOutput,
          onToolCall,
          onImage,
          maxToolCalls,
          maxCodeLength,
          maxOutputLines,
          maxOutputBytes,
          signal,
        }),
    ),
  );
}
