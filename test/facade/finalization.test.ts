/**
 * A session that becomes unreachable without `close()` does not keep its R process until the
 * host exits: the garbage collector's finalizer disposes it (a safety net, not a substitute
 * for `close()`).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { detectRuntime } from "../../src/platform/runtime.ts";
import { noR } from "../_helpers.ts";

const fixture = fileURLToPath(new URL("./fixtures/gc_unclosed.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/tsx/dist/esm/index.mjs", import.meta.url));

function runFixture(): { pid: number; alive: boolean } {
  const runtime = detectRuntime();
  const args = runtime === "deno"
    ? ["run", "-A", "--v8-flags=--expose-gc", fixture]
    : runtime === "bun"
    ? [fixture]
    : ["--expose-gc", "--import", tsx, fixture];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

describe("a session dropped without close()", () => {
  it(`has its R process killed once it is garbage-collected [${detectRuntime()}]`, {
    skip: noR,
    timeout: 90_000,
  }, () => {
    const { pid, alive } = runFixture();
    assert.ok(pid > 0);
    assert.equal(alive, false, `R (pid ${pid}) still runs after the session was collected`);
  });
});
