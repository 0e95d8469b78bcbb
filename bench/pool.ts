/**
 * Pool benchmarks (issue 9), against a floor measured in the same run: one bare
 * `SecureSession`'s sequential `execute()` round trip.
 *
 * - throughput and p50/p95/p99 latency of `1 + 1` and of a snippet making three tool calls,
 *   at concurrency 1, 2, 4, 8 for pool sizes 1, 2, 4 (unsandboxed, so the figures are the
 *   pool's and R's, not the sandbox's), each point alternated in rounds with its floor;
 * - pool overhead per execute: a size-1 pool against a bare session — the pool's own
 *   session, so only the pool differs — measured alternately (`pool_overhead.ts`);
 * - the targets at size 4, concurrency 4, each beside its floor, measured alternately in
 *   rounds (a single measurement drifted with the machine's speed by up to half): the
 *   throughput against a bare session driven sequentially, with the CPU time each execution
 *   costs — the host's and that of the processes below it (`cpu_account.ts`) — and the
 *   ceiling that cost puts on any pool on this machine's cores; the tail against four bare
 *   sessions driven by four workers, so the machine's load (four R processes on this host)
 *   falls on both alike;
 * - what this machine allows a minimal R runtime, in the same rounds
 *   (`minimal_r.ts`, no protocol checks, values, limits or capture), one process driven
 *   sequentially against four at concurrency 4; and, for it and for bare sessions, four
 *   processes driven sequentially in turn, which shows what an execution costs once other
 *   R processes ran on the cores since its process's last turn;
 * - the cost of each `resetBetweenUses` mode per execution, at concurrency 1 with a size-2
 *   pool; for `"process"`, whether the caller waited for a cold start (a latency near a
 *   cold start) while a spare was ready.
 *
 * Targets (issue 9): size 4 at concurrency 4 delivers ≥ 1.7× the bare session's
 * throughput for `1 + 1`; its p99 ≤ 5 ms; overhead p50 ≤ 50 µs; `"process"` costs no cold
 * start while a spare is ready.
 *
 * Run: `deno task bench` (all benches) or `deno run -A bench/pool.ts [--quick]`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type ResetMode, securerTool, SecureSession, SecureSessionPool } from "../mod.ts";
import { availableParallelism } from "node:os";
import { cpuPerExecution, type CpuReading, readCpu } from "./cpu_account.ts";
import { startMinimalR } from "./minimal_r.ts";
import { measureOverhead, micros } from "./pool_overhead.ts";

const { values: flags } = parseArgs({ options: { quick: { type: "boolean" } } });
const N = flags.quick ? 300 : 2000;
const WARM_UP = flags.quick ? 100 : 400;

const add = securerTool({
  name: "add",
  args: { a: "numeric", b: "numeric" },
  fn: ({ a, b }) => (a as number) + (b as number),
});
const TOOLS_CODE = "add(add(1, 2), add(3, 4))";

interface Figures {
  readonly perSec: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** A measurement: its figures, each call's latency in ms, and the CPU it cost. */
interface Measured extends Figures {
  readonly times: readonly number[];
  /** CPU microseconds per execution, of the host and of the processes below it. */
  readonly cpu: CpuReading;
}

function figures(times: readonly number[], wallMs: number): Figures {
  const s = [...times].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { perSec: (times.length / wallMs) * 1000, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** Runs `n` calls of `run` by `concurrency` workers (numbered from 0), timing each one. */
async function load(
  run: (worker: number) => Promise<unknown>,
  n: number,
  concurrency: number,
  warmUp = WARM_UP,
): Promise<Measured> {
  // Warm enough for V8 to have optimized the execution path (20 calls left the first
  // measurement slower than every later one, which made the ratios flatter it).
  for (let i = 0; i < warmUp; i++) await run(i % concurrency);
  const times: number[] = [];
  let left = n;
  const c0 = readCpu();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    while (left-- > 0) {
      const t = performance.now();
      await run(w);
      times.push(performance.now() - t);
    }
  }));
  const wall = performance.now() - t0;
  return { ...figures(times, wall), times, cpu: cpuPerExecution(c0, readCpu(), n) };
}

/** What {@linkcode alternated} measures: a call, and how many workers make it at once. */
type Variant = readonly [run: (worker: number) => Promise<unknown>, concurrency: number];

