/**
 * Deno's FIFO reader and writer.
 *
 * Deno reads files on a thread of its blocking pool, which is small: a read that never
 * returns holds a thread for good. So no thread of Deno ever waits on a FIFO: the reader is a
 * `cat` relay whose output pipe Deno reads asynchronously, and the writer never blocks (a
 * non-blocking descriptor, retried on a timer).
 *
 * @module
 */
import * as fs from "node:fs";
import type { FifoIo, FifoReader, FifoWriter } from "./fifo.ts";
import { onHostExit } from "./exit_hooks.ts";
import { spawnPipeRelay } from "./process.ts";

/** PIPE_BUF on Linux and macOS: writes of at most this many bytes to a FIFO are atomic. */
const PIPE_BUF = 4096;

/** The FIFO implementation for Deno. */
export function fifoDeno(): FifoIo {
  return { openReader, openWriter };
}

function openReader(path: string, onData: (chunk: Uint8Array) => void): Promise<FifoReader> {
  // Deno reads a FIFO only on a thread of its small blocking pool, and one blocked read per
  // FIFO per session exhausted it at 16 sessions (the host's own file reads then hung). The
  // blocking read happens in a `cat` relay instead, whose stdout is a pipe Deno reads
  // asynchronously. The relay holds a read-write descriptor, so it never sees end-of-file
  // while it lives; closing kills it.
  try {
    const fd = fs.openSync(path, fs.constants.O_RDWR);
    const relay = spawnPipeRelay(fd, onData);
    // Since the relay never sees end-of-file, a host that exits with the session open kills
    // it on the way out, or it would outlive the host.
    const unregister = onHostExit(() => relay.close());
    return Promise.resolve({
      close() {
        unregister();
        relay.close();
      },
    });
  } catch (e) {
    return Promise.reject(e);
  }
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
