/**
 * Node's FIFO reader and writer: the fd is opened `O_RDWR | O_NONBLOCK` and wrapped in a
 * `net.Socket`, which libuv polls (a plain `fs.read` would park one of libuv's 4 pool
 * threads per session for as long as the FIFO stays empty).
 *
 * @module
 */
import * as fs from "node:fs";
import * as net from "node:net";
import type { FifoIo, FifoReader, FifoWriter } from "./fifo.ts";

/** The FIFO implementation for Node. */
export function fifoNode(): FifoIo {
  return {
    openReader: (path, onData) => new Promise((resolve) => resolve(openReader(path, onData))),
    openWriter,
  };
}

function openReader(path: string, onData: (chunk: Uint8Array) => void): FifoReader {
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const socket = new net.Socket({ fd, readable: true, writable: false });
  socket.on("data", (d: Uint8Array) => onData(d));
  socket.on("error", () => undefined);
  socket.unref(); // An idle session does not keep the host alive (keep_alive.ts).
  return { close: () => socket.destroy() };
}

function openWriter(path: string): FifoWriter {
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const socket = new net.Socket({ fd, readable: false, writable: true });
  socket.on("error", () => undefined);
  socket.unref();
  return {
    write: (text) =>
      new Promise((resolve, reject) => socket.write(text, (e) => (e ? reject(e) : resolve()))),
    close: () => socket.destroy(),
  };
}
