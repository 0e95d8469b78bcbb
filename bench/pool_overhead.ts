/**
 * The pool's overhead per execute (acquire + release), issue 9's target of ≤ 50 µs p50 over
 * a bare session's execute.
 *
 * Both sides run on one and the same warm, unsandboxed R session — a size-1 pool's only
 * session, taken from the maker as the pool starts it — alternately, each as its Promise
 * facade runs it (`runPromiseExit` of the Effect): `session.execute("1 + 1")` bare, then
 * `pool.execute("1 + 1")`. Comparing two different R processes instead measures which of
 * them the operating system happens to favour, not the pool. Reported: p50 and p99 of
 * each, and the median of the paired differences; and the pool's acquire + release alone,
 * with no R in it.
 *
 * Run: `deno run -A bench/pool_overhead.ts [--quick]`; `bench/pool.ts` reports the same
 * figure through {@linkcode measureOverhead}.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Effect, Exit, Scope } from "effect";
import { builtinCatalog } from "../backends/builtin.ts";
import { makeSession } from "../src/session/make_session.ts";
import type { Session } from "../src/session/session.ts";
import { makeSessionPool } from "../src/pool/session_pool.ts";

/** What {@linkcode measureOverhead} finds, in milliseconds. */
export interface Overhead {
  readonly bareP50: number;
  readonly bareP99: number;
  readonly poolP50: number;
  readonly poolP99: number;
  /** The median of (pool − bare) over pairs of consecutive executions. */
  readonly pairedP50: number;
  /** The pool's acquire + release with no execution in it. */
  readonly leaseP50: number;
  readonly leaseP99: number;
}

const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** Measures `n` alternating pairs on one session (after a warm-up). */
export async function measureOverhead(n: number): Promise<Overhead> {
  const scope = Effect.runSync(Scope.make());
  try {
    let session: Session | undefined;
    const pool = await Effect.runPromise(
      makeSessionPool(
        { size: 1, sandbox: false },
        (options, hooks) =>
          Effect.map(makeSession(options, builtinCatalog(), hooks), (s) => (session = s)),
      ).pipe(Scope.provide(scope)),
    );
    const bare = session!;
    // The effect is made inside the timed span, as the facade makes it: making one is part
    // of the cost (an `Effect.fn` records where it was called).
    const run = async (make: () => Effect.Effect<unknown, unknown>) => {
      const t = performance.now();
      const exit = await Effect.runPromiseExit(make());
      if (Exit.isFailure(exit)) throw new Error(`the bench's execution failed: ${exit.cause}`);
      return performance.now() - t;
    };
    const lease = () => Effect.flatMap(pool.acquire(), (l) => l.release);
    const bareRun = () => bare.execute("1 + 1");
    const poolRun = () => pool.execute("1 + 1");
    for (let i = 0; i < 200; i++) {
      await run(bareRun);
      await run(poolRun);
      await run(lease);
    }
    const b: number[] = [];
    const p: number[] = [];
    const d: number[] = [];
    const l: number[] = [];
    for (let i = 0; i < n; i++) {
      // Which side goes first alternates too, so neither always follows the other.
      const first = i % 2 === 0;
      const tb0 = first ? await run(bareRun) : 0;
      const tp = await run(poolRun);
      const tb = first ? tb0 : await run(bareRun);
      b.push(tb);
      p.push(tp);
      d.push(tp - tb);
      l.push(await run(lease));
    }
    return {
      bareP50: quantile(b, 0.5),
      bareP99: quantile(b, 0.99),
      poolP50: quantile(p, 0.5),
      poolP99: quantile(p, 0.99),
      pairedP50: quantile(d, 0.5),
      leaseP50: quantile(l, 0.5),
      leaseP99: quantile(l, 0.99),
    };
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void));
  }
}

/** `12 µs` */
export const micros = (ms: number): string => `${(ms * 1000).toFixed(0)} µs`;

if (import.meta.main) {
  const { values } = parseArgs({ options: { quick: { type: "boolean" } } });
  const n = values.quick ? 500 : 3000;
  const o = await measureOverhead(n);
  console.log(`pool overhead per execute (${n} pairs on one unsandboxed session, 1 + 1)`);
  console.log(`  bare session  p50 ${micros(o.bareP50)}  p99 ${micros(o.bareP99)}`);
  console.log(`  size-1 pool   p50 ${micros(o.poolP50)}  p99 ${micros(o.poolP99)}`);
  console.log(
    `  overhead      p50 of paired differences ${micros(o.pairedP50)}, difference of p50s ${
      micros(o.poolP50 - o.bareP50)
    } (target ≤ 50 µs)`,
  );
  console.log(`  acquire + release alone  p50 ${micros(o.leaseP50)}  p99 ${micros(o.leaseP99)}`);
}
