/**
 * Deno's FIFO reader and writer.
 *
 * Deno reads files on a thread of its blocking pool, which is small: a read that never
 * returns holds a thread for good. The reader therefore wakes its own blocked read on close,
 * and the writer never blocks at all (a non-blocking descriptor, retried on a timer).
 *
 * @module
 */
import * as fs from "node:fs";
import type { FifoIo, FifoReader, FifoWriter } from "./fifo.ts";
import type { DenoLike } from "./runtime.ts";

/** PIPE_BUF on Linux and macOS: writes of at most this many bytes to a FIFO are atomic. */
const PIPE_BUF = 4096;

/** The FIFO implementation for Deno, using the given `Deno` global. */
export function fifoDeno(deno: DenoLike): FifoIo {
  return {
    openReader: (path, onData) => openReader(deno, path, onData),
    openWriter,
  };
}

async function openReader(
  deno: DenoLike,
  path: string,
  onData: (chunk: Uint8Array) => void,
): Promise<FifoReader> {
  // Deno reads a FIFO on a thread of its blocking pool, and closing the file does not
  // wake a read blocked there (the read-write descriptor is its own writer, so it never
  // sees end-of-file): the thread would stay blocked for good, and the pool is small.
  // Closing therefore writes one byte into the FIFO through a separate non-blocking
  // descriptor (a write through the same file would queue behind the read), and the
  // loop closes the file once the read returns.
  const file = await deno.open(path, { read: true, write: true });
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

function openWriter(path: string): FifoWriter {
  const encoder = new TextEncoder();
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
      const end = Math.min(bytes.length, off + PIPE_BUF);
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
