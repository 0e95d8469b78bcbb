/**
 * Bench: `validateCode()` against R's own `parse()` on the same 49-line
 * snippet, in one run (issue goal: at least 20x faster than R's `parse()`
 * through a warm R process, p50 under 100 µs).
 *
 * The floor is the fastest reasonable round trip to an R that is already
 * running: R's stdin and stdout are a FIFO pair; TypeScript writes the
 * snippet as one line (newlines sent as U+0001, which the snippet does not
 * contain) and blocks in `readSync` until R answers one short line (`ok`,
 * or the error message). R's loop reads the line (buffered), turns U+0001
 * back into newlines (`gsub(fixed = TRUE)`), calls `parse(text =,
 * keep.source = FALSE)` inside `tryCatch` and writes the answer: no JSON,
 * no event loop, no thread pool. A blocking read is the like-for-like
 * comparison, since `validateCode()` is synchronous too.
 *
 * R's own parse time, measured inside R (`Sys.time()` around each
 * `parse()`), is shown as an informational column: it is the part of the
 * round trip no transport can remove.
 *
 * `validateCode()` parses the text from scratch on every call (it caches
 * nothing). The two sides are sampled in alternating rounds so that both
 * see the same machine load.
 *
 * Run: `node_modules/.bin/deno run -A bench/validate_code.ts`
 * (also `node_modules/.bin/bun bench/validate_code.ts`,
 * `node --import tsx bench/validate_code.ts`).
 *
 * @module
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { makeFifos } from "../src/platform/fifo.ts";
import { makePrivateDir, removeDir } from "../src/platform/files.ts";
import { whichOnPath } from "../src/platform/process.ts";
import { SecureSession } from "../src/facade/secure_session.ts";
import { validateCode } from "../src/validate/validate_code.ts";

const SNIPPET = `# Summarise sales by region and fit a simple model
library(stats)
sales <- data.frame(
  region = c("north", "south", "east", "west", "north", "south"),
  units = c(120L, 95L, 143L, 88L, 131L, 102L),
  price = c(9.99, 10.49, 9.79, 11.25, 9.89, 10.15),
  stringsAsFactors = FALSE
)
sales$revenue <- sales$units * sales$price

summarise_region <- function(df, region, digits = 2) {
  rows <- df[df$region == region, , drop = FALSE]
  if (nrow(rows) == 0L) {
    warning(sprintf("no rows for region '%s'", region))
    return(NULL)
  }
  list(
    region = region,
    units = sum(rows$units),
    revenue = round(sum(rows$revenue), digits),
    mean_price = round(mean(rows$price), digits)
  )
}

regions <- unique(sales$region)
summary_list <- lapply(regions, function(r) summarise_region(sales, r))
summary_df <- do.call(rbind, lapply(summary_list, as.data.frame))

top <- summary_df[order(-summary_df$revenue), ][1:2, ]
for (i in seq_len(nrow(top))) {
  msg <- paste0(top$region[i], ": ", format(top$revenue[i], nsmall = 2))
  if (top$revenue[i] > 1200) {
    message(msg, " (above target)")
  } else {
    message(msg)
  }
}

fit <- lm(revenue ~ units + price, data = sales)
coefs <- coef(summary(fit))
pred <- predict(fit, newdata = data.frame(units = 110L, price = 10))

result <- sales |>
  subset(units > 90) |>
  transform(share = revenue / sum(revenue)) |>
  within({ label <- sprintf("%s-%03d", region, units) })

stopifnot(is.numeric(pred), nrow(result) > 0)
invisible(list(summary = summary_df, model = coefs, prediction = pred))
`;

/** The same snippet with a syntax error near the end (a missing parenthesis on line 45). */
const BROKEN = SNIPPET.replace(
  "transform(share = revenue / sum(revenue)) |>",
  "transform(share = revenue / sum(revenue) |>",
);

const ROUNDS = 5;
const LOCAL = { warmup: 5000, perRound: 4000 };
const REMOTE = { warmup: 300, perRound: 600 };
const IN_R_REPS = 3000;

/** R's side of the round trip: one snippet per line in, one line out. */
const R_LOOP = String.raw`i <- file("stdin", open = "r"); o <- stdout()
writeLines("ready", o); flush(o)
repeat {
  l <- readLines(i, n = 1L, encoding = "UTF-8")
  if (!length(l)) break
  code <- gsub("", "
", l, fixed = TRUE)
  r <- tryCatch({ parse(text = code, keep.source = FALSE); "ok" },
    error = function(e) gsub("
", "", conditionMessage(e), fixed = TRUE))
  writeLines(r, o); flush(o)
}`;

