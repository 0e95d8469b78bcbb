/**
 * Plot and file capture benchmarks (issue 12), each against a floor measured in the same
 * run, in the same process, with the two sessions' executions interleaved:
 *
 * - an execution that draws nothing: warm `1 + 1` with capture on (the default) against
 *   the same with `plots: false, files: false` — the goal is at most 0.05 ms more; and,
 *   since two processes on a loaded machine differ by more than that, the same step timed
 *   inside R: the runtime's end-of-execution capture step (`capture_flush`, reached through
 *   the runtime's environment) run in a loop, in each session;
 * - an execution that draws: a 1000-point scatter plot returned as a PNG, against the
 *   same `1 + 1` floor; and the size of that PNG (and of the SVG).
 *
 * With `--sandbox`, the same under the sandbox backend.
 *
 * Run: `deno task bench` (all benches) or `deno run -A bench/plots.ts [--quick] [--sandbox]`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { SecureSession } from "../mod.ts";

const { values: flags } = parseArgs({
  options: { quick: { type: "boolean" }, sandbox: { type: "boolean" } },
});
const N = flags.quick ? { warm: 400, plot: 10 } : { warm: 3000, plot: 40 };
const SCATTER = "set.seed(1); plot(rnorm(1000), rnorm(1000), main = 'scatter')";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time(s: SecureSession, code: string): Promise<number> {
  const t = performance.now();
  await s.execute(code);
  return performance.now() - t;
}

/** R: µs per call of the runtime's end-of-execution capture step (median of 5 loops). */
const FLUSH_US = `local({
  f <- environment(.securer_call_tool)$capture_flush
  n <- ${flags.quick ? 2000 : 20000}L
  us <- vapply(1:5, function(k) {
    t <- proc.time()[["elapsed"]]
    for (i in seq_len(n)) f(0L)
    (proc.time()[["elapsed"]] - t) / n * 1e6
  }, 0)
  median(us)
})`;

async function measure(sandbox: boolean) {
  await using floor = await SecureSession.create({ sandbox, plots: false, files: false });
  await using capture = await SecureSession.create({ sandbox });
  for (let i = 0; i < 300; i++) {
    await floor.execute("1 + 1");
    await capture.execute("1 + 1");
  }
  const off: number[] = [];
  const on: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < N.warm; i++) {
    // Alternate which goes first, so neither always follows the other.
    let a: number, b: number;
    if (i % 2 === 0) {
      a = await time(floor, "1 + 1");
      b = await time(capture, "1 + 1");
    } else {
      b = await time(capture, "1 + 1");
      a = await time(floor, "1 + 1");
    }
    off.push(a);
    on.push(b);
    diff.push(b - a);
  }
  const flushOff = (await floor.execute(FLUSH_US)).value as number;
  const flushOn = (await capture.execute(FLUSH_US)).value as number;
  await capture.execute(SCATTER);
  const plot: number[] = [];
  for (let i = 0; i < N.plot; i++) plot.push(await time(capture, SCATTER));
  const png = (await capture.execute(SCATTER)).images[0];
  const svg = (await capture.execute(SCATTER, { plots: { format: "svg" } })).images[0];
  return {
    off: median(off),
    on: median(on),
    diff: median(diff),
    flushOff,
    flushOn,
    plot: median(plot),
    png: png.data.length,
    svg: svg.data.length,
  };
}

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
console.log(`# plots bench (${runtime}, ${flags.quick ? "quick" : "full"} run)\n`);
const rows: string[] = [
  "| backend | `1 + 1`, capture off (floor) | `1 + 1`, capture on | added (median of paired differences) | ratio | capture step in R, off / on | scatter plot execution | scatter PNG | scatter SVG |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
];
for (const sandbox of flags.sandbox ? [false, true] : [false]) {
  const m = await measure(sandbox);
  rows.push(
    `| ${sandbox ? "sandbox" : "unsandboxed"} | ${m.off.toFixed(3)} ms | ${m.on.toFixed(3)} ms | ${
      (m.diff * 1000).toFixed(1)
    } µs | ${(m.on / m.off).toFixed(3)}× | ${m.flushOff.toFixed(1)} / ${
      m.flushOn.toFixed(1)
    } µs | ${m.plot.toFixed(1)} ms (${(m.plot / m.off).toFixed(0)}× the floor) | ${
      (m.png / 1024).toFixed(1)
    } KiB | ${(m.svg / 1024).toFixed(1)} KiB |`,
  );
}
console.log(rows.join("\n"));
