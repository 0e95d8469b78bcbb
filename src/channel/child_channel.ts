/**
 * A child's private channel (SPEC §9): the host's ends of the three FIFOs, the handshake,
 * and the parsing of everything R sends — scoped, closed when the scope closes.
 *
 * Every line on `res` is parsed and validated; the first invalid one marks the child broken
 * (a `Broken` event, or a failed start before the handshake) and nothing more is read from
 * it. R's stdout and stderr are the write end of the `out` FIFO, and R sinks its own output
 * and messages there too, so everything R and its subprocesses print arrives in one ordered
 * stream: lines go to the current output sink, and the end-of-execution marker R writes
 * after each execution becomes a `Marker` event. Output that arrives while no execution runs
 * is counted and dropped unread; past {@linkcode IDLE_OUTPUT_LIMIT} the child is broken.
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import { Deferred, Effect, type Scope } from "effect";
import { SessionStartError } from "../errors.ts";
import { openFifoReader, openFifoWriter } from "../platform/fifo.ts";
import { LineSplitter } from "./line_splitter.ts";
import {
  type ChildMessage,
  encodeHostMessage,
  type HostMessage,
  parseChildMessage,
  preview,
  type ProtocolViolation,
} from "./protocol.ts";
import type { ChildEvent } from "./start_child.ts";

const MAX_OUTPUT_LINE_BYTES = 65_536;
const DIAGNOSTIC_BYTES = 4_096;
/** Longer than any marker: a separator, the 32-character nonce, two ids, two separators. */
const MARKER_MAX_CHARS = 96;
/**
 * Output bytes R may write while no execution runs (leftover processes, where nothing kills
 * them): they are counted and dropped unread, and past this many the child is treated as
 * broken and replaced, so a flood stops costing the host's CPU.
 */
export const IDLE_OUTPUT_LIMIT = 1_048_576;

/** The hello message that completes the handshake. */
export type Hello = ChildMessage & { type: "hello" };

/** The host's side of one child's channel. */
export interface ChildChannel {
  /** Completed by the handshake, or failed by a violation before it. */
  readonly hello: Deferred.Deferred<Hello, SessionStartError>;
  /** Whether R has said hello with the right secret. */
  handshaken(): boolean;
  /** Marks the child broken (once): a failed start before the handshake, `Broken` after. */
  breakWith(reason: string): void;
  /** What R printed before the handshake (for start-up errors), at most 4 KiB. */
  diagnostics(): string;
  /** Sends a message; a failed write breaks the child. Nothing waits for it to drain. */
  send(message: HostMessage): Effect.Effect<void>;
  /** Routes output lines to `sink`, or drops them unread when `null`. */
  setOutput(sink: ((line: string) => void) | null): void;
}