/**
 * Measures each variant in turn, `rounds` times, `N / rounds` calls a round, and gives each
 * variant's rounds as one measurement: a single measurement drifted with the machine's
 * speed by up to half, and alternating lets the drift fall on all variants alike.
 */
async function alternated(variants: readonly Variant[], rounds = 4): Promise<Measured[]> {
  const n = N / rounds;
  const parts = variants.map(() => [] as Measured[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, [run, concurrency]] of variants.entries()) {
      parts[i].push(await load(run, n, concurrency, round === 0 ? WARM_UP : 0));
    }
  }
  return parts.map((measured) => {
    const times = measured.flatMap((m) => m.times);
    const wall = measured.reduce((sum, m) => sum + (n / m.perSec) * 1000, 0);
    const mean = (f: (c: CpuReading) => number) =>
      measured.reduce((sum, m) => sum + f(m.cpu), 0) / rounds;
    return {
      ...figures(times, wall),
      times,
      cpu: { host: mean((c) => c.host), below: mean((c) => c.below) },
    };
  });
}

const cpuText = (c: CpuReading) =>
  `${(c.host + c.below).toFixed(0)} µs (host ${c.host.toFixed(0)}, below ${c.below.toFixed(0)})`;

const ms = (x: number) => `${x.toFixed(3)} ms`;
const rate = (f: Figures) => `${f.perSec.toFixed(0)}/s`;
const line = (label: string, f: Figures, floor?: Figures) =>
  console.log(
    `  ${label.padEnd(34)} ${f.perSec.toFixed(0).padStart(6)}/s  p50 ${ms(f.p50)}  p95 ${
      ms(f.p95)
    }  p99 ${ms(f.p99)}${
      floor ? `  ×${(f.perSec / floor.perSec).toFixed(2)} floor (${rate(floor)})` : ""
    }`,
  );

console.log(`pool bench (${N} executions per point, unsandboxed)`);

