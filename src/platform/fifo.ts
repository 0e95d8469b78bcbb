/**
 * FIFOs: creating them, and the host's non-blocking reader and writer for each runtime.
 *
 * Each runtime reads FIFOs differently without blocking:
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
 * @module
 */
import * as fs from "node:fs";
import * as net from "node:net";
import { detectRuntime, globals } from "./runtime.ts";
import { findExecutable, runProgram } from "./process.ts";

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
