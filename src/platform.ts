/**
 * The runtime seam: the only module that spawns processes, opens FIFOs or touches
 * runtime-specific APIs. Everything else imports it.
 *
 * FIFOs need care because each runtime reads them differently without blocking:
 * - Node: the fd is opened `O_RDWR | O_NONBLOCK` and wrapped in a `net.Socket` (libuv
 *   polls it; a plain `fs.read` would park one of libuv's 4 pool threads per session).
 * - Bun: `Bun.file(fd).stream()` and `.writer()` poll the fd themselves (its `fs.read`
 *   also parks a pool thread).
 * - Deno: `Deno.open` and `FsFile.read/write`, which run on Deno's large blocking pool.
 *
 * The host opens every FIFO read-write, so opening never blocks and the child never sees
 * end-of-file while the host lives; when the host dies its ends close, and the child's
 * next read of `req` returns end-of-file and it exits.
 *
 * One piece of process-wide state lives here: the set of cleanups run when the host
 * process exits ({@linkcode onHostExit}). Exit hooks are per process by nature; entries
 * are added and removed by each session and never shared between them.
 *
 * @module
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The JavaScript runtime the code runs on. */
export type RuntimeName = "deno" | "bun" | "node";

interface DenoFile {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
}
interface DenoLike {
  open(path: string, options: { read: boolean; write: boolean }): Promise<DenoFile>;
}
interface BunSink {
  write(chunk: Uint8Array | string): number | Promise<number>;
  flush(): number | Promise<number>;
  end(): unknown;
}
interface BunLike {
  file(fd: number): { stream(): ReadableStream<Uint8Array>; writer(): BunSink };
}
const globals = globalThis as unknown as { Deno?: DenoLike; Bun?: BunLike };

