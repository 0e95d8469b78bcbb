/**
 * Shared test helpers: gating on R, process and directory checks.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";

/** Why R-backed tests cannot run here, or `false` when they can. */
export const noR: string | false = (() => {
  const r = spawnSync("R", [
    "--vanilla",
    "-s",
    "-e",
    'cat(requireNamespace("jsonlite", quietly = TRUE))',
  ], {
    encoding: "utf8",
  });
  if (r.status !== 0) return "R is not installed (run `npm test`, which installs it)";
  if (r.stdout.trim() !== "TRUE") return "the jsonlite R package is not installed";
  return false;
})();

/** Is a process with this pid alive (and not a zombie)? */
export function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    if (process.platform === "linux") return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 20 ms until it returns true or `ms` pass; returns its last answer. */
export async function eventually(check: () => boolean, ms = 5_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

/** A per-test timeout generous enough for R start-ups on a loaded CI machine. */
export const SLOW = { timeout: 60_000 };
