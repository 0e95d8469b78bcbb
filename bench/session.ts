/**
 * Session benchmarks (issue: core engine), each reported against a floor measured in the
 * same run:
 *
 * - cold start: `SecureSession.create()` until ready, against bare
 *   `Rscript -e 'library(jsonlite)'` (start R, load jsonlite, exit); and a new session's
 *   first three executions together, against one warm execution;
 * - warm `1 + 1`: one `execute()` round trip, against the raw channel floor (an R loop
 *   echoing lines over the same kind of FIFO pair, no protocol, no values);
 * - tool call: the added cost of one tool call from R (a loop of 200 calls, minus the
 *   same loop without calls, divided by 200), against the same raw floor;
 * - with `--sandbox`: cold start under the sandbox backend against the unsandboxed cold
 *   start, plus warm and tool figures under the sandbox, and the containment cost per
 *   execution (R ending the processes an execution left behind): warm `1 + 1` in the
 *   sandbox against the same sandbox whose backend does not claim a pid namespace of its
 *   own (so R reaps nothing), the two sessions alternating.
 *
 * Run: `deno task bench` (all benches) or `deno run -A bench/session.ts [--quick] [--sandbox]`.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { securerTool, SecureSession } from "../mod.ts";
import { makeFifos, openFifoReader, openFifoWriter } from "../src/platform/fifo.ts";
import { makePrivateDir, removeDir } from "../src/platform/files.ts";
import { whichOnPath } from "../src/platform/process.ts";
import { type Backend, makeBubblewrap } from "../backends/mod.ts";

const { values: flags } = parseArgs({
  options: { quick: { type: "boolean" }, sandbox: { type: "boolean" } },
});
const N = flags.quick
  ? { cold: 5, warm: 300, raw: 1000, tool: 8 }
  : { cold: 15, warm: 2000, raw: 3000, tool: 25 };

/** Summary statistics of a sample, in milliseconds. */
export interface Stats {
  readonly p50: number;
  readonly p95: number;
  readonly n: number;
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: at(0.5), p95: at(0.95), n: s.length };
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: "ignore" });
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
    p.on("error", reject);
  });
}

async function bareR(): Promise<Stats> {
  const rscript = whichOnPath("Rscript");
  if (rscript === null) throw new Error("Rscript not found");
  const times: number[] = [];
  await run(rscript, ["-e", "library(jsonlite)"]);
  for (let i = 0; i < N.cold; i++) {
    const t = performance.now();
    await run(rscript, ["-e", "library(jsonlite)"]);
    times.push(performance.now() - t);
  }
  return stats(times);
}

/**
 * Cold starts, and the first three executions of each new session together (R compiled the
 * runtime's closures in them before the runtime came compiled: 70–170 ms, not ~3 ms).
 */
async function coldStart(options: { sandbox: boolean }): Promise<Stats & { first: Stats }> {
  const times: number[] = [];
  const first: number[] = [];
  await (await SecureSession.create(options)).close();
  for (let i = 0; i < N.cold; i++) {
    const t = performance.now();
    const s = await SecureSession.create(options);
    times.push(performance.now() - t);
    const u = performance.now();
    for (let k = 0; k < 3; k++) await s.execute("1 + 1");
    first.push(performance.now() - u);
    await s.close();
  }
  return { ...stats(times), first: stats(first) };
}

/** Round trip of one line through R over a FIFO pair: the channel's floor. */
async function rawChannel(): Promise<Stats> {
  const dir = await makePrivateDir("securer-bench-");
  try {
    const req = join(dir, "req");
    const res = join(dir, "res");
    await makeFifos([req, res]);
    const echo =
      `i <- fifo("${req}", "r", blocking = TRUE); o <- fifo("${res}", "w", blocking = TRUE)
      repeat { l <- readLines(i, n = 1L); if (!length(l)) break; writeLines(l, o) }`;
    let waiting: (() => void) | null = null;
    let buffered = "";
    const reader = await openFifoReader(res, (chunk) => {
      buffered += new TextDecoder().decode(chunk);
      while (buffered.includes("\n")) {
        buffered = buffered.slice(buffered.indexOf("\n") + 1);
        const w = waiting;
        waiting = null;
        w?.();
      }
    });
    const writer = await openFifoWriter(req);
    // R's temporary directory inside `dir`: R is killed at the end and cannot remove it.
    const r = spawn(whichOnPath("Rscript")!, ["--vanilla", "-e", echo], {
      stdio: "ignore",
      env: { ...process.env, TMPDIR: dir },
    });
    const once = () =>
      new Promise<void>((resolve) => {
        waiting = resolve;
        void writer.write('{"type":"execute","id":1,"code":"1 + 1"}\n');
      });
    for (let i = 0; i < 200; i++) await once();
    const times: number[] = [];
    for (let i = 0; i < N.raw; i++) {
      const t = performance.now();
      await once();
      times.push(performance.now() - t);
    }
    r.kill("SIGKILL");
    reader.close();
    writer.close();
    return stats(times);
  } finally {
    await removeDir(dir);
  }
}

