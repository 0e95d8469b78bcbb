/**
 * FIFOs: creating them, the small interface the host reads and writes them through, and
 * the one dispatch that picks the runtime's implementation.
 *
 * Each runtime reads FIFOs differently without blocking:
 * - Node (`fifo_node.ts`): the fd is opened `O_RDWR | O_NONBLOCK` and wrapped in a
 *   `net.Socket` (libuv polls it; a plain `fs.read` would park one of libuv's 4 pool
 *   threads per session).
 * - Bun (`fifo_bun.ts`): `Bun.file(fd).stream()` and `.writer()` poll the fd themselves
 *   (its `fs.read` also parks a pool thread).
 * - Deno (`fifo_deno.ts`): Deno reads FIFOs only on its small blocking pool, so a `cat`
 *   relay does the blocking read and Deno reads the relay's pipe; writes are non-blocking.
 *
 * The host opens every FIFO read-write, so opening never blocks and the child never sees
 * end-of-file while the host lives; when the host dies its ends close, and the child's
 * next read of `req` returns end-of-file and it exits.
 *
 * @module
 */
import { detectRuntime, globals, type RuntimeName } from "./runtime.ts";
import { findExecutable, runProgram } from "./process.ts";
import { fifoBun } from "./fifo_bun.ts";
import { fifoDeno } from "./fifo_deno.ts";
import { fifoNode } from "./fifo_node.ts";

const MKFIFO = ["/usr/bin/mkfifo", "/bin/mkfifo"];

/** Creates FIFOs (mode 0600). Uses the system's `mkfifo`: no runtime has the call. */
export async function makeFifos(paths: readonly string[]): Promise<void> {
  const mkfifo = findExecutable(MKFIFO);
  if (mkfifo === null) throw new Error(`Cannot create FIFOs: no mkfifo in ${MKFIFO.join(", ")}`);
  await runProgram([mkfifo, "-m", "600", ...paths], { env: {} });
}

/** The host's end of a FIFO it reads. */
export interface FifoReader {
  /** Stops delivery and releases the FIFO; safe to call twice, returns at once. */
  close(): void;
}

/** The host's end of a FIFO it writes. Writes are queued and never block the event loop. */
export interface FifoWriter {
  /** Queues `text`; resolves once it is in the FIFO. Writes arrive in the order queued. */
  write(text: string): Promise<void>;
  /** Stops writing (queued writes may be dropped) and releases the FIFO; safe to call twice. */
  close(): void;
}

/** One runtime's way of reading and writing FIFOs without blocking its event loop. */
export interface FifoIo {
  /** Opens an existing FIFO for reading; `onData` gets every chunk until the reader closes. */
  openReader(path: string, onData: (chunk: Uint8Array) => void): Promise<FifoReader>;
  /** Opens an existing FIFO for writing (opening never blocks); throws when it cannot. */
  openWriter(path: string): FifoWriter;
}

/** The FIFO implementation for `runtime` (by default, the one this code runs on). */
export function fifoIo(runtime: RuntimeName = detectRuntime()): FifoIo {
  switch (runtime) {
    case "deno":
      return fifoDeno();
    case "bun":
      return fifoBun(globals.Bun!);
    case "node":
      return fifoNode();
  }
}

/** Opens a FIFO for reading; `onData` gets every chunk until {@linkcode FifoReader.close}. */
export function openFifoReader(
  path: string,
  onData: (chunk: Uint8Array) => void,
): Promise<FifoReader> {
  return fifoIo().openReader(path, onData);
}

/** Opens a FIFO for writing (the FIFO must exist; opening never blocks). */
export function openFifoWriter(path: string): Promise<FifoWriter> {
  try {
    return Promise.resolve(fifoIo().openWriter(path));
  } catch (e) {
    return Promise.reject(e);
  }
}
