/**
 * What keeps the host process alive: work someone awaits, never an idle session.
 *
 * Every handle the platform seam holds on a child (its process, the FIFOs, Deno's relays) is
 * unreferenced, so an idle session or pool left open does not keep the host running — it
 * exits as it would without them, and the exit hooks (`exit_hooks.ts`) kill the children and
 * remove their directories (Deno and Node; Bun's FIFO reader cannot be unreferenced, so
 * there an open session may keep the host alive). While a start, an execution or a disposal
 * is in flight the session holds the event loop open here, so a program whose only pending
 * work is that execution waits for it instead of exiting under it.
 *
 * @module
 */
import { Effect } from "effect";

const loop: { holders: number; timer: ReturnType<typeof setInterval> | undefined } = {
  holders: 0,
  timer: undefined,
};

/** Keeps the event loop alive until the returned function is called (once; more are no-ops). */
export function holdEventLoop(): () => void {
  // A referenced interval that never fires in practice (about 12 days) is the portable way
  // to hold the loop open: every runtime counts a referenced timer as pending work.
  if (loop.holders++ === 0) loop.timer = setInterval(() => undefined, 2 ** 30);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--loop.holders === 0) {
      clearInterval(loop.timer);
      loop.timer = undefined;
    }
  };
}

/** How many holds are open now (for tests). */
export function eventLoopHolders(): number {
  return loop.holders;
}

/** Runs `effect` with the event loop held open, released however it ends. */
export const holdingEventLoop = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(holdEventLoop),
    () => effect,
    (release) => Effect.sync(release),
  );
