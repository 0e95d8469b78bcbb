/**
 * The server over a real socket, started as the README says on the runtime running this
 * test (`deno task serve`, `bun src/cli/bin.ts serve`, `npm run serve`'s command on Node),
 * talked to with `fetch`, then stopped with SIGTERM (as a service manager would): a request in flight
 * finishes, the process exits 0 and the port closes.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { detectRuntime } from "../../src/platform/runtime.ts";
import { noR } from "../_helpers.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const TOKEN = "socket-test-token-42";
const auth = { authorization: `Bearer ${TOKEN}` };

function command(): [string, string[]] {
  const flags = ["--port", "0", "--pool-size", "1"];
  switch (detectRuntime()) {
    case "deno":
      return [`${root}node_modules/.bin/deno`, ["task", "serve", ...flags]];
    case "bun":
      return [`${root}node_modules/.bin/bun`, ["src/cli/bin.ts", "serve", ...flags]];
    case "node":
      return [process.execPath, ["--import", "tsx", "src/cli/bin.ts", "serve", ...flags]];
  }
}

/** Starts the server; resolves with its URL once it prints the address it listens on. */
function start(): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const [cmd, args] = command();
  const child = spawn(cmd, args, {
    cwd: root,
    detached: true, // its own process group, signalled as a terminal would
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SECURER_TOKEN: TOKEN, NO_COLOR: "1" },
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  let out = "";
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no address within 60 s: ${out}${err}`)),
      60_000,
    );
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], exited });
      }
    });
    exited.then((code) => reject(new Error(`exited ${code} before listening: ${out}${err}`)));
  });
}

describe(`securer serve on a real socket (${detectRuntime()})`, { skip: noR }, () => {
  let server: Awaited<ReturnType<typeof start>> | undefined;
  after(() => {
    if (server && server.child.exitCode === null) process.kill(-server.child.pid!, "SIGKILL");
  });

  it(
    "serves health, execute and SSE, then shuts down gracefully on SIGTERM",
    { timeout: 120_000 },
    async () => {
      server = await start();
      const { url } = server;
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);

      const health = await (await fetch(`${url}/v1/health`)).json();
      assert.equal(health.status, "ok");
      assert.equal(health.pool.total, 1);

      const denied = await fetch(`${url}/v1/execute`, { method: "POST", body: '{"code":"1"}' });
      assert.equal(denied.status, 401);
      await denied.body?.cancel();

      const res = await fetch(`${url}/v1/execute`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ code: 'cat("hello\\n"); 6 * 7' }),
      });
      assert.equal(res.status, 200);
      const r = await res.json();
      assert.equal(r.value, 42);
      assert.deepEqual(r.output, ["hello"]);

      const sse = await fetch(`${url}/v1/execute?stream=1`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ code: 'cat("a\\n"); cat("b\\n"); 3' }),
      });
      const text = await sse.text();
      const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
      assert.deepEqual(events, ["output", "output", "result"]);

      // A request in flight when SIGTERM arrives still gets its answer: once its first output
      // event has arrived, it is certainly running.
      const inFlight = await fetch(`${url}/v1/execute?stream=1`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ code: 'cat("started\\n"); Sys.sleep(1); 5' }),
      });
      const reader = inFlight.body!.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      while (!seen.includes("started")) seen += (await reader.read()).value ?? "";
      process.kill(server.child.pid!, "SIGTERM");
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        seen += value;
      }
      assert.match(seen, /event: result\ndata: \{"value":5,/);
      assert.equal(await server.exited, 0);
      await assert.rejects(fetch(`${url}/v1/health`));
    },
  );
});