const targets: string[] = [];
{
  const o = await measureOverhead(N);
  targets.push(
    `overhead per execute p50 ${
      micros(o.pairedP50)
    } (median of paired differences on one session; bare p50 ${ms(o.bareP50)}, pool p50 ${
      ms(o.poolP50)
    }; target ≤ 50 µs)`,
  );
}
{
  // The targets at size 4, concurrency 4, each beside its floor, all measured alternately in
  // rounds: the throughput against one bare session driven sequentially, the tail against
  // four bare sessions at concurrency 4 (one worker each; what the pool adds). And what this
  // machine allows a minimal R runtime (`minimal_r.ts`), one process sequentially
  // against four at concurrency 4; and, for both kinds, four processes driven sequentially
  // in turn — no concurrency at all, only other R processes running between one process's
  // turns.
  await using pool = await SecureSessionPool.create({
    size: 4,
    sandbox: false,
    acquireTimeout: 60_000,
  });
  const bare = await Promise.all([0, 1, 2, 3].map(() => SecureSession.create({ sandbox: false })));
  const minimal = await Promise.all([0, 1, 2, 3].map(() => startMinimalR()));
  let turn = 0;
  const [one, pooled, fourBare, bareInTurn, minOne, minFour, minInTurn] = await alternated([
    [() => bare[0].execute("1 + 1"), 1],
    [() => pool.execute("1 + 1"), 4],
    [(w) => bare[w].execute("1 + 1"), 4],
    [() => bare[turn++ % 4].execute("1 + 1"), 1],
    [() => minimal[0].execute("1 + 1"), 1],
    [(w) => minimal[w].execute("1 + 1"), 4],
    [() => minimal[turn++ % 4].execute("1 + 1"), 1],
  ]);
  // The same with R waiting instead of computing (5 ms of Sys.sleep): what the pool does
  // when the machine's cores are not what limits it.
  const waitCode = "Sys.sleep(0.005)";
  const bareWait = await load(() => bare[0].execute(waitCode), 200, 1);
  const poolWait = await load(() => pool.execute(waitCode), 200, 4);
  for (const s of bare) await s.close();
  for (const m of minimal) await m.close();
  line("tail floor: 4 bare sessions, conc 4", { ...fourBare, perSec: NaN });
  line("tail: size 4 conc 4, 1 + 1", { ...pooled, perSec: NaN });
  const times = (a: Figures, b: Figures) => `×${(a.perSec / b.perSec).toFixed(2)}`;
  const cpu = (m: Measured) => m.cpu.host + m.cpu.below;
  targets.push(
    `size 4 conc 4 throughput ${pooled.perSec.toFixed(0)}/s against a bare session's ${
      one.perSec.toFixed(0)
    }/s: ${times(pooled, one)} (alternated in rounds; target ≥ 1.7)`,
  );
  // The cores fully busy at the CPU cost per execution measured at concurrency 4.
  const cores = availableParallelism();
  const ceiling = (cores * 1e6) / cpu(pooled);
  targets.push(
    `  CPU per execution: sequentially ${cpuText(one.cpu)}, at conc 4 ${
      cpuText(pooled.cpu)
    }; ${cores} cores at the latter serve at most ${ceiling.toFixed(0)}/s = ×${
      (ceiling / one.perSec).toFixed(2)
    } the bare session`,
  );
  targets.push(
    `  four bare sessions in turn, sequentially: ${cpuText(bareInTurn.cpu)} per execution (×${
      (cpu(bareInTurn) / cpu(one)).toFixed(2)
    } one session's), ${bareInTurn.perSec.toFixed(0)}/s`,
  );
  targets.push(
    `  this machine, with a minimal R runtime: four at conc 4 ${minFour.perSec.toFixed(0)}/s ` +
      `against one sequentially ${minOne.perSec.toFixed(0)}/s: ${times(minFour, minOne)}, ` +
      `p99 ${ms(minFour.p99)}; CPU per execution one ${cpuText(minOne.cpu)}, four in turn ${
        cpuText(minInTurn.cpu)
      }, four at conc 4 ${cpuText(minFour.cpu)}`,
  );
  targets.push(
    `  with R waiting (${waitCode}) instead: ${poolWait.perSec.toFixed(0)}/s against ${
      bareWait.perSec.toFixed(0)
    }/s, ${times(poolWait, bareWait)}`,
  );
  targets.push(
    `size 4 conc 4 p99 ${ms(pooled.p99)} beside 4 bare sessions' p99 ${ms(fourBare.p99)} (p99 ${
      ms(pooled.p99 - fourBare.p99)
    } over its floor; target ≤ 5 ms)`,
  );
}
// The sweep: each point alternated in rounds with its floor, a bare session driven
// sequentially (held open throughout), so that the ratio compares like with like.
console.log("sweep (each point alternated with its floor):");
{
  const bare = await SecureSession.create({ tools: [add], sandbox: false });
  for (const size of [1, 2, 4]) {
    await using pool = await SecureSessionPool.create({
      size,
      sandbox: false,
      tools: [add],
      acquireTimeout: 60_000,
    });
    for (const concurrency of [1, 2, 4, 8]) {
      for (const [code, what] of [["1 + 1", "1 + 1"], [TOOLS_CODE, "3 tool calls"]]) {
        const [floor, point] = await alternated([
          [() => bare.execute(code), 1],
          [() => pool.execute(code), concurrency],
        ]);
        line(`size ${size} conc ${concurrency}: ${what}`, point, floor);
      }
    }
  }
  await bare.close();
}

console.log("resetBetweenUses (size 2, concurrency 1, `x <- 1`):");
const cold = await (async () => {
  const t = performance.now();
  await (await SecureSession.create({ sandbox: false })).close();
  return performance.now() - t;
})();
console.log(`  a cold session start (and close) for reference: ${ms(cold)}`);
for (const mode of [false, "state", "process"] as ResetMode[]) {
  await using pool = await SecureSessionPool.create({
    size: 2,
    sandbox: false,
    resetBetweenUses: mode,
    acquireTimeout: 60_000,
  });
  // Paced so the background reset or replacement of one use finishes before the next.
  const n = mode === "process" ? (flags.quick ? 20 : 60) : (flags.quick ? 100 : 400);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await pool.execute("x <- 1");
    times.push(performance.now() - t);
    if (mode === "process") await new Promise((r) => setTimeout(r, cold * 1.5));
  }
  const f = figures(times, 1);
  line(`resetBetweenUses: ${JSON.stringify(mode)}`, { ...f, perSec: NaN });
  if (mode === "process") {
    targets.push(
      `"process" p99 ${ms(f.p99)} against a cold start of ${ms(cold)} (target: no cold start)`,
    );
  }
}
console.log("targets:");
for (const t of targets) console.log(`  ${t}`);
