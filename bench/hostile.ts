/**
 * The host under hostile R (issue: hold the host steady): for each kind of hostile input a
 * child can send, the host's peak RSS growth and its longest event-loop stall while the
 * execution runs and settles. Not a test: it prints figures, one line per input.
 *
 * Run: `deno run -A bench/hostile.ts [--sandbox]` (also part of `deno task bench`).
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { securerTool, SecureSession } from "../mod.ts";

const { values: flags } = parseArgs({ options: { sandbox: { type: "boolean" } } });

const res = 'file.path(dirname(Sys.getenv("TMPDIR")), "res")';
const INPUTS: Record<string, string> = {
  "a 0-column data frame of 1e8 rows as the value":
    "structure(list(), class = 'data.frame', row.names = c(NA_integer_, -1e8L))",
  "a 1e8 x 0 matrix as a tool argument (unknown tool)":
    '.securer_call_tool("nope", list(m = matrix(numeric(0), nrow = 1e8, ncol = 0)))',
  "125 MiB of output": 'for (i in 1:2000) cat(strrep("x", 65535), "\\n")',
  "an unknown tool called 20 000 times (audit log)":
    'for (i in 1:20000) try(.securer_call_tool("nope", list(x = i)), silent = TRUE)',
  "an R error of 1 000 000 newlines": 'stop(strrep("\\n", 1e6))',
  "a garbage line on the channel":
    `con <- fifo(${res}, "w", blocking = TRUE); writeLines("{garbage", con); close(con); Sys.sleep(1)`,
};

function watch() {
  const base = process.memoryUsage().rss;
  let peak = base;
  let stall = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last - 5);
    last = now;
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  return () => {
    clearInterval(timer);
    return { rssMiB: (peak - base) / 2 ** 20, stallMs: stall };
  };
}

const logDir = mkdtempSync(join(tmpdir(), "securer-hostile-"));
process.once("exit", () => rmSync(logDir, { recursive: true, force: true }));
console.log(`# the host under hostile R (${flags.sandbox ? "bubblewrap" : "unsandboxed"})\n`);
console.log("| hostile input | outcome | host RSS growth (MiB) | longest stall (ms) |");
console.log("|---|---|---|---|");
for (const [what, code] of Object.entries(INPUTS)) {
  await using s = await SecureSession.create({
    sandbox: flags.sandbox ?? false,
    auditLog: join(logDir, "audit.jsonl"),
    sanitizeErrors: true,
    tools: [securerTool({ name: "noop", fn: () => null })],
  });
  (globalThis as { gc?: () => void }).gc?.();
  const stop = watch();
  let outcome: string;
  try {
    const r = await s.execute(code, { timeout: 120_000 });
    outcome = `value (omitted: ${r.valueOmitted}, ${r.output.length} lines kept)`;
  } catch (e) {
    outcome = (e as Error).name;
  }
  const { rssMiB, stallMs } = stop();
  console.log(`| ${what} | ${outcome} | ${rssMiB.toFixed(1)} | ${stallMs.toFixed(0)} |`);
}
