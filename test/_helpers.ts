/**
 * Shared test helpers and fixtures: gating on R and the platform, process and directory
 * checks, waiting, temporary directories, and the fixtures several suites repeat.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { securerTool, type SecureSession, type Tool } from "../mod.ts";

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

/** Why a test that reads Linux's `/proc` (for `what`) must skip here, or `false`. */
export function onlyOnLinux(what: string): string | false {
  return process.platform === "linux" ? false : `${what}, which only Linux has`;
}

/** One mebibyte, for limits. */
export const MiB = 1024 * 1024;

/** The tool most suites call: `add(a, b)`, two numbers in, their sum out. */
export const ADD_TOOL: Tool = securerTool({
  name: "add",
  args: { a: "numeric", b: "numeric" },
  fn: ({ a, b }) => (a as number) + (b as number),
});

/** The session directory of a session, as R sees it (its first trailing argument). */
export async function sessionDirOf(session: SecureSession): Promise<string> {
  return String((await session.execute("commandArgs(trailingOnly = TRUE)[[1L]]")).value);
}

/** Runs `fn` with a new temporary directory named `prefix...`, removed afterwards. */
export async function withTempDir<T>(
  prefix: string,
  fn: (dir: string) => T | Promise<T>,
): Promise<T> {
  const dir = fs.mkdtempSync(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One temporary directory for the enclosing `describe`: made in `before`, removed in
 * `after`. Returns its getter, valid inside the tests.
 */
export function suiteTempDir(prefix: string): () => string {
  let dir: string | undefined;
  before(() => {
    dir = fs.mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === undefined) throw new Error("The suite's directory is used outside a test");
    return dir;
  };
}
