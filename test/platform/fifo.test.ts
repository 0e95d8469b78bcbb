/**
 * The FIFO conformance suite: the same tests run against the FIFO implementation of the
 * runtime they run on (Deno, Bun and Node through scripts/test.mjs). The peer at the other
 * end of each FIFO is independent of the implementation under test: `node:fs` writes on
 * a non-blocking descriptor, or a `cat` child process reading or writing the FIFO.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fifoIo, type FifoReader, makeFifos } from "../../src/platform/fifo.ts";
import { detectRuntime } from "../../src/platform/runtime.ts";
import { eventually, sleep } from "../_helpers.ts";

const runtime = detectRuntime();
const io = fifoIo(runtime);
const windows = process.platform === "win32" ? "Windows has no FIFOs" : false;
/** A bound that only catches a hang. */
const HANG = 20_000;
const MiB = 1024 * 1024;

/** Everything a reader received, as bytes and as text. */
function collector() {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  return {
    onData: (c: Uint8Array) => {
      chunks.push(c.slice());
      bytes += c.length;
    },
    bytes: () => bytes,
    text: () => new TextDecoder().decode(Buffer.concat(chunks)),
  };
}

/** Writes `data` into the FIFO through the peer's own non-blocking descriptor. */
function peerWrite(path: string, text: string): void {
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  try {
    assert.equal(fs.writeSync(fd, text), Buffer.byteLength(text));
  } finally {
    fs.closeSync(fd);
  }
}

/** A `cat` child reading the FIFO; `text()` is what it has read so far. */
function peerReader(path: string) {
  const child = spawn("cat", [path], { stdio: ["ignore", "pipe", "ignore"] });
  const chunks: Buffer[] = [];
  let bytes = 0;
  child.stdout.on("data", (d: Buffer) => {
    chunks.push(d);
    bytes += d.length;
  });
  return {
    bytes: () => bytes,
    text: () => Buffer.concat(chunks).toString("utf8"),
    stop: () => child.kill("SIGKILL"),
  };
}

/** A `cat` child copying what the test gives its stdin into the FIFO. */
function peerWriter(path: string) {
  const fd = fs.openSync(path, fs.constants.O_WRONLY);
  try {
    const child = spawn("cat", [], { stdio: ["pipe", fd, "ignore"] });
    const exited = new Promise((r) => child.once("exit", r));
    return {
      end: async (data: Uint8Array) => {
        child.stdin!.end(data);
        await exited;
      },
    };
  } finally {
    fs.closeSync(fd);
  }
}