async function warmAndTool(options: { sandbox: boolean }): Promise<{ warm: Stats; tool: Stats }> {
  const add = securerTool({
    name: "add",
    args: { a: "numeric", b: "numeric" },
    fn: ({ a, b }) => (a as number) + (b as number),
  });
  await using s = await SecureSession.create({ ...options, tools: [add] });
  for (let i = 0; i < 300; i++) await s.execute("1 + 1");
  const warm: number[] = [];
  for (let i = 0; i < N.warm; i++) {
    const t = performance.now();
    await s.execute("1 + 1");
    warm.push(performance.now() - t);
  }
  const calls = 200;
  const timeOf = async (code: string) => {
    const t = performance.now();
    await s.execute(code);
    return performance.now() - t;
  };
  await timeOf(`for (i in 1:${calls}) add(i, 1)`);
  const perCall: number[] = [];
  for (let i = 0; i < N.tool; i++) {
    const withCalls = await timeOf(`for (i in 1:${calls}) add(i, 1)`);
    const without = await timeOf(`for (i in 1:${calls}) i + 1`);
    perCall.push((withCalls - without) / calls);
  }
  return { warm: stats(warm), tool: stats(perCall) };
}

/** Warm `1 + 1` in the sandbox with and without the stray reaper, alternating. */
async function containment(): Promise<{ reaping: Stats; notReaping: Stats }> {
  const real = makeBubblewrap();
  const noReaper: Backend = {
    name: "bubblewrap-without-reaper",
    probe: async () => {
      const p = await real.probe();
      return p.ok ? { ok: true, capabilities: { ...p.capabilities, ownPidNamespace: false } } : p;
    },
    wrap: (command, policy) => real.wrap(command, policy),
  };
  await using a = await SecureSession.create({ sandbox: true, backend: real });
  await using b = await SecureSession.create({ sandbox: true, backend: noReaper });
  for (let i = 0; i < 300; i++) await Promise.all([a.execute("1 + 1"), b.execute("1 + 1")]);
  const [ta, tb]: number[][] = [[], []];
  for (let i = 0; i < N.warm; i++) {
    for (const [s, out] of [[a, ta], [b, tb]] as const) {
      const t = performance.now();
      await s.execute("1 + 1");
      out.push(performance.now() - t);
    }
  }
  return { reaping: stats(ta), notReaping: stats(tb) };
}

const ms = (x: number) => x.toFixed(3);
const row = (name: string, s: Stats, floor?: Stats, goal?: string) =>
  `| ${name} | ${ms(s.p50)} | ${ms(s.p95)} | ${s.n} | ${
    floor ? `${(s.p50 / floor.p50).toFixed(2)}×` : ""
  } | ${goal ?? ""} |`;

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
console.log(`# session bench (${runtime}, ${flags.quick ? "quick" : "full"} run)\n`);
const floorR = await bareR();
const floorChannel = await rawChannel();
const cold = await coldStart({ sandbox: false });
const { warm, tool } = await warmAndTool({ sandbox: false });
const lines = [
  "| measure | p50 ms | p95 ms | n | ratio to floor (p50) | goal |",
  "|---|---|---|---|---|---|",
  row("floor: bare `Rscript -e 'library(jsonlite)'`", floorR),
  row("floor: raw FIFO round trip through R", floorChannel),
  row("cold start, unsandboxed (create → ready)", cold, floorR, "≤ 1.2× bare R"),
  row("warm `1 + 1`, unsandboxed", warm, floorChannel, "p50 ≤ 1 ms"),
  row("a new session's first 3 executions, unsandboxed", cold.first, warm, "a few warm ones"),
  row("tool call round trip, unsandboxed", tool, floorChannel, "p50 ≤ 1 ms"),
];
if (flags.sandbox) {
  const coldSandbox = await coldStart({ sandbox: true });
  const sandboxed = await warmAndTool({ sandbox: true });
  lines.push(
    row("cold start, sandboxed", coldSandbox, cold, "≤ 1.15× unsandboxed cold start"),
    row("warm `1 + 1`, sandboxed", sandboxed.warm, warm, "unchanged within noise"),
    row("tool call round trip, sandboxed", sandboxed.tool, tool, "unchanged within noise"),
  );
  const c = await containment();
  lines.push(
    row("floor: warm `1 + 1`, sandboxed, no stray reaping", c.notReaping),
    row("warm `1 + 1`, sandboxed, strays reaped", c.reaping, c.notReaping, "≤ floor + 0.1 ms"),
  );
  console.log(
    `containment cost per execution: ${
      ((c.reaping.p50 - c.notReaping.p50) * 1000).toFixed(0)
    } µs (p50)`,
  );
}
console.log(lines.join("\n"));
