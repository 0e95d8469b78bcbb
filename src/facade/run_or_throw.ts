/**
 * Running Effect programs for the Promise facade: the typed failure is rethrown as is,
 * so `instanceof` works on the errors of `errors.ts`.
 *
 * @module
 */
import { Cause, Effect, Exit, Option } from "effect";

/** Returns an exit's value, or throws its typed failure (or its defect). */
export function valueOrThrow<A, E>(exit: Exit.Exit<A, E>): A {
  if (Exit.isSuccess(exit)) return exit.value;
  const error = Cause.findErrorOption(exit.cause);
  if (Option.isSome(error)) throw error.value;
  throw Cause.squash(exit.cause);
}

/** Runs a self-contained `effect` and returns its value or throws its typed failure. */
export async function runOrThrow<A, E>(effect: Effect.Effect<A, E>): Promise<A> {
  return valueOrThrow(await Effect.runPromiseExit(effect));
}
