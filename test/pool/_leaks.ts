/**
 * What a pool can leave behind, for the pool suites: this process's descendant processes,
 * its session directories (`securer-<pid>-*` in the temp directory, FIFOs inside) and its
 * session cgroups (`securer-<pid>-*` under `/sys/fs/cgroup`). Linux only (`/proc`).
 *
 * @module
 */
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "../_helpers.ts";

/** The live descendants of this process (zombies excluded), by pid. */
export function descendants(): number[] {
  const parent = new Map<number, number>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (rest[0] === "Z") continue;
      parent.set(Number(name), Number(rest[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!mine.has(pid) && mine.has(ppid)) {
        mine.add(pid);
        out.push(pid);
        grew = true;
      }
    }
  }
  return out;
}

/** This process's session directories in the temp directory. */
export function sessionDirs(): string[] {
  const prefix = `securer-${process.pid}-`;
  return fs.readdirSync(tmpdir()).filter((n) => n.startsWith(prefix)).map((n) => join(tmpdir(), n));
}

/** This process's session cgroups, anywhere under `/sys/fs/cgroup` (depth-limited). */
export function sessionCgroups(): string[] {
  const prefix = `securer-${process.pid}-`;
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (e.name.startsWith(prefix)) out.push(join(dir, e.name));
      else if (depth > 0) walk(join(dir, e.name), depth - 1);
    }
  };
  walk("/sys/fs/cgroup", 6);
  return out;
}

/** What is left of this process's sessions: processes, directories, cgroups. */
export interface Leftovers {
  readonly processes: number[];
  readonly dirs: string[];
  readonly cgroups: string[];
}

/** What exists before a pool starts: none of it can be the pool's. */
export interface Snapshot {
  readonly processes: readonly number[];
  readonly dirs: readonly string[];
  readonly cgroups: readonly string[];
}

/**
 * This process's descendants (the runtime's own helpers, such as tsx's esbuild), session
 * directories and cgroups before a pool starts — an earlier test's session still closing is
 * not the pool's leftover.
 */
export function snapshot(): Snapshot {
  return { processes: descendants(), dirs: sessionDirs(), cgroups: sessionCgroups() };
}

/**
 * Waits (up to `ms`) until nothing is left of what appeared since `before`; returns what is
 * left then.
 */
export async function leftovers(before: Snapshot, ms = 10_000): Promise<Leftovers> {
  const now = (): Leftovers => ({
    processes: descendants().filter((pid) => !before.processes.includes(pid)),
    dirs: sessionDirs().filter((d) => !before.dirs.includes(d)),
    cgroups: sessionCgroups().filter((c) => !before.cgroups.includes(c)),
  });
  await eventually(() => {
    const l = now();
    return l.processes.length + l.dirs.length + l.cgroups.length === 0;
  }, ms);
  return now();
}
