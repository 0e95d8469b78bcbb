/**
 * A minimal R runtime, the pool bench's measure of what this machine allows: the least any
 * session must do per execution, and nothing more. R reads a JSON request from a FIFO,
 * parses and evaluates its code in a `tryCatch`, formats the value, ends the output with a
 * line on a second FIFO and writes a one-line reply on a third — the shape of a real
 * session's round trip (`src/channel/`), without its protocol checks, values, limits,
 * capture or containment. R runs under the same scheduling policy as a session's
 * (`sched_batch.ts`), and the host reads the FIFOs through the same readers.
 *
 * Driven one process sequentially and four at concurrency 4, it gives the throughput ratio
 * this machine's cores and caches allow an R runtime that does no more than that, whatever
 * a pool does.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { makeFifos, openFifoReader, openFifoWriter } from "../src/platform/fifo.ts";
import { makePrivateDir, removeDir } from "../src/platform/files.ts";
import { whichOnPath } from "../src/platform/process.ts";
import { schedBatchPrefix } from "../src/platform/sched_batch.ts";

/** One minimal R process. */
export interface MinimalR {
  /** One round trip: sends `code`, resolves once the reply and the end of output arrived. */
  execute(code: string): Promise<void>;
  close(): Promise<void>;
}

// A request is one line, read whole (the host sends one at a time, far below PIPE_BUF).
const LOOP = String.raw`
dir <- commandArgs(trailingOnly = TRUE)[[1L]]
req <- fifo(file.path(dir, "req"), "rb", blocking = TRUE)
res <- fifo(file.path(dir, "res"), "wb", blocking = TRUE)
out <- fifo(file.path(dir, "out"), "w", blocking = TRUE)
sink(out)
sink(out, type = "message")
repeat {
  chunk <- readBin(req, "raw", 65536L)
  if (!length(chunk)) break
  msg <- jsonlite::parse_json(rawToChar(chunk[-length(chunk)]), simplifyVector = FALSE)
  reply <- tryCatch(withCallingHandlers({
    r <- withVisible(eval(parse(text = msg[["code"]], keep.source = FALSE)[[1L]], globalenv()))
    paste0("{\"id\":", msg[["id"]], ",\"text\":\"[1] ", format(r[["value"]]), "\"}")
  }, warning = function(w) invokeRestart("muffleWarning")), error = function(e) "{\"error\":true}")
  cat("end\n", file = out)
  writeBin(charToRaw(paste0(reply, "\n")), res)
}
`;

/** Starts one minimal R process, ready once it answered a first request. */
export async function startMinimalR(): Promise<MinimalR> {
  const rscript = whichOnPath("Rscript");
  if (rscript === null) throw new Error("Rscript not found");
  const dir = await makePrivateDir("securer-bench-");
  await makeFifos(["req", "res", "out"].map((f) => join(dir, f)));
  let replies = 0;
  let ends = 0;
  let waiting: (() => void) | null = null;
  const settle = () => {
    if (waiting !== null && replies > 0 && ends > 0) {
      replies--;
      ends--;
      const w = waiting;
      waiting = null;
      w();
    }
  };
  const newlines = (chunk: Uint8Array) => chunk.reduce((n, b) => n + (b === 10 ? 1 : 0), 0);
  const res = await openFifoReader(join(dir, "res"), (c) => {
    replies += newlines(c);
    settle();
  });
  const out = await openFifoReader(join(dir, "out"), (c) => {
    ends += newlines(c);
    settle();
  });
  const req = await openFifoWriter(join(dir, "req"));
  const prefix = await schedBatchPrefix();
  const argv = [...prefix, rscript, "--vanilla", "-e", LOOP, dir];
  // R's temporary directory inside `dir`: R is killed at the end and cannot remove it.
  const env = { ...process.env, TMPDIR: dir };
  const child = spawn(argv[0], argv.slice(1), { stdio: "ignore", env });
  let id = 0;
  const execute = (code: string) =>
    new Promise<void>((resolve) => {
      waiting = resolve;
      void req.write(`${JSON.stringify({ type: "execute", id: ++id, code })}\n`);
    });
  await execute("1 + 1");
  return {
    execute,
    async close() {
      child.kill("SIGKILL");
      res.close();
      out.close();
      req.close();
      await removeDir(dir);
    },
  };
}
