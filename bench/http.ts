/**
 * The HTTP layer's cost: 1 000 `POST /v1/execute` of `1 + 1` at concurrency 8 over loopback
 * against a sandboxed pool of 4, beside the same pool's in-process `execute()` under the
 * same load in the same run (the floor). Fails on any unexpected error.
 *
 * Run: `deno run -A bench/http.ts [--quick]` (or through `deno task bench`).
 *
 * @module
 */
import { SecureSessionPool } from "../mod.ts";
import { createApp, serve } from "../src/http/mod.ts";

const N = process.argv.includes("--quick") ? 200 : 1_000;
const CONCURRENCY = 8;
const TOKEN = "bench-token";

async function load(one: () => Promise<void>): Promise<{ rps: number; lat: number[] }> {
  const lat: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < N) {
      next++;
      const t = performance.now();
      await one();
      lat.push(performance.now() - t);
    }
  }));
  const secs = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  return { rps: lat.length / secs, lat };
}
const pct = (lat: number[], p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))];

const pool = await SecureSessionPool.create({ size: 4, sandbox: true, acquireTimeout: 60_000 });
const app = await createApp({ pool, token: TOKEN, acquireTimeout: 60_000 });
const server = await serve(app, { port: 0 });
try {
  // Warm up both paths.
  for (let i = 0; i < 20; i++) await pool.execute("1 + 1");
  const inProcess = await load(async () => {
    const r = await pool.execute("1 + 1");
    if (r.value !== 2) throw new Error(`unexpected value ${JSON.stringify(r.value)}`);
  });
  const body = JSON.stringify({ code: "1 + 1" });
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const http = await load(async () => {
    const res = await fetch(`${server.url}/v1/execute`, { method: "POST", headers, body });
    const r = await res.json();
    if (res.status !== 200 || r.value !== 2) {
      throw new Error(`unexpected answer ${res.status} ${JSON.stringify(r)}`);
    }
  });
  const row = (name: string, x: { rps: number; lat: number[] }) =>
    `${name.padEnd(22)} ${x.rps.toFixed(0).padStart(6)} req/s   p50 ${
      pct(x.lat, 0.5).toFixed(2)
    } ms   p99 ${pct(x.lat, 0.99).toFixed(2)} ms`;
  console.log(`http: ${N} executions of 1 + 1, concurrency ${CONCURRENCY}, sandboxed pool of 4`);
  console.log(row("in-process pool", inProcess));
  console.log(row("HTTP over loopback", http));
  console.log(
    `HTTP layer cost: ${((1 - http.rps / inProcess.rps) * 100).toFixed(1)}% of throughput ` +
      `(goal ≤ 30%); ${http.lat.length} of ${N} answered 200`,
  );
} finally {
  await server.close();
  await app.close();
  await pool.close();
}
