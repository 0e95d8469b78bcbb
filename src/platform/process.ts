/**
 * Processes: spawning R (in its own session and process group, output to a FIFO), running
 * helper programs, finding executables, and signalling processes. The only module that
 * starts or signals processes (`find_process.ts` finds R inside a sandbox wrapper).
 *
 * @module
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import { join } from "node:path";
import { isPermissionError } from "./permission_error.ts";

/** The signals the host sends (SIGXCPU: a sandbox past its whole-sandbox CPU budget). */
export type SignalName = "SIGINT" | "SIGKILL" | "SIGTERM" | "SIGXCPU";

/**
 * Sends `signal` to the process `pid`, or to the process group it leads. Returns whether
 * the signal was delivered; a process (or group) that is gone, or that is not ours to
 * signal, is not an error. Refuses pids below 2 (0 and -1 would reach far more than one
 * process).
 *
 * @throws when the runtime denies the permission to send signals (Deno: `--allow-run`).
 */
export function signalProcess(
  pid: number,
  signal: SignalName,
  target: "process" | "group" = "process",
): boolean {
  if (!Number.isInteger(pid) || pid < 2) return false;
  try {
    process.kill(target === "group" ? -pid : pid, signal);
    return true;
  } catch (e) {
    if (isPermissionError(e)) throw e;
    return false;
  }
}

/** How a process ended. */
export interface ExitStatus {
  /** The exit code, or `null` when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, or `null`. */
  readonly signal: string | null;
  /** Set when the process could not be started at all. */
  readonly spawnError?: string;
}

/** A running child process. */
export interface SpawnedProcess {
  /** Its process id (also its process group id: it leads a new session). */
  readonly pid: number;
  /** Resolves once, when the process has exited (its pipes may still hold output). */
  readonly exited: Promise<ExitStatus>;
  /** Sends a signal to the process, or to its whole process group. */
  signal(name: SignalName, target?: "process" | "group"): void;
}

/**
 * Whether a process with this pid may exist. Only "no such process" (ESRCH) says it does
 * not: a process of another user (EPERM), or a runtime that refuses to ask (Deno without
 * `--allow-run`), counts as existing — callers remove what belongs to dead processes, and
 * must never remove a live one's.
 */
export function processMayExist(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code !== "ESRCH";
  }
}

/** What {@linkcode spawnProcess} needs. */
export interface SpawnOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Path of a FIFO (already open for reading by the host) to use as stdout and stderr. */
  readonly outputFifo: string;
  /** Files opened read-only and passed as descriptors 3, 4, ... @default [] */
  readonly extraFds?: readonly string[];
}

/**
 * Starts `argv` in a new session and process group (so it has no controlling terminal and
 * can be killed as a group), with exactly `env` as its environment, stdin from /dev/null,
 * and stdout and stderr both writing to `outputFifo` (so everything the process and its
 * children print arrives in one ordered stream). Never goes through a shell.
 */
export function spawnProcess(argv: readonly string[], options: SpawnOptions): SpawnedProcess {
  // Blocking write end: the host's read end is already open, so this cannot hang.
  const out = fs.openSync(options.outputFifo, fs.constants.O_WRONLY);
  const extra: number[] = [];
  let child;
  try {
    for (const path of options.extraFds ?? []) extra.push(fs.openSync(path, fs.constants.O_RDONLY));
    child = spawn(argv[0], argv.slice(1), {
      env: { ...options.env },
      cwd: options.cwd,
      detached: true,
      stdio: ["ignore", out, out, ...extra],
    });
  } finally {
    fs.closeSync(out);
    for (const fd of extra) fs.closeSync(fd);
  }
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once(
      "error",
      (e) => resolve({ code: null, signal: null, spawnError: (e as Error).message }),
    );
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  // Unreferenced: an idle session does not keep the host alive (`keep_alive.ts`).
  child.unref();
  const pid = child.pid ?? -1;
  return {
    pid,
    exited,
    signal(name, target = "process") {
      signalProcess(pid, name, target);
    },
  };
}

/** Runs a program to completion and returns its output; rejects on a non-zero exit. */
export function runProgram(
  argv: readonly string[],
  options: { env?: Readonly<Record<string, string>>; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      argv[0],
      argv.slice(1),
      {
        env: options.env ? { ...options.env } : process.env,
        timeout: options.timeoutMs ?? 10_000,
        maxBuffer: 4 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stdout, stderr }));
        else resolve({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/**
 * Runs a program with an empty environment and `files` opened read-only as descriptors
 * 3, 4, ...; rejects (with `stderr` attached) on a non-zero exit or after `timeoutMs`.
 */
export function runProgramWithFds(
  argv: readonly string[],
  files: readonly string[],
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const fds = files.map((f) => fs.openSync(f, fs.constants.O_RDONLY));
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), {
        env: {},
        stdio: ["ignore", "ignore", "pipe", ...fds],
      });
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => signalProcess(child.pid ?? -1, "SIGKILL"), timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(Object.assign(e, { stderr }));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(Object.assign(new Error(`${argv[0]} exited ${signal ?? code}`), { stderr }));
    });
  });
}

/**
 * The first of `candidates` that exists and is executable, or `null`.
 *
 * @throws when the runtime denies the permission to look (Deno: `--allow-sys` and
 * `--allow-read`): a denied permission is not a missing program.
 */
export function findExecutable(candidates: readonly string[]): string | null {
  for (const path of candidates) {
    try {
      fs.accessSync(path, fs.constants.X_OK);
      if (fs.statSync(path).isFile()) return path;
    } catch (e) {
      if (isPermissionError(e)) throw e;
      // Try the next one.
    }
  }
  return null;
}

/** Looks `name` up on `PATH` the way a shell would, without running a shell. */
export function whichOnPath(name: string, path: string = process.env.PATH ?? ""): string | null {
  return findExecutable(path.split(":").filter((d) => d !== "").map((d) => join(d, name)));
}

/** A helper process that copies a file descriptor to the host through a pipe. */
export interface PipeRelay {
  /** Stops the relay (kills it); safe to call twice. */
  close(): void;
}

/**
 * Starts `cat` with `fd` as its standard input and delivers what it writes to `onData`
 * through a pipe the runtime reads asynchronously. `fd` is closed in the host once `cat`
 * has it. Used where the runtime can only read a FIFO on a blocking thread (Deno): the
 * blocking read happens in `cat` instead, and no thread of the host waits.
 */
export function spawnPipeRelay(fd: number, onData: (chunk: Uint8Array) => void): PipeRelay {
  const cat = findExecutable(["/usr/bin/cat", "/bin/cat"]);
  if (cat === null) {
    fs.closeSync(fd);
    throw new Error("Cannot relay a FIFO: no cat in /usr/bin or /bin");
  }
  let child;
  try {
    // In a session of its own, as R is: a Ctrl-C at the terminal (SIGINT to the host's
    // process group) is the host's to handle, and must not kill the relay under it.
    child = spawn(cat, [], { env: {}, stdio: [fd, "pipe", "ignore"], detached: true });
  } finally {
    fs.closeSync(fd);
  }
  child.stdout?.on("data", (d: Uint8Array) => onData(d));
  child.on("error", () => undefined);
  // Unreferenced, process and pipe: an idle session does not keep the host alive.
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  let open = true;
  return {
    close() {
      if (!open) return;
      open = false;
      child.stdout?.destroy();
      if (child.pid !== undefined) signalProcess(child.pid, "SIGKILL");
    },
  };
}