function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Opens the channel in `dir` in the current scope; `emit` receives the child's events. */
export const openChannel = (
  options: { dir: string; secret: string; nonce: string; maxMessageBytes: number },
  emit: (event: ChildEvent) => void,
): Effect.Effect<ChildChannel, SessionStartError, Scope.Scope> =>
  Effect.gen(function* () {
    const { dir, secret, nonce, maxMessageBytes } = options;
    const hello = yield* Deferred.make<Hello, SessionStartError>();
    let handshaken = false;
    let broken = false;
    let output: ((line: string) => void) | null = null;
    let diagnostics = "";
    let idleBytes = 0;
    // `<id>` ends an execution's output; `<id>.<call>` comes before its tool call.
    const markerRe = new RegExp(`\x1e${nonce}:(\\d+)(?:\\.(\\d+))?\x1e$`);
    // A tool call is handed on only once the output R wrote before it has been (its marker
    // arrived on `out`), so `onOutput` hears of that output before `onToolCall` hears of the
    // call: the two FIFOs are read independently.
    let heldCall: Extract<ChildMessage, { type: "tool_call" }> | null = null;
    let markedCall = "";
    const callKey = (m: { id: number; call: number }) => `${m.id}.${m.call}`;
    // The unfinished line a tool call's marker cut: the next line continues it.
    let carry = "";
    // The end of a cut piece that may be the start of a marker.
    let straddling = "";

    const breakWith = (reason: string) => {
      if (broken) return;
      broken = true;
      if (!handshaken) {
        Deferred.doneUnsafe(
          hello,
          Effect.fail(new SessionStartError(`R broke the protocol during start-up: ${reason}`)),
        );
      } else emit({ _tag: "Broken", reason });
    };
    const onProtocolLine = (line: string) => {
      if (broken) return;
      let message: ChildMessage;
      try {
        message = parseChildMessage(line);
      } catch (e) {
        return breakWith((e as ProtocolViolation).message);
      }
      if (!handshaken) {
        if (message.type !== "hello" || !sameSecret(message.secret, secret)) {
          return breakWith(`the handshake failed: ${preview(line)}`);
        }
        handshaken = true;
        Deferred.doneUnsafe(hello, Effect.succeed(message));
        return;
      }
      if (message.type === "hello") return breakWith("a second hello");
      if (heldCall !== null) {
        // R sent more after an unmarked call, which R's runtime never does: both go on at
        // once, in the order of `res`, for the execution to judge.
        emit({ _tag: "Message", message: heldCall });
        heldCall = null;
      } else if (message.type === "tool_call" && markedCall !== callKey(message)) {
        heldCall = message;
        return;
      }
      emit({ _tag: "Message", message });
    };
    const protocol = new LineSplitter({
      maxLineBytes: maxMessageBytes,
      mode: "reject",
      onLine: onProtocolLine,
      onOverflow: (n) =>
        breakWith(`message too large (at least ${n} bytes, max ${maxMessageBytes})`),
    });
    const outputLines = new LineSplitter({
      maxLineBytes: MAX_OUTPUT_LINE_BYTES,
      mode: "split",
      onLine: (piece, complete) => {
        if (!handshaken && diagnostics.length < DIAGNOSTIC_BYTES) diagnostics += `${piece}\n`;
        let line = piece;
        if (straddling !== "") [line, straddling] = [straddling + piece, ""];
        if (!complete) {
          // A piece cut from a long line: a marker may begin near its end and end in the
          // next piece, so what follows a record separator there waits for that piece.
          const k = line.indexOf("\x1e", line.length - MARKER_MAX_CHARS);
          if (k !== -1) [line, straddling] = [line.slice(0, k), line.slice(k)];
          if (line !== "") output?.(carry + line);
          carry = "";
          return;
        }
        const m = line.endsWith("\x1e") ? markerRe.exec(line) : null;
        let text = m ? line.slice(0, m.index) : line;
        if (carry !== "") [text, carry] = [carry + text, ""];
        if (m?.[2] !== undefined) {
          if (text.length < MAX_OUTPUT_LINE_BYTES) carry = text;
          else output?.(text);
          const key = `${m[1]}.${m[2]}`;
          if (heldCall !== null && callKey(heldCall) === key) {
            emit({ _tag: "Message", message: heldCall });
            heldCall = null;
          } else markedCall = key;
          return;
        }
        if (m === null || text !== "") output?.(text);
        if (m !== null) emit({ _tag: "Marker", id: Number(m[1]) });
      },
    });

    const openReader = (name: string, onData: (chunk: Uint8Array) => void) =>
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => openFifoReader(join(dir, name), onData),
          catch: (e) => new SessionStartError(`Cannot open the ${name} FIFO: ${e}`),
        }),
        (r) => Effect.sync(() => r.close()),
      );
    yield* openReader("res", (c) => protocol.push(c));
    yield* openReader("out", (c) => {
      if (output !== null || !handshaken) return outputLines.push(c);
      // No execution runs: nothing of this is anyone's output. Count it, never split it.
      idleBytes += c.length;
      if (idleBytes > IDLE_OUTPUT_LIMIT) {
        breakWith(`R wrote ${idleBytes} bytes of output while no execution was running`);
      }
    });
    const writer = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => openFifoWriter(join(dir, "req")),
        catch: (e) => new SessionStartError(`Cannot open the req FIFO: ${e}`),
      }),
      (w) => Effect.sync(() => w.close()),
    );

    return {
      hello,
      handshaken: () => handshaken,
      breakWith,
      diagnostics: () => diagnostics,
      // Writes are queued in order by the writer; nothing waits for them to drain.
      send: (message) =>
        Effect.sync(() => {
          writer.write(encodeHostMessage(message)).catch((e) =>
            breakWith(`cannot write to R: ${e}`)
          );
        }),
      setOutput: (sink) => {
        if (sink !== null && output === null) {
          // A new execution: what was left of the idle stream is not its output.
          outputLines.reset();
          idleBytes = 0;
          carry = "";
          straddling = "";
        }
        output = sink;
      },
    } satisfies ChildChannel;
  });
