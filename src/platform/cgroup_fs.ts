/**
 * A session's cgroup on disk (Linux): created under the host's own cgroup in each hierarchy
 * the probe found usable (`cgroup_probe.ts`), limits written, the sandbox's process tree
 * moved in, its processes listed, signalled and killed, its counters read, and removed; and
 * the sweep of the session cgroups that dead hosts left behind.
 *
 * Under cgroup v1 a session has one directory per hierarchy it uses (memory, pids, cpuacct
 * and, for kills, freezer); under v2, one directory. The pure decisions (which file holds
 * which limit, how counters read) are in `../sandbox/cgroup.ts`.
 *
 * @module
 */
import * as fs from "node:fs";
import { join } from "node:path";
import {
  CGROUP_RESOURCES,
  cgroupOwner,
  type CgroupResource,
  type CgroupSupport,
  cpuUsageFile,
  limitWrites,
  parseUsage,
  type SandboxUsage,
  sessionCgroupName,
  swapFile,
  usageFigure,
} from "../sandbox/cgroup.ts";
import type { Limits } from "../sandbox/limits.ts";
import { randomHex } from "./files.ts";
import { type SignalName, signalProcess } from "./process.ts";
import { ownerGone, ownerTag } from "./host_owner.ts";

/** A session's cgroup. Every method but `create` never throws. */
export interface SessionCgroup {
  /** `securer-<host pid>-<hex>`. */
  readonly name: string;
  /** Its directory for each resource it uses. */
  readonly dirs: Readonly<Partial<Record<CgroupResource, string>>>;
  /**
   * Moves `pid` and all its current descendants in (parents first, until no new
   * descendant appears); everything they start later is born inside. Returns how many
   * processes it moved.
   *
   * @throws when a process cannot be moved (the limits would not hold).
   */
  adopt(pid: number): number;
  /** The processes in it now. */
  pids(): number[];
  /** Sends `signal` to every process in it; returns how many it reached. */
  signalAll(signal: SignalName): number;
  /** Kills every process in it (freezing first where it can) until it is empty or 2 s pass. */
  kill(): Promise<boolean>;
  /** What it has counted so far. */
  usage(): SandboxUsage;
  /** CPU seconds its processes have used, or `null` when unreadable. */
  cpuSeconds(): number | null;
  /** Kills what is left and removes its directories. */
  remove(): Promise<void>;
  /** The same, synchronously, waiting at most 200 ms for the killed to go (for exit hooks). */
  removeSync(): void;
}

