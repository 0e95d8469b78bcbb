/**
 * Bun's FIFO reader and writer: `Bun.file(fd).stream()` and `.writer()` on a non-blocking
 * read-write descriptor poll the fd themselves (Bun's `fs.read` would park a thread of its
 * pool for as long as the FIFO stays empty).
 *
 * @module
 */
import * as fs from "node:fs";
import type { FifoIo, FifoReader, FifoWriter } from "./fifo.ts";
import type { BunLike } from "./runtime.ts";

/** The FIFO implementation for Bun, using the given `Bun` global. */
export function fifoBun(bun: BunLike): FifoIo {
  return {
    openReader: (path, onData) => new Promise((resolve) => resolve(openReader(bun, path, onData))),
    openWriter: (path) => openWriter(bun, path),
  };
}

function openReader(
  bun: BunLike,
  path: string,
  onData: (chunk: Uint8Array) => void,
): FifoReader {
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const reader = bun.file(fd).stream().getReader();
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

function openWriter(bun: BunLike, path: string): FifoWriter {
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const sink = bun.file(fd).writer();
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
