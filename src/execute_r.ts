/**
 * `executeR`: run R code once in a fresh session that is always closed afterwards.
 *
 * @module
 */
import { Effect } from "effect";
import type { ExecuteOptions, SessionOptions } from "./options.ts";
import { withSession } from "./effect.ts";
import type { ExecuteResult } from "./session.ts";
import { Cause, Exit, Option } from "effect";

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
    maxToolCalls,
    maxCodeLength,
    maxOutputLines,
    signal,
    ...session
  } = options;
  const exit = await Effect.runPromiseExit(
    withSession(
      { ...session, sandbox: session.sandbox ?? true },
      (s) =>
        s.execute(code, {
          timeout,
          validate,
          onOutput,
          maxToolCalls,
          maxCodeLength,
          maxOutputLines,
          signal,
        }),
    ),
  );
  if (Exit.isSuccess(exit)) return exit.value;
  const error = Cause.findErrorOption(exit.cause);
  if (Option.isSome(error)) throw error.value;
  throw Cause.squash(exit.cause);
}
