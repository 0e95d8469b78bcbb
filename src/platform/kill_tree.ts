/**
 * Killing a wrapped child so that every process of it is reaped, even when the host is
 * PID 1 (a container without an init), where an orphan is the host's to reap and no
 * runtime lets it.
 *
 * A wrapper such as bubblewrap runs R under a second process, the init of the sandbox's
 * pid namespace. Killing the wrapper first orphans that init: it dies, and is reparented
 * to the host, which never waits for it — a zombie per session. Killing the wrapper's
 * children first lets the wrapper reap them (bubblewrap waits for its child and exits
 * with its status; the kernel reaps the rest of the namespace as its init exits), and the
 * host reaps the wrapper, its own child.
 *
 * @module
 */
import { childPids } from "./find_process.ts";
import type { SpawnedProcess } from "./process.ts";
import { signalProcess } from "./process.ts";

/** How long the wrapper may take to reap its children and exit before it is killed too. */
export const REAP_GRACE_MS = 250;

/**
 * Kills `proc` children first: its direct children, then — once it has exited by itself, or
 * after `graceMs` — its process group and itself. Resolves when it has exited, or `graceMs`
 * after the last signal (a process that will not die cannot hold the caller).
 */
export async function killChildrenFirst(
  proc: SpawnedProcess,
  graceMs: number = REAP_GRACE_MS,
): Promise<void> {
  let children: number[] = [];
  try {
    children = await childPids(proc.pid);
  } catch {
    // The process table cannot be read: fall back to killing the wrapper alone.
  }
  for (const pid of children) signalProcess(pid, "SIGKILL");
  if (children.length === 0 || !(await exitedWithin(proc, graceMs))) {
    proc.signal("SIGKILL", "group");
    proc.signal("SIGKILL");
    await exitedWithin(proc, graceMs);
  } else {
    proc.signal("SIGKILL", "group"); // Whatever else is left in the group.
  }
}

/** Whether `proc` exits within `ms`; the timer never outlives the answer. */
function exitedWithin(proc: SpawnedProcess, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    proc.exited.then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]).finally(() => clearTimeout(timer));
}