describe(`FIFOs on ${runtime}`, { skip: windows }, () => {
  let dir = "";
  before(() => {
    dir = fs.mkdtempSync(join(tmpdir(), "securer-fifo-test-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  /** New FIFOs in the suite's directory. */
  const fifos = async (count = 1): Promise<string[]> => {
    const paths = Array.from({ length: count }, () => join(dir, `f${n++}`));
    await makeFifos(paths);
    return paths;
  };
  const numbered = (count: number) =>
    Array.from({ length: count }, (_, i) => `line ${i}\n`).join("");

  it(`${runtime}: makeFifos creates FIFOs readable and writable only by their owner`, async () => {
    const [path] = await fifos();
    const st = fs.statSync(path);
    assert.ok(st.isFIFO());
    assert.equal(st.mode & 0o777, 0o600);
  });

  it(`${runtime}: the reader delivers many writes in order`, { timeout: HANG }, async () => {
    const [path] = await fifos();
    const got = collector();
    const reader = await io.openReader(path, got.onData);
    const expected = numbered(2000);
    for (const line of expected.split(/(?<=\n)/)) peerWrite(path, line);
    assert.ok(await eventually(() => got.bytes() >= expected.length, HANG), "all bytes arrived");
    reader.close();
    assert.equal(got.text(), expected);
  });

  it(`${runtime}: the writer delivers many writes in order`, { timeout: HANG }, async () => {
    const [path] = await fifos();
    const writer = io.openWriter(path);
    const peer = peerReader(path);
    const expected = numbered(2000);
    try {
      await Promise.all(expected.split(/(?<=\n)/).map((line) => writer.write(line)));
      assert.ok(await eventually(() => peer.bytes() >= expected.length, HANG), "all bytes arrived");
      assert.equal(peer.text(), expected);
    } finally {
      peer.stop();
      writer.close();
    }
  });

  it(`${runtime}: a 1 MiB write reaches a reader that drains it`, { timeout: HANG }, async () => {
    const [path] = await fifos();
    const writer = io.openWriter(path);
    const peer = peerReader(path);
    const expected = "0123456789abcdef".repeat(MiB / 16);
    try {
      await writer.write(expected);
      assert.ok(await eventually(() => peer.bytes() >= MiB, HANG), "all bytes arrived");
      assert.equal(peer.text(), expected);
    } finally {
      peer.stop();
      writer.close();
    }
  });

  it(`${runtime}: the reader drains a 1 MiB write`, { timeout: HANG }, async () => {
    const [path] = await fifos();
    const got = collector();
    const reader = await io.openReader(path, got.onData);
    const expected = Buffer.from("fedcba9876543210".repeat(MiB / 16));
    try {
      await peerWriter(path).end(expected);
      assert.ok(await eventually(() => got.bytes() >= MiB, HANG), "all bytes arrived");
      assert.equal(got.text(), expected.toString());
    } finally {
      reader.close();
    }
  });

  it(`${runtime}: close() stops delivery and can be called twice`, { timeout: HANG }, async () => {
    const [path] = await fifos();
    const got = collector();
    const reader = await io.openReader(path, got.onData);
    peerWrite(path, "before\n");
    assert.ok(await eventually(() => got.bytes() >= 7, HANG), "the first write arrived");
    reader.close();
    reader.close();
    peerWrite(path, "after\n");
    await sleep(200);
    assert.equal(got.text(), "before\n");
  });

  it(
    `${runtime}: closing 40 readers blocked on empty FIFOs leaks nothing; one more still reads`,
    { timeout: 2 * HANG },
    async () => {
      const paths = await fifos(41);
      const got: string[] = [];
      for (const path of paths.slice(0, 40)) {
        const reader = await io.openReader(path, (c) => got.push(new TextDecoder().decode(c)));
        await sleep(5); // Let its read block.
        reader.close();
      }
      const last = collector();
      const reader: FifoReader = await io.openReader(paths[40], last.onData);
      try {
        peerWrite(paths[40], "still works\n");
        assert.ok(await eventually(() => last.bytes() >= 12, HANG), "the 41st reader reads");
        assert.equal(last.text(), "still works\n");
        assert.deepEqual(got, [], "closed readers delivered nothing");
      } finally {
        reader.close();
      }
    },
  );

  it(
    `${runtime}: closing a writer with writes queued does not throw`,
    { timeout: HANG },
    async () => {
      const [path] = await fifos();
      const writer = io.openWriter(path);
      // Nobody reads: 4 MiB cannot fit in the FIFO, so the writes stay queued.
      const pending = [1, 2, 3, 4].map(() => writer.write("x".repeat(MiB)).catch(() => undefined));
      assert.doesNotThrow(() => writer.close());
      assert.doesNotThrow(() => writer.close());
      const settled = await Promise.race([
        Promise.all(pending).then(() => true),
        sleep(HANG / 2).then(() => false),
      ]);
      assert.ok(settled, "every queued write settled after close()");
    },
  );

  it(`${runtime}: two readers on two FIFOs do not interfere`, { timeout: HANG }, async () => {
    const [a, b] = await fifos(2);
    const gotA = collector();
    const gotB = collector();
    const readerA = await io.openReader(a, gotA.onData);
    const readerB = await io.openReader(b, gotB.onData);
    try {
      for (let i = 0; i < 500; i++) {
        peerWrite(a, `a${i}\n`);
        peerWrite(b, `b${i}\n`);
      }
      const expect = (p: string) => Array.from({ length: 500 }, (_, i) => `${p}${i}\n`).join("");
      assert.ok(
        await eventually(
          () => gotA.bytes() >= expect("a").length && gotB.bytes() >= expect("b").length,
          HANG,
        ),
        "both streams arrived",
      );
      assert.equal(gotA.text(), expect("a"));
      assert.equal(gotB.text(), expect("b"));
    } finally {
      readerA.close();
      readerB.close();
    }
  });
});