/** Reads a control file; `null` when it is missing or unreadable. */
export function readControl(path: string): string | null {
  try {
    return fs.readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** Writes a control file (one `write()`: the kernel parses each write on its own). */
export function writeControl(path: string, value: string): void {
  fs.writeFileSync(path, value);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Blocks the thread for `ms` milliseconds (only in exit hooks, which cannot wait otherwise). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The pids listed in a `cgroup.procs` file. */
function procsIn(dir: string): number[] {
  const text = readControl(join(dir, "cgroup.procs")) ?? "";
  return text.split("\n").filter((l) => l !== "").map(Number);
}

/** Every process's parent, from /proc (the runtime may read it: cgroups need as much). */
function parents(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readControl(`/proc/${entry}/stat`);
    if (stat === null) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  return children;
}

/** `pid` and its descendants, parents before children. */
export function processTree(pid: number): number[] {
  const children = parents();
  const out = [pid];
  for (let i = 0; i < out.length && out.length < 4096; i++) {
    out.push(...(children.get(out[i]) ?? []));
  }
  return out;
}

/** Removes an empty cgroup directory; `false` while processes remain or it is busy. */
function rmdirQuietly(dir: string): boolean {
  try {
    fs.rmdirSync(dir);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "ENOENT";
  }
}

/**
 * Creates a session cgroup for `limits` under the bases `support` found, and writes the
 * limits. `resources` are the ones the limits need; the freezer (v1) is added when usable.
 *
 * @throws an `Error` naming the file when a directory or limit cannot be written (what was
 * created is removed first).
 */
export function createSessionCgroup(
  support: CgroupSupport,
  resources: readonly CgroupResource[],
  limits: Limits,
): SessionCgroup {
  if (support.mode === "none") throw new Error("no cgroup is usable here");
  sweepStaleCgroups(support.bases);
  const version = support.mode;
  const name = sessionCgroupName(ownerTag(), randomHex(6));
  const wanted = CGROUP_RESOURCES.filter((r) =>
    support.bases[r] !== undefined && (resources.includes(r) || r === "freezer")
  );
  const dirs: Partial<Record<CgroupResource, string>> = {};
  for (const r of wanted) dirs[r] = join(support.bases[r]!, name);
  const unique = [...new Set(Object.values(dirs))];
  const cgroup = sessionCgroup(version, name, dirs, unique);
  try {
    for (const dir of unique) fs.mkdirSync(dir);
    const swap = dirs.memory !== undefined && fs.existsSync(join(dirs.memory, swapFile(version)));
    for (const w of limitWrites(version, limits, { swapFile: swap })) {
      const dir = dirs[w.resource];
      if (dir === undefined) continue;
      try {
        writeControl(join(dir, w.file), w.value);
      } catch (e) {
        throw new Error(`Cannot write ${w.value} to ${join(dir, w.file)}: ${e}`);
      }
    }
  } catch (e) {
    cgroup.removeSync();
    throw e;
  }
  return cgroup;
}

function sessionCgroup(
  version: "v1" | "v2",
  name: string,
  dirs: Partial<Record<CgroupResource, string>>,
  unique: readonly string[],
): SessionCgroup {
  const listing = dirs.pids ?? dirs.memory ?? dirs.cpu ?? unique[0];
  const read = (r: CgroupResource, file: string) => {
    const dir = dirs[r];
    return dir === undefined ? null : readControl(join(dir, file));
  };
  const freeze = (on: boolean) => {
    try {
      if (version === "v2") writeControl(join(listing, "cgroup.freeze"), on ? "1" : "0");
      else if (dirs.freezer) {
        writeControl(join(dirs.freezer, "freezer.state"), on ? "FROZEN" : "THAWED");
      }
    } catch {
      // Killing without freezing first still ends, only with more rounds.
    }
  };
  // v2's cgroup.kill is atomic. Otherwise the first rounds signal each process (most are
  // dying already); later ones freeze the cgroup first (about 15 ms: freezing waits for the
  // kernel), so no process can fork faster than it is killed.
  const killRound = (round: number) => {
    if (version === "v2") {
      try {
        writeControl(join(listing, "cgroup.kill"), "1");
        return;
      } catch {
        // Before Linux 5.14: signal each process.
      }
    }
    if (round >= 20) freeze(true);
    for (const pid of procsIn(listing)) signalProcess(pid, "SIGKILL");
    if (round >= 20) freeze(false);
  };
  const self: SessionCgroup = {
    name,
    dirs,
    adopt(pid) {
      const moved = new Set<number>();
      if (!Number.isInteger(pid) || pid < 2) return 0; // Never spawned: nothing to move.
      for (let round = 0; round < 8; round++) {
        const tree = processTree(pid).filter((p) => !moved.has(p));
        if (tree.length === 0) break;
        for (const p of tree) {
          for (const dir of unique) {
            try {
              writeControl(join(dir, "cgroup.procs"), String(p));
            } catch (e) {
              // A process that exited meanwhile is no failure.
              if ((e as { code?: string }).code === "ESRCH") continue;
              throw new Error(`Cannot move process ${p} into ${dir}: ${e}`);
            }
          }
          moved.add(p);
        }
      }
      return moved.size;
    },
    pids: () => procsIn(listing),
    signalAll(signal) {
      let n = 0;
      for (const pid of procsIn(listing)) if (signalProcess(pid, signal)) n++;
      return n;
    },
    async kill() {
      const until = Date.now() + 2_000;
      for (let round = 0; procsIn(listing).length > 0; round++) {
        if (Date.now() > until) return false;
        killRound(round);
        await sleep(round < 20 ? 2 : 10);
      }
      return true;
    },
    usage: () => parseUsage(version, read),
    cpuSeconds() {
      const source = cpuUsageFile(version);
      return usageFigure(source, read(source[0], source[1]));
    },
    async remove() {
      await self.kill();
      for (const dir of unique) {
        for (let i = 0; i < 200 && !rmdirQuietly(dir); i++) await sleep(5);
      }
    },
    removeSync() {
      for (let i = 0; i < 20 && procsIn(listing).length > 0; i++) {
        killRound(i);
        sleepSync(10);
      }
      for (const dir of unique) rmdirQuietly(dir);
    },
  };
  return self;
}

/** Removes the session cgroups under `base` whose host process is gone. Never throws. */
function sweep(base: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = cgroupOwner(name);
    if (owner === null || !ownerGone(owner.pid, owner.namespace)) continue;
    const dir = join(base, name);
    for (const pid of (readControl(join(dir, "cgroup.procs")) ?? "").split("\n")) {
      if (pid !== "") signalProcess(Number(pid), "SIGKILL");
    }
    try {
      fs.rmdirSync(dir);
    } catch {
      // Still emptying: the next host's probe removes it.
    }
  }
}

/**
 * Removes the session cgroups, under each of `bases`, of host processes that no longer
 * exist: a host killed by SIGKILL, or one whose processes outlived its exit hooks, leaves
 * them behind, and a leftover child keeps its parent cgroup from being removed. Never throws.
 */
export function sweepStaleCgroups(bases: Readonly<Partial<Record<CgroupResource, string>>>): void {
  for (const base of new Set(Object.values(bases))) sweep(base);
}
