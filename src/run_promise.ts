/**
 * Running Effect programs for the Promise facade: the typed failure is rethrown as is,
 * so `instanceof` works on the errors of `errors.ts`.
 *
 * @module
 */
import { Cause, type Effect, Exit, type ManagedRuntime, Option } from "effect";

/** Runs `effect` on `runtime` and returns its value or throws its typed failure. */
export async function runOrThrow<A, E, R>(
  runtime: ManagedRuntime.ManagedRuntime<R, unknown>,
  effect: Effect.Effect<A, E, R>,
): Promise<A> {
  const exit = await runtime.runPromiseExit(effect);
  if (Exit.isSuccess(exit)) return exit.value;
  const error = Cause.findErrorOption(exit.cause);
  if (Option.isSome(error)) throw error.value;
  throw Cause.squash(exit.cause);
}
