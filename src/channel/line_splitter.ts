/**
 * Splitting byte streams into lines with a bound on line length (pure).
 *
 * @module
 */

const NEWLINE = 10;

/**
 * Splits a byte stream into UTF-8 lines (without their `\n`). A line longer than
 * `maxLineBytes` is either cut into pieces of at most that size (`"split"`, at a UTF-8
 * character boundary) or reported through `onOverflow` (`"reject"`), after which the
 * splitter ignores all further input.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #mode: "split" | "reject";
  readonly #onLine: (line: string, complete: boolean) => void;
  readonly #onOverflow: (bytes: number) => void;
  readonly #decoder = new TextDecoder("utf-8");
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #dead = false;

  constructor(options: {
    maxLineBytes: number;
    mode: "split" | "reject";
    /** Receives each line; `complete` is false for a piece cut from a longer line. */
    onLine: (line: string, complete: boolean) => void;
    onOverflow?: (bytes: number) => void;
  }) {
    this.#maxLineBytes = options.maxLineBytes;
    this.#mode = options.mode;
    this.#onLine = options.onLine;
    this.#onOverflow = options.onOverflow ?? (() => undefined);
  }

  /** Feeds a chunk; calls `onLine` for every line it completes. */
  push(chunk: Uint8Array): void {
    let start = 0;
    while (!this.#dead && start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      if (this.#pendingBytes + (end - start) > this.#maxLineBytes) {
        if (this.#mode === "reject") {
          this.#dead = true;
          this.#onOverflow(this.#pendingBytes + (end - start));
          return;
        }
        start = this.#emitSlice(chunk, start, end);
        continue;
      }
      if (nl === -1) {
        this.#pending.push(chunk.subarray(start));
        this.#pendingBytes += chunk.length - start;
        return;
      }
      this.#emit(chunk.subarray(start, nl), true);
      start = nl + 1;
    }
  }

  /** Drops a partial line held from earlier chunks, as if nothing had been pushed. */
  reset(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Emits what is left without a trailing newline, if anything. */
  flush(): void {
    if (!this.#dead && this.#pendingBytes > 0) this.#emit(new Uint8Array(0), false);
  }

  /** Emits a full-size piece of an over-long line; returns where the rest starts. */
  #emitSlice(chunk: Uint8Array, start: number, end: number): number {
    let cut = start + (this.#maxLineBytes - this.#pendingBytes);
    // Back off to a UTF-8 character boundary (continuation bytes are 10xxxxxx).
    while (cut > start && cut < end && (chunk[cut] & 0xc0) === 0x80) cut--;
    if (cut === start && this.#pendingBytes === 0) cut = Math.min(end, start + this.#maxLineBytes);
    this.#emit(chunk.subarray(start, cut), false);
    return cut;
  }

  #emit(tail: Uint8Array, complete: boolean): void {
    let bytes = tail;
    if (this.#pending.length > 0) {
      bytes = new Uint8Array(this.#pendingBytes + tail.length);
      let off = 0;
      for (const p of this.#pending) {
        bytes.set(p, off);
        off += p.length;
      }
      bytes.set(tail, off);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    this.#onLine(this.#decoder.decode(bytes), complete);
  }
}
