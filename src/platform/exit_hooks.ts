/**
 * Exit hooks: cleanups run synchronously when the host process ends — a normal exit,
 * `process.exit()`, or a SIGINT, SIGTERM or SIGHUP that ends it.
 *
 * Signals go through `signal-exit`, which keeps the host's own signal behaviour: when the
 * host has a handler of its own for a signal, nothing happens here (the host decides whether
 * to exit, and its exit runs the hooks); otherwise the hooks run and the signal is raised
 * again, so the host dies of it as it would have (exit status 128 + signal).
 *
 * `Deno.exit()` emits no `exit` event, and Deno's `unload` event cannot stand in for it: the
 * test runner dispatches it at the end of every test file, which would kill the sessions of
 * the files after it. After `Deno.exit()` — as after SIGKILL, which runs nothing — R sees its
 * channel close and exits (a sandbox dies with its parent), and the next host to start a
 * session sweeps the directories left behind (`sweepStaleSessionDirs`).
 *
 * The one piece of process-wide state of the platform seam: exit hooks are per process by
 * nature; entries are added and removed by each session and never shared between them.
 *
 * @module
 */
import { onExit } from "signal-exit";

const hostExit: { hooks: Set<() => void>; installed: boolean } = {
  hooks: new Set(),
  installed: false,
};

function runHooks(): void {
  const hooks = [...hostExit.hooks];
  hostExit.hooks.clear();
  for (const hook of hooks) {
    try {
      hook();
    } catch {
      // Best effort while exiting.
    }
  }
}

function install(): void {
  hostExit.installed = true;
  onExit(() => runHooks(), { alwaysLast: true });
}

/**
 * Runs `cleanup` (synchronously) if the host process ends while it is registered.
 * Returns the function that unregisters it.
 */
export function onHostExit(cleanup: () => void): () => void {
  if (!hostExit.installed) install();
  hostExit.hooks.add(cleanup);
  return () => hostExit.hooks.delete(cleanup);
}