/** R timing its own `parse()` of the code read from stdin, once per repetition. */
const R_TIMING = String.raw`code <- paste(readLines(file("stdin"), encoding = "UTF-8"), collapse = "
")
reps <- as.integer(commandArgs(TRUE)[1L])
ns <- numeric(reps)
for (k in seq_len(reps)) {
  t0 <- Sys.time()
  parse(text = code, keep.source = FALSE)
  ns[k] <- as.numeric(Sys.time() - t0, units = "secs") * 1e9
}
cat(ns)`;

interface Quantiles {
  readonly p50: number;
  readonly p95: number;
}

function quantiles(ns: readonly number[]): Quantiles {
  const s = [...ns].sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length * 0.5)], p95: s[Math.floor(s.length * 0.95)] };
}

const now = () => process.hrtime.bigint();

/** Appends `reps` timings of `validateCode(code)` to `out`. */
function sampleLocal(code: string, reps: number, out: number[]): void {
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    validateCode(code);
    out.push(Number(now() - t0));
  }
}

/** A warm R answering one snippet per line through a FIFO pair, read with blocking reads. */
class RRoundTrip {
  private readonly buf = new Uint8Array(1 << 16);
  private readonly decoder = new TextDecoder();

  private constructor(
    private readonly dir: string,
    private readonly reqFd: number,
    private readonly resFd: number,
    private readonly child: ReturnType<typeof spawn>,
  ) {}

  /** Starts R and waits (without blocking the event loop) for its first line. */
  static async start(rscript: string): Promise<RRoundTrip> {
    const dir = await makePrivateDir("securer-bench-");
    const req = join(dir, "req");
    const res = join(dir, "res");
    await makeFifos([req, res]);
    // Opened read-write so that opening never blocks; the host only writes `req`, reads `res`.
    const reqFd = fs.openSync(req, fs.constants.O_RDWR);
    const resFd = fs.openSync(res, fs.constants.O_RDWR);
    // R's temporary directory inside `dir`: R is killed at the end and cannot remove it.
    const env = { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8", TMPDIR: dir };
    const child = spawn(rscript, ["--vanilla", "-e", R_LOOP], {
      stdio: [reqFd, resFd, "inherit"],
      env,
    });
    const rt = new RRoundTrip(dir, reqFd, resFd, child);
    const probe = fs.openSync(res, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      for (let waited = 0; !rt.readyLine(probe); waited += 5) {
        if (child.exitCode !== null || waited > 20_000) {
          await rt.close();
          throw new Error(`Cannot start the R loop: R exited with ${child.exitCode}`);
        }
        await sleep(5);
      }
    } finally {
      fs.closeSync(probe);
    }
    return rt;
  }

  private readyLine(fd: number): boolean {
    try {
      return fs.readSync(fd, this.buf, 0, this.buf.length, null) > 0;
    } catch {
      return false; // EAGAIN: nothing yet
    }
  }

  /** Sends `code`, blocks until R's answer line, and returns it (`ok` or R's message). */
  parse(code: string): string {
    fs.writeSync(this.reqFd, code.replaceAll("\n", "\x01") + "\n");
    let n = 0;
    do n += fs.readSync(this.resFd, this.buf, n, this.buf.length - n, null); while (
      this.buf[n - 1] !== 10
    );
    return this.decoder.decode(this.buf.subarray(0, n - 1)).replaceAll("\x01", "\n");
  }

  /** Appends `reps` round-trip timings to `out`. */
  sample(code: string, reps: number, out: number[]): void {
    for (let i = 0; i < reps; i++) {
      const t0 = now();
      this.parse(code);
      out.push(Number(now() - t0));
    }
  }

  /** Stops R and removes the FIFOs. */
  async close(): Promise<void> {
    this.child.kill("SIGKILL");
    fs.closeSync(this.reqFd);
    fs.closeSync(this.resFd);
    await removeDir(this.dir);
  }
}

/**
 * R's own parse time for `code`, measured inside R. The host waits without
 * blocking (a synchronous wait may spin a core R needs on a small machine).
 */
function timeInR(rscript: string, code: string): Promise<Quantiles> {
  return new Promise((resolve, reject) => {
    const child = spawn(rscript, ["--vanilla", "-e", R_TIMING, String(IN_R_REPS)], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
    });
    let out = "";
    let err = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (status) => {
      if (status !== 0) reject(new Error(`Cannot time parse() inside R: ${err}`));
      else resolve(quantiles(out.trim().split(/\s+/).map(Number)));
    });
    child.stdin!.end(code);
  });
}

