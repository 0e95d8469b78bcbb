/**
 * One long-lived R process that parses snippets with R's own `parse()`,
 * for the differential test and the bench.
 *
 * Protocol: one JSON object per line each way over stdin/stdout; snippet
 * text travels only inside JSON, never through argv or a shell. Requests:
 * - `{"op":"parse","codes":[...]}` → `{"results":[{"ok":true}|{"ok":false,"msg":"..."}]}`
 * - `{"op":"tree","codes":[...]}` → `{"results":[[...trees]|null]}`: R's parse tree
 *   of each top-level expression as nested JSON (`c` call, `s` name, `v`
 *   string, `k` other constant, `z` NULL, `m` empty argument, `f` function)
 * - `{"op":"bench","code":"...","reps":N}` → `{"ns":[...]}` (R-side time of each parse)
 * - `{"op":"ping"}` → `{"pong":true}` (round trip without work)
 *
 * @module
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";

const R_LOOP = String.raw`
suppressMessages(library(jsonlite))
con <- file("stdin", open = "r")
parse1 <- function(code) {
  tryCatch(
    withCallingHandlers({ parse(text = code, keep.source = FALSE); list(ok = TRUE) },
      warning = function(w) invokeRestart("muffleWarning")),
    error = function(e) {
      m <- iconv(conditionMessage(e), "UTF-8", "UTF-8", sub = "\uFFFD")
      list(ok = FALSE, msg = m)
    })
}
tree <- function(e) {
  if (is.call(e)) {
    fn <- e[[1L]]
    if (is.name(fn) && identical(as.character(fn), "function")) {
      fl <- e[[2L]]
      ps <- lapply(seq_along(fl), function(i) {
        d <- if (is.name(fl[[i]]) && !nzchar(as.character(fl[[i]]))) NULL else tree(fl[[i]])
        list(name = names(fl)[i], d = d)
      })
      return(list(f = ps, body = tree(e[[3L]])))
    }
    nms <- names(e)
    if (is.null(nms)) nms <- rep("", length(e))
    parts <- lapply(seq_along(e), function(i) {
      if (is.name(e[[i]]) && !nzchar(as.character(e[[i]]))) list(m = 1L) else tree(e[[i]])
    })
    return(list(c = parts, n = as.list(nms)))
  }
  if (is.name(e)) return(list(s = as.character(e)))
  if (is.null(e)) return(list(z = 1L))
  if (is.character(e) && is.na(e)) return(list(k = 1L))
  if (is.character(e)) return(if (validUTF8(e)) list(v = e) else list(b = 1L))
  if (is.numeric(e) || is.logical(e) || is.complex(e)) return(list(k = 1L))
  list(o = typeof(e))
}
tree1 <- function(code) {
  ex <- tryCatch(withCallingHandlers(parse(text = code, keep.source = FALSE),
    warning = function(w) invokeRestart("muffleWarning")), error = function(e) NULL)
  if (is.null(ex)) return(NULL)
  tryCatch(lapply(seq_along(ex), function(i) tree(ex[[i]])), error = function(e) NULL)
}
repeat {
  line <- readLines(con, n = 1L, encoding = "UTF-8")
  if (length(line) == 0L) break
  req <- fromJSON(line, simplifyVector = FALSE)
  res <- switch(req$op,
    parse = list(results = lapply(req$codes, parse1)),
    tree = list(results = lapply(req$codes, tree1)),
    bench = {
      code <- req$code
      ns <- numeric(req$reps)
      for (i in seq_len(req$reps)) {
        t0 <- Sys.time()
        parse(text = code, keep.source = FALSE)
        ns[i] <- as.numeric(Sys.time() - t0, units = "secs") * 1e9
      }
      list(ns = ns)
    },
    ping = list(pong = TRUE),
    list(error = "unknown op"))
  cat(toJSON(res, auto_unbox = TRUE, digits = NA), "\n", sep = "")
  flush(stdout())
}
`;

/** R's parse tree as the oracle encodes it. */
export type RTree =
  | { c: RTree[]; n: string[] }
  | { s: string }
  | { v: string }
  | { b: number }
  | { k: number }
  | { z: number }
  | { m: number }
  | { f: { name: string; d: RTree | null | Record<string, never> }[]; body: RTree }
  | { o: string };

