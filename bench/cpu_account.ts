/**
 * Where an execution's CPU time goes: the host process (`process.cpuUsage()`) and every
 * process below it (R, and the relays or sandbox wrappers a backend runs), read from
 * `/proc/<pid>/stat` on Linux. `bench/pool.ts` uses it to show the ceiling the machine puts
 * on a pool's throughput: with `cores` cores fully busy, no pool serves more than
 * `cores / (CPU per execution)` executions a second, however it schedules them.
 *
 * Only processes alive at both readings count (a process that ends in between takes its
 * CPU time with it), which is what a pool's long-lived sessions are.
 *
 * @module
 */
import * as fs from "node:fs";

/** CPU time in microseconds: of the host, and of the processes below it. */
export interface CpuReading {
  readonly host: number;
  readonly below: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function readStat(pid: string): { ppid: number; ticks: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // gone
  }
}

/** The CPU time of the processes below `root`, in microseconds (0 where /proc is absent). */
function cpuBelow(root: number): number {
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const pid of entries) {
    const s = readStat(pid);
    if (s === null) continue;
    parent.set(Number(pid), s.ppid);
    ticks.set(Number(pid), s.ticks);
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        total += t;
        break;
      }
    }
  }
  return (total * 1e6) / TICKS_PER_SECOND;
}

/** Reads the CPU time used so far by the host and by the processes below it. */
export function readCpu(): CpuReading {
  const u = process.cpuUsage();
  return { host: u.user + u.system, below: cpuBelow(process.pid) };
}

/** CPU microseconds per execution between two readings, `n` executions apart. */
export function cpuPerExecution(from: CpuReading, to: CpuReading, n: number): CpuReading {
  return { host: (to.host - from.host) / n, below: (to.below - from.below) / n };
}
