/**
 * Session directories in the temp directory, named after the host process that owns them
 * (`securer-<pid>-<pid namespace>-XXXXXX`), and the sweep that removes those whose owner is gone.
 *
 * A host that dies without running its exit hooks (SIGKILL, a crash of the runtime) leaves
 * its session directories behind; the next host process that starts a session removes every
 * directory whose owning process no longer exists. A directory whose pid has been reused by
 * another live process is kept until that process is gone too.
 *
 * @module
 */
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makePrivateDir, removeDir } from "./files.ts";
import { ownerGone, ownerTag } from "./host_owner.ts";

const PREFIX = "securer-";
const OWNED = /^securer-(\d+)-(\d+)-[A-Za-z0-9]{6}$/;

const swept: Map<string, Promise<number>> = new Map();

/**
 * Removes the session directories of host processes that no longer exist. Runs once per
 * process and directory (later calls return the first run's count) and never throws.
 *
 * @param dir Where session directories live. @default the system temp directory
 * @returns How many directories it removed.
 */
export function sweepStaleSessionDirs(dir: string = tmpdir()): Promise<number> {
  const earlier = swept.get(dir);
  if (earlier !== undefined) return earlier;
  const run = (async () => {
    let removed = 0;
    let entries: string[];
    try {
      entries = await fs.promises.readdir(dir);
    } catch {
      return 0;
    }
    for (const name of entries) {
      const m = OWNED.exec(name);
      if (m === null) continue;
      if (!ownerGone(Number(m[1]), m[2])) continue;
      endFifoReaders(join(dir, name));
      await removeDir(join(dir, name));
      removed++;
    }
    return removed;
  })();
  swept.set(dir, run);
  return run;
}

/**
 * Ends what still reads the FIFOs of a dead host's session directory: the `cat` relays a
 * Deno host reads them through hold them read-write, so they never see end-of-file and
 * outlive a host killed outright. One byte written makes such a relay write to the pipe of
 * the dead host, and SIGPIPE ends it. Never blocks (a FIFO without a reader is skipped).
 */
function endFifoReaders(sessionDir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(sessionDir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(sessionDir, name);
    let fd: number | null = null;
    try {
      if (!fs.lstatSync(path).isFIFO()) continue;
      fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      fs.writeSync(fd, "\n");
    } catch {
      // No reader (ENXIO), or gone: nothing to end.
    } finally {
      if (fd !== null) fs.closeSync(fd);
    }
  }
}

/** Creates this host's next private session directory, after sweeping stale ones once. */
export async function makeSessionDir(): Promise<string> {
  await sweepStaleSessionDirs();
  return await makePrivateDir(`${PREFIX}${ownerTag()}-`);
}