/** R stopped while a request was pending. */
class RExitedError extends Error {}

/** Result of parsing one snippet in R. */
export type RParseOutcome = { readonly ok: true } | { readonly ok: false; readonly msg: string };

/** Environment for R: a UTF-8 locale, as the lexer's column counting assumes. */
function rEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8", R_LIBS_USER: "" };
}

/** Why R cannot be used, or null when `Rscript` runs and has jsonlite. */
export function rUnavailableReason(): string | null {
  const probe = spawnSync("Rscript", [
    "--vanilla",
    "-e",
    "cat(requireNamespace('jsonlite', quietly = TRUE))",
  ], {
    encoding: "utf8",
    env: rEnv(),
  });
  if (probe.error) return `Rscript not found (${probe.error.message})`;
  if (probe.status !== 0) return `Rscript failed: ${probe.stderr.trim()}`;
  if (probe.stdout.trim() !== "TRUE") return "the R package jsonlite is not installed";
  return null;
}

/** A running R process answering JSON requests one at a time. */
export class ROracle {
  private child!: ChildProcessWithoutNullStreams;
  private buffer = "";
  private waiting: ((line: string) => void) | null = null;
  private lines: string[] = [];
  private stderr = "";
  /** How many times R died during a request and was restarted. */
  restarts = 0;

  /** Starts `Rscript` with the reader loop. */
  constructor() {
    this.start();
  }

  private start(): void {
    this.buffer = "";
    this.lines = [];
    this.waiting = null;
    this.stderr = "";
    const child = spawn("Rscript", ["--vanilla", "-e", R_LOOP], { env: rEnv() });
    this.child = child;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      if (this.child !== child) return;
      this.buffer += d;
      let nl: number;
      while ((nl = this.buffer.indexOf("\n")) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const w = this.waiting;
        if (w) {
          this.waiting = null;
          w(line);
        } else this.lines.push(line);
      }
    });
    child.stdin.on("error", () => {}); // a dead R is reported by the exit handler
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      if (this.child === child) this.stderr = (this.stderr + d).slice(-4000);
    });
  }

  /**
   * Sends one request and waits for its one-line answer. If R dies meanwhile
   * (killed from outside, for instance), it is restarted once and the
   * request sent again; `restarts` counts this.
   */
  async request(req: unknown): Promise<Record<string, unknown>> {
    try {
      return await this.requestOnce(req);
    } catch (e) {
      if (!(e instanceof RExitedError)) throw e;
      this.restarts++;
      console.log(`[r_oracle] ${e.message}; restarting R and retrying once`);
      this.start();
      return await this.requestOnce(req);
    }
  }

  private requestOnce(req: unknown): Promise<Record<string, unknown>> {
    const child = this.child;
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) =>
        reject(new RExitedError(`R exited early (code ${code}, signal ${signal}): ${this.stderr}`));
      child.once("exit", onExit);
      const done = (line: string) => {
        child.off("exit", onExit);
        try {
          resolve(JSON.parse(line));
        } catch (e) {
          reject(new Error(`Cannot read R's answer "${line.slice(0, 200)}": ${e}`));
        }
      };
      const queued = this.lines.shift();
      if (queued !== undefined) done(queued);
      else this.waiting = done;
      child.stdin.write(JSON.stringify(req) + "\n");
    });
  }

  /** Parses each snippet in R, in one request. */
  async parseAll(codes: readonly string[]): Promise<RParseOutcome[]> {
    const res = await this.request({ op: "parse", codes });
    return res.results as RParseOutcome[];
  }

  /** R's parse trees (see the module doc), null where R cannot parse. */
  async trees(codes: readonly string[]): Promise<(RTree[] | null)[]> {
    const res = await this.request({ op: "tree", codes });
    // jsonlite writes R's NULL inside a list as {}.
    return (res.results as unknown[]).map((x) => (Array.isArray(x) ? x as RTree[] : null));
  }

  /** Closes R's stdin and waits for it to exit. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once("exit", () => resolve());
      this.child.stdin.end();
    });
  }
}
