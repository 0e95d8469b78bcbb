/**
 * The checks `execute()` runs before the code reaches R, in the reference's order and
 * wording: `maxExecutions`, the `preExecuteHook`, `maxCodeLength` (in characters) and,
 * when asked, a syntax check by the R parser written in TypeScript.
 *
 * @module
 */
import { Effect } from "effect";
import {
  CodeTooLongError,
  MaxExecutionsError,
  PreExecuteHookError,
  RSyntaxError,
} from "../errors.ts";
import type { ResolvedExecuteOptions, ResolvedSessionOptions } from "./options.ts";
import { validateCode } from "../validate/validate_code.ts";

/** Errors the pre-checks fail with. */
export type PreCheckError =
  | MaxExecutionsError
  | PreExecuteHookError
  | CodeTooLongError
  | RSyntaxError;

/** The length of `code` in characters (a surrogate pair counts once). */
export function countChars(code: string): number {
  let n = code.length;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/** Runs the pre-checks for `code`, given the executions the session counted so far. */
export const preChecks = (
  code: string,
  o: ResolvedExecuteOptions,
  opts: ResolvedSessionOptions,
  executions: number,
): Effect.Effect<void, PreCheckError> =>
  Effect.gen(function* () {
    if (opts.maxExecutions !== undefined && executions >= opts.maxExecutions) {
      return yield* Effect.fail(
        new MaxExecutionsError(
          `Maximum executions (${opts.maxExecutions}) reached for this session.`,
        ),
      );
    }
    const hook = opts.preExecuteHook;
    if (hook !== undefined) {
      const verdict = yield* Effect.tryPromise({
        try: async () => await hook(code),
        catch: (e) =>
          new PreExecuteHookError(
            `\`preExecuteHook\` error: ${e instanceof Error ? e.message : String(e)}`,
            { blocked: false, cause: e },
          ),
      });
      if (verdict === false) {
        return yield* Effect.fail(
          new PreExecuteHookError("Execution blocked by `preExecuteHook`.", { blocked: true }),
        );
      }
    }
    const length = countChars(code);
    if (length > o.maxCodeLength) {
      return yield* Effect.fail(
        new CodeTooLongError(`Code too long (${length} chars, max ${o.maxCodeLength}).`),
      );
    }
    if (o.validate) {
      const v = validateCode(code);
      if (!v.valid) {
        return yield* Effect.fail(
          new RSyntaxError(
            `Code has a syntax error and was not executed:\n${v.error?.message ?? ""}`,
            { line: v.error?.line ?? null, column: v.error?.column ?? null },
          ),
        );
      }
    }
  });
