/**
 * Finding a process among another's descendants, to signal R itself when it runs inside
 * a sandbox wrapper (Linux only).
 *
 * The process table comes from /proc. Deno refuses /proc to anything short of
 * `--allow-all`, so when the runtime denies it the table comes from `ps` instead (one
 * child process, allowed by `--allow-run`); without `ps` the permission error is thrown.
 *
 * @module
 */
import * as fs from "node:fs";
import { isPermissionError } from "./permission_error.ts";
import { findExecutable, runProgram } from "./process.ts";

/** Every process's parent and command name (`comm`), by pid. */
type ProcessTable = Map<number, { readonly ppid: number; readonly comm: string }>;

const PS = ["/usr/bin/ps", "/bin/ps"];

function procStat(pid: number): { comm: string; ppid: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    return {
      comm: stat.slice(stat.indexOf("(") + 1, close),
      ppid: Number(stat.slice(close + 2).split(" ")[1]),
    };
  } catch (e) {
    if (isPermissionError(e)) throw e;
    return null; // Gone.
  }
}

function procTable(): ProcessTable {
  const table: ProcessTable = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const st = procStat(pid);
    if (st !== null) table.set(pid, st);
  }
  return table;
}

async function psTable(): Promise<ProcessTable | null> {
  const ps = findExecutable(PS);
  if (ps === null) return null;
  const { stdout } = await runProgram([ps, "-A", "-o", "pid=,ppid=,comm="], { env: {} });
  const table: ProcessTable = new Map();
  for (const line of stdout.split("\n")) {
    const m = /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(line);
    if (m) table.set(Number(m[1]), { ppid: Number(m[2]), comm: m[3].trim() });
  }
  return table;
}

async function processTable(): Promise<ProcessTable> {
  try {
    return procTable();
  } catch (e) {
    if (!isPermissionError(e)) throw e;
    const table = await psTable();
    if (table === null) throw e;
    return table;
  }
}

/**
 * The first process named `comm` among `pid` and its descendants (breadth first); `null`
 * elsewhere than Linux or when there is none. Used to find R inside a sandbox wrapper, so
 * signals reach R itself.
 *
 * @throws the runtime's permission error when neither /proc nor `ps` can be read.
 */
export async function findProcess(pid: number, comm: string): Promise<number | null> {
  if (process.platform !== "linux") return null;
  const table = await processTable();
  const children = new Map<number, number[]>();
  for (const [child, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), child]);
  const queue = [pid];
  for (let i = 0; i < queue.length && i < 64; i++) {
    if (table.get(queue[i])?.comm === comm) return queue[i];
    queue.push(...(children.get(queue[i]) ?? []));
  }
  return null;
}

/**
 * The direct children of `pid` (Linux only; `[]` elsewhere or when it has none). Reads the
 * one file `/proc/<pid>/task/<pid>/children`, or the whole table where that is refused.
 */
export async function childPids(pid: number): Promise<number[]> {
  if (process.platform !== "linux") return [];
  try {
    const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8");
    return text.split(" ").filter((t) => t !== "").map(Number);
  } catch (e) {
    if (!isPermissionError(e)) return []; // Gone, or a kernel without the file.
    const table = await processTable();
    return [...table].filter(([, p]) => p.ppid === pid).map(([child]) => child);
  }
}
