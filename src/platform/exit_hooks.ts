/**
 * Exit hooks: cleanups run synchronously when the host process exits.
 *
 * The one piece of process-wide state of the platform seam: exit hooks are per process by
 * nature; entries are added and removed by each session and never shared between them.
 *
 * @module
 */

const hostExit = { hooks: new Set<() => void>(), installed: false };

/**
 * Runs `cleanup` (synchronously) if the host process exits while it is registered.
 * Returns the function that unregisters it.
 */
export function onHostExit(cleanup: () => void): () => void {
  if (!hostExit.installed) {
    hostExit.installed = true;
    process.once("exit", () => {
      for (const hook of hostExit.hooks) {
        try {
          hook();
        } catch {
          // Best effort while exiting.
        }
      }
    });
  }
  hostExit.hooks.add(cleanup);
  return () => hostExit.hooks.delete(cleanup);
}