/** Which runtime this is. */
export function detectRuntime(): RuntimeName {
  if (globals.Deno !== undefined) return "deno";
  if (globals.Bun !== undefined) return "bun";
  return "node";
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
  signal(name: "SIGINT" | "SIGKILL" | "SIGTERM", target?: "process" | "group"): void;
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
  const pid = child.pid ?? -1;
  return {
    pid,
    exited,
    signal(name, target = "process") {
      if (pid <= 0) return;
      try {
        process.kill(target === "group" ? -pid : pid, name);
      } catch {
        // Already gone.
      }
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
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
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

/** The first of `candidates` that exists and is executable, or `null`. */
export function findExecutable(candidates: readonly string[]): string | null {
  for (const path of candidates) {
    try {
      fs.accessSync(path, fs.constants.X_OK);
      if (fs.statSync(path).isFile()) return path;
    } catch {
      // Try the next one.
    }
  }
  return null;
}

/** Looks `name` up on `PATH` the way a shell would, without running a shell. */
export function whichOnPath(name: string, path: string = process.env.PATH ?? ""): string | null {
  return findExecutable(path.split(":").filter((d) => d !== "").map((d) => join(d, name)));
}

/** Creates a new private (0700) directory under the system temp directory. */
export async function makePrivateDir(prefix: string): Promise<string> {
  const dir = await fs.promises.mkdtemp(join(tmpdir(), prefix));
  await fs.promises.chmod(dir, 0o700);
  // The resolved path: sandboxes match real paths (macOS's /var is /private/var).
  return await fs.promises.realpath(dir);
}

/** Creates a private (0700) directory at `path`. */
export async function makeDir(path: string): Promise<void> {
  await fs.promises.mkdir(path, { mode: 0o700 });
}

/** Writes a new file that must not exist yet, readable only by its owner. */
export async function writePrivateFile(
  path: string,
  content: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  await fs.promises.writeFile(path, content, { mode, flag: "wx" });
}

/** Removes a directory tree; never throws. */
export async function removeDir(path: string): Promise<void> {
  await fs.promises.rm(path, { recursive: true, force: true }).catch(() => undefined);
}

/** Reads a text file, or returns `null` when it cannot be read. */
export function readTextFile(path: string): string | null {
  try {
    return fs.readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

const MKFIFO = ["/usr/bin/mkfifo", "/bin/mkfifo"];

/** Creates FIFOs (mode 0600). Uses the system's `mkfifo`: no runtime has the call. */
export async function makeFifos(paths: readonly string[]): Promise<void> {
  const mkfifo = findExecutable(MKFIFO);
  if (mkfifo === null) throw new Error(`Cannot create FIFOs: no mkfifo in ${MKFIFO.join(", ")}`);
  await runProgram([mkfifo, "-m", "600", ...paths], { env: {} });
}

/** The host's end of a FIFO it reads. */
export interface FifoReader {
  close(): void;
}

/** The host's end of a FIFO it writes. Writes are queued and never block the event loop. */
export interface FifoWriter {
  write(text: string): Promise<void>;
  close(): void;
}

/** Opens a FIFO for reading; `onData` gets every chunk until {@linkcode FifoReader.close}. */
export async function openFifoReader(
  path: string,
  onData: (chunk: Uint8Array) => void,
): Promise<FifoReader> {
  switch (detectRuntime()) {
    case "deno": {
      // Deno reads a FIFO on a thread of its blocking pool, and closing the file does not
      // wake a read blocked there (the read-write descriptor is its own writer, so it never
      // sees end-of-file): the thread would stay blocked for good, and the pool is small.
      // Closing therefore writes one byte into the FIFO through a separate non-blocking
      // descriptor (a write through the same file would queue behind the read), and the
      // loop closes the file once the read returns.
      const file = await globals.Deno!.open(path, { read: true, write: true });
      let open = true;
      const loop = (async () => {
        const buf = new Uint8Array(65536);
        while (open) {
          const n = await file.read(buf);
          if (n === null || !open) break;
          if (n > 0) onData(buf.slice(0, n));
        }
      })().catch(() => undefined);
      loop.finally(() => {
        try {
          file.close();
        } catch {
          // Already closed.
        }
      });
      return {
        close() {
          if (!open) return;
          open = false;
          try {
            const wake = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
            fs.writeSync(wake, "\n");
            fs.closeSync(wake);
          } catch {
            // Gone already: nothing is blocked on it.
          }
        },
      };
    }
    case "bun": {
      const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      const reader = globals.Bun!.file(fd).stream().getReader();
      let open = true;
      (async () => {
        while (open) {
          const { done, value } = await reader.read();
          if (done) break;
          if (value && value.length > 0) onData(value);
        }
      })().catch(() => undefined);
      return {
        close() {
          if (!open) return;
          open = false;
          reader.cancel().catch(() => undefined);
          try {
            fs.closeSync(fd);
          } catch {
            // Already closed.
          }
        },
      };
    }
    case "node": {
      const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      const socket = new net.Socket({ fd, readable: true, writable: false });
      socket.on("data", (d: Uint8Array) => onData(d));
      socket.on("error", () => undefined);
      return { close: () => socket.destroy() };
    }
  }
}

/** Opens a FIFO for writing (the FIFO must exist; opening never blocks). */
export function openFifoWriter(path: string): Promise<FifoWriter> {
  try {
    return Promise.resolve(fifoWriter(path));
  } catch (e) {
    return Promise.reject(e);
  }
}

function fifoWriter(path: string): FifoWriter {
  const encoder = new TextEncoder();
  switch (detectRuntime()) {
    case "deno": {
      // A blocking write would hold a thread of Deno's pool while the FIFO is full, and for
      // good if R died. Writes go through a non-blocking descriptor instead, retried on a
      // timer while the FIFO is full: no thread ever waits.
      const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      let queue = Promise.resolve();
      let open = true;
      // Slices of at most PIPE_BUF bytes: such writes are atomic, so EAGAIN means nothing
      // was written (Deno's writeSync may write part of a larger buffer and still report
      // EAGAIN, losing the count).
      const writeAll = async (bytes: Uint8Array) => {
        let off = 0;
        while (open && off < bytes.length) {
          const end = Math.min(bytes.length, off + 4096);
          try {
            off += fs.writeSync(fd, bytes.subarray(off, end));
          } catch (e) {
            if ((e as { code?: string }).code !== "EAGAIN") throw e;
            await new Promise((r) => setTimeout(r, 1));
          }
        }
      };
      return {
        write(text) {
          const bytes = encoder.encode(text);
          queue = queue.then(() => writeAll(bytes));
          return queue;
        },
        close() {
          if (!open) return;
          open = false;
          queue.finally(() => {
            try {
              fs.closeSync(fd);
            } catch {
              // Already closed.
            }
          });
        },
      };
    }
    case "bun": {
      const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      const sink = globals.Bun!.file(fd).writer();
      let queue = Promise.resolve();
      let open = true;
      return {
        write(text) {
          queue = queue.then(async () => {
            await sink.write(text);
            await sink.flush();
          });
          return queue;
        },
        close() {
          if (!open) return;
          open = false;
          try {
            sink.end();
          } catch {
            // Already closed.
          }
          try {
            fs.closeSync(fd);
          } catch {
            // Already closed.
          }
        },
      };
    }
    case "node": {
      const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      const socket = new net.Socket({ fd, readable: false, writable: true });
      socket.on("error", () => undefined);
      return {
        write: (text) =>
          new Promise((resolve, reject) => socket.write(text, (e) => (e ? reject(e) : resolve()))),
        close: () => socket.destroy(),
      };
    }
  }
}

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

/** Removes a directory tree synchronously (for exit hooks); never throws. */
export function removeDirSync(path: string): void {
  try {
    fs.rmSync(path, { recursive: true, force: true });
  } catch {
    // Best effort.
  }
}

/** Changes the owner of a directory and everything directly in it. */
export async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await fs.promises.chown(dir, uid, gid);
  for (const entry of await fs.promises.readdir(dir)) {
    await fs.promises.lchown(join(dir, entry), uid, gid);
  }
}

/** Removes a file; never throws. */
export async function removeFile(path: string): Promise<void> {
  await fs.promises.rm(path, { force: true }).catch(() => undefined);
}

function procStat(pid: number): { comm: string; ppid: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    return {
      comm: stat.slice(stat.indexOf("(") + 1, close),
      ppid: Number(stat.slice(close + 2).split(" ")[1]),
    };
  } catch {
    return null;
  }
}

/**
 * The first process named `comm` among `pid` and its descendants (breadth first), read
 * from /proc; `null` elsewhere than Linux or when there is none. Used to find R inside a
 * sandbox wrapper, so signals reach R itself.
 */
export function findProcess(pid: number, comm: string): number | null {
  if (process.platform !== "linux") return null;
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    const st = procStat(child);
    if (st === null) continue;
    children.set(st.ppid, [...(children.get(st.ppid) ?? []), child]);
  }
  const queue = [pid];
  for (let i = 0; i < queue.length && i < 64; i++) {
    if (procStat(queue[i])?.comm === comm) return queue[i];
    queue.push(...(children.get(queue[i]) ?? []));
  }
  return null;
}

/** 32 random bytes as 64 lowercase hex characters. */
export function randomHex(bytes = 32): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}
