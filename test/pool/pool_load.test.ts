/**
 * The pool under load and faults: executions through a pool of 4 at concurrency 8, mixing
 * plain code, tool calls, R errors, soft and hard timeouts, protocol garbage written by R,
 * background processes left behind and R processes killed from outside at random. Every
 * request settles exactly once, with its own value or a typed error; no output or value
 * belongs to another request; after close() no process, FIFO, directory or cgroup remains.
 *
 * Bounded: 300 executions per backend by default (well under a minute); set
 * `SECURER_POOL_LOAD=2000` for the full count.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import {
  ChildCrashedError,
  ExecutionTimeoutError,
  PoolExhaustedError,
  ProtocolError,
  RExecutionError,
  securerTool,
  SecureSessionPool,
  SessionStartError,
} from "../../mod.ts";
import { BACKENDS, SANDBOX } from "../_backends.ts";
import { descendants, leftovers, snapshot } from "./_leaks.ts";

const COUNT = Number(process.env.SECURER_POOL_LOAD ?? 300);
const CONCURRENCY = 8;
/** An R process of the pool is killed from outside once per this many requests. */
const KILL_EVERY = 25;

const echo = securerTool({ name: "echo", args: { x: "numeric" }, fn: ({ x }) => x });

type Kind = "garbage" | "hard" | "soft" | "error" | "background" | "tool" | "plain";
function kindOf(i: number): Kind {
  if (i % 50 === 7) return "garbage";
  if (i % 50 === 23) return "hard";
  if (i % 20 === 3) return "soft";
  if (i % 10 === 5) return "error";
  if (i % 25 === 11) return "background";
  return i % 3 === 1 ? "tool" : "plain";
}

function codeOf(i: number, kind: Kind): string {
  const say = `cat("req-${i}\\n")`;
  switch (kind) {
    case "garbage":
      return `${say}; con <- fifo(file.path(commandArgs(TRUE)[[1L]], "res"), "w", blocking = TRUE); ` +
        `writeLines("garbage ${i}", con); close(con); Sys.sleep(5)`;
    case "hard":
      return `${say}; repeat tryCatch(Sys.sleep(10), interrupt = function(e) NULL)`;
    case "soft":
      return `${say}; Sys.sleep(10)`;
    case "error":
      return `${say}; stop("boom-${i}")`;
    case "background":
      return `${say}; system("sleep 60 > /dev/null 2>&1 &"); ${i}`;
    case "tool":
      return `${say}; echo(${i})`;
    case "plain":
      return `${say}; ${i} * 2`;
  }
}

/** Errors any request may get: a kill from outside lands on whatever runs there. */
const anyone = (e: unknown) =>
  e instanceof ChildCrashedError || e instanceof ProtocolError ||
  e instanceof PoolExhaustedError || e instanceof SessionStartError;

function check(i: number, kind: Kind, outcome: PromiseSettledResult<{ value: unknown }>) {
  if (outcome.status === "fulfilled") {
    const expected = kind === "plain" ? i * 2 : i;
    assert.ok(["plain", "tool", "background"].includes(kind), `${kind} #${i} succeeded`);
    assert.equal(outcome.value.value, expected, `request ${i} got another's value`);
    return;
  }
  const e = outcome.reason;
  if (anyone(e)) return;
  switch (kind) {
    case "error":
      assert.ok(e instanceof RExecutionError, String(e));
      assert.equal(e.message, `boom-${i}`);
      return;
    case "soft":
    case "hard":
      assert.ok(e instanceof ExecutionTimeoutError, String(e));
      return;
    default:
      assert.fail(`request ${i} (${kind}) failed with an untyped or unexpected error: ${e}`);
  }
}

function killRandomChild(before: readonly number[]): void {
  const candidates = descendants().filter((pid) => {
    if (before.includes(pid)) return false;
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("R");
    } catch {
      return false;
    }
  });
  if (candidates.length === 0) return;
  const pid = candidates[Math.floor(Math.random() * candidates.length)];
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

for (const backend of [BACKENDS[0], SANDBOX]) {
  describe(`the pool under load and faults [${backend.name}]`, { skip: backend.skip }, () => {
    it(`settles ${COUNT} mixed executions, each with its own answer`, {
      timeout: 600_000,
    }, async () => {
      if (backend.failure) throw new Error(backend.failure);
      const before = snapshot();
      const pool = await SecureSessionPool.create({
        ...backend.options,
        size: 4,
        tools: [echo],
        interruptGrace: 200,
        acquireTimeout: 120_000,
      });
      const settled = new Array<number>(COUNT).fill(0);
      const outcomes: PromiseSettledResult<{ value: unknown }>[] = new Array(COUNT);
      const strays: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < COUNT) {
          const i = next++;
          const kind = kindOf(i);
          const timeout = kind === "soft" || kind === "hard" ? 100 : 20_000;
          const mine = `req-${i}`;
          const onOutput = (line: string) => {
            if (line !== mine) strays.push(`${i}: ${line}`);
          };
          const p = pool.execute(codeOf(i, kind), { timeout, onOutput });
          outcomes[i] = await p.then(
            (value) => ({ status: "fulfilled" as const, value }),
            (reason) => ({ status: "rejected" as const, reason }),
          );
          settled[i]++;
          // A kill per KILL_EVERY requests, not per second: on a slow machine a timer killed
          // more, the restarts slowed it further, and the test took minutes.
          if (i % KILL_EVERY === KILL_EVERY - 1) killRandomChild(before.processes);
          if (outcomes[i].status === "fulfilled") {
            const out = (outcomes[i] as unknown as PromiseFulfilledResult<{ output: string[] }>)
              .value.output;
            assert.ok(out.every((l) => l === mine), `${i}: ${out.join("|")}`);
          }
        }
      };
      try {
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      } finally {
        await pool.close();
      }
      assert.deepEqual(settled.filter((n) => n !== 1), [], "each request settles once");
      assert.deepEqual(strays, [], "no request saw another's output");
      for (let i = 0; i < COUNT; i++) check(i, kindOf(i), outcomes[i]);
      const ok = outcomes.filter((o) => o.status === "fulfilled").length;
      const starts = outcomes.filter((o) =>
        o.status === "rejected" && o.reason instanceof SessionStartError
      ).length;
      assert.ok(starts <= 2, `${starts} requests failed with a start error`);
      assert.ok(ok > COUNT / 2, `only ${ok} of ${COUNT} succeeded`);
      assert.deepEqual(await leftovers(before), { processes: [], dirs: [], cgroups: [] });
    });
  });
}