const runtime = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined"
  ? "Deno"
  : typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"
  ? "Bun"
  : `Node ${process.version}`;
const lineCount = SNIPPET.split("\n").length - 1;
console.log(
  `validateCode bench: ${lineCount}-line snippet, ${SNIPPET.length} characters, ${runtime}`,
);
if (SNIPPET.includes("\x01") || validateCode(SNIPPET).valid !== true) {
  throw new Error("Cannot bench: the snippet must be valid R without U+0001");
}
const brokenMessage = validateCode(BROKEN).error?.message ?? "";
console.log(`broken variant: ${brokenMessage.split("\n")[0]}`);

const local = { valid: [] as number[], broken: [] as number[] };
const remote = { valid: [] as number[], broken: [] as number[] };
const rscript = whichOnPath("Rscript");
const r = rscript === null ? null : await RRoundTrip.start(rscript);
try {
  if (r !== null && r.parse(BROKEN) !== brokenMessage) {
    throw new Error(`Cannot bench: R's message differs from ours:\n${r.parse(BROKEN)}`);
  }
  sampleLocal(SNIPPET, LOCAL.warmup, []);
  sampleLocal(BROKEN, LOCAL.warmup, []);
  r?.sample(SNIPPET, REMOTE.warmup, []);
  for (let round = 0; round < ROUNDS; round++) {
    sampleLocal(SNIPPET, LOCAL.perRound, local.valid);
    sampleLocal(BROKEN, LOCAL.perRound, local.broken);
    r?.sample(SNIPPET, REMOTE.perRound, remote.valid);
    r?.sample(BROKEN, REMOTE.perRound, remote.broken);
  }
} finally {
  await r?.close();
}
const inR = rscript === null ? null : await timeInR(rscript, SNIPPET);

/**
 * The product's own alternative: asking R itself through a warm session (what
 * `execute(code, { validate: false })` does with a syntax error), timed per call.
 */
async function sessionRoundTrip(code: string, reps: number): Promise<number[]> {
  const session = await SecureSession.create({ sandbox: false });
  try {
    const call = `invisible(parse(text = ${JSON.stringify(code)}, keep.source = FALSE))`;
    for (let i = 0; i < 100; i++) await session.execute(call, { validate: false });
    const out: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t = now();
      await session.execute(call, { validate: false });
      out.push(Number(now() - t));
    }
    return out;
  } finally {
    await session.close();
  }
}
const viaSession = rscript === null ? null : quantiles(await sessionRoundTrip(SNIPPET, 600));

const floor = { valid: quantiles(remote.valid), broken: quantiles(remote.broken) };
const us = (ns: number) => (ns / 1000).toFixed(1);
const ratio = (base: Quantiles | null, q: Quantiles) =>
  base === null ? "" : `${(base.p50 / q.p50).toFixed(1)}x`;
const rows: string[][] = [
  [
    "measure",
    "p50 (µs)",
    "p95 (µs)",
    "round trip p50 / p50",
    "session p50 / p50",
    "in-R p50 / p50",
  ],
];
const add = (
  name: string,
  q: Quantiles,
  trip: Quantiles | null,
  session: Quantiles | null,
  ownIn: Quantiles | null,
) => rows.push([name, us(q.p50), us(q.p95), ratio(trip, q), ratio(session, q), ratio(ownIn, q)]);
const withR = rscript !== null;
add("validateCode, valid", quantiles(local.valid), withR ? floor.valid : null, viaSession, inR);
add(
  "validateCode, syntax error",
  quantiles(local.broken),
  withR ? floor.broken : null,
  viaSession,
  inR,
);
if (withR) {
  add("R parse() round trip, valid (floor)", floor.valid, null, null, null);
  add("R parse() round trip, syntax error", floor.broken, null, null, null);
  add("R parse() through a warm securer session", viaSession!, null, null, null);
  add("R parse() inside R, valid", inR!, null, null, null);
} else console.log("R not measured: Rscript is not on PATH");

const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
const line = (r: string[]) =>
  `| ${r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join(" | ")} |`;
console.log("");
console.log(line(rows[0]));
console.log(
  `|${
    widths.map((w, c) => (c === 0 ? "-" : "") + "-".repeat(w + 1) + (c === 0 ? "" : ":")).join("|")
  }|`,
);
for (const r of rows.slice(1)) console.log(line(r));
console.log("");
console.log(
  "Floor: R's parse() through a warm R over a FIFO pair (blocking reads, one line each way).",
);
console.log(
  "Session: the same parse() sent through a warm SecureSession (the product's own way to ask R).",
);
console.log("In-R: parse() alone, timed inside R (informational).");
