/**
 * The host's own exit leaves nothing behind (SPEC §9): on a normal exit an exit hook kills
 * every child and removes its directory; when the host is killed outright (SIGKILL, no hook
 * runs) the sandbox dies with it (`--die-with-parent`).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { eventually, onlyOnLinux, processAlive } from "../_helpers.ts";

const fixture = fileURLToPath(new URL("./fixtures/host_then_exit.ts", import.meta.url));

/** The same runtime this test runs on, running the fixture. */
function hostArgv(args: string[]): string[] {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno) return [process.execPath, "run", "-A", fixture, ...args];
  if (g.Bun) return [process.execPath, fixture, ...args];
  return [process.execPath, "--import", "tsx", fixture, ...args];
}

/** Every process whose parent chain reaches `pid`. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // Gone.
    }
  }
  return [...parent.keys()].filter((p) => {
    for (let q = parent.get(p); q !== undefined && q > 1; q = parent.get(q)) {
      if (q === pid) return true;
    }
    return false;
  });
}

async function startHost(args: string[]) {
  const [cmd, ...rest] = hostArgv(args);
  const child = spawn(cmd, rest, { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((r) => child.once("exit", r));
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const ok = await eventually(() => out.includes("\n"), 60_000);
  assert.ok(ok, "the host started a session");
  const info = JSON.parse(out.split("\n")[0]) as { wrapper: number; dir: string };
  // Everything the host started: the wrapper, R, and the host's own helpers (Deno's relays).
  const all = [...new Set([info.wrapper, ...descendants(child.pid!)])];
  const output = () => out;
  return { child, exited, info, tree: [info.wrapper, ...descendants(info.wrapper)], all, output };
}

/** Asserts that none of `pids` is left running, and that `dir` (when given) is gone. */
async function assertNothingLeft(pids: number[], dir?: string, ms?: number): Promise<void> {
  assert.ok(
    await eventually(() => pids.every((p) => !processAlive(p)), ms),
    `left running: ${pids.filter(processAlive)}`,
  );
  if (dir !== undefined) assert.ok(!fs.existsSync(dir), "the session directory is gone");
}

conformance("the host's exit", { skip: onlyOnLinux("reads /proc") }, (ctx) => {
  const options = JSON.stringify(ctx.options());
  it("leaves no R process or directory when the host exits normally", {
    timeout: 90_000,
  }, async () => {
    const { exited, info, all } = await startHost([options, "exit"]);
    await exited;
    await assertNothingLeft(all, info.dir);
  });
  const isBun = (globalThis as { Bun?: unknown }).Bun !== undefined;
  it("ends by itself when its only session is idle and never closed, leaving nothing", {
    timeout: 90_000,
    skip: isBun ? "Bun's FIFO reader holds its event loop and cannot be unreferenced" : false,
  }, async () => {
    // An idle session does not keep the host alive (as an execution in flight does): the
    // host exits once its own work is done, and its exit hooks take the session down.
    const { child, exited, info, all, output } = await startHost([options, "idle"]);
    const ended = await Promise.race([
      exited.then((code) => ({ code })),
      new Promise<null>((r) => setTimeout(() => r(null), 30_000)),
    ]);
    if (ended === null) child.kill("SIGKILL");
    assert.deepEqual(ended, { code: 0 }, "the host exited by itself, with status 0");
    assert.ok(output().includes('{"slept":7}'), `the last execution finished first: ${output()}`);
    await assertNothingLeft(all, info.dir);
  });
  const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  it("leaves no process after Deno.exit(), and the next host sweeps its directory", {
    timeout: 120_000,
    skip: isDeno ? false : "Deno.exit() exists only on Deno",
  }, async () => {
    const { exited, info, tree } = await startHost([options, "deno-exit"]);
    assert.equal(await exited, 0);
    await assertNothingLeft(tree);
    // Deno.exit() runs no exit hook: the next host to start a session removes the directory.
    const next = await startHost([options, "exit"]);
    await next.exited;
    assert.ok(!fs.existsSync(info.dir), "the next host swept the session directory");
  });
  for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    it(`leaves nothing when ${signal} ends the host, which still dies of it`, {
      timeout: 90_000,
    }, async () => {
      const { child, info, all } = await startHost([options, "wait"]);
      const ended = new Promise<[number | null, string | null]>((r) =>
        child.once("exit", (code, sig) => r([code, sig]))
      );
      child.kill(signal);
      const [code, sig] = await ended;
      assert.ok(
        sig === signal || code === status,
        `the host ended with ${sig ?? code}, not of ${signal}`,
      );
      await assertNothingLeft(all, info.dir);
    });
  }
  it("leaves no FIFO relay when Deno is killed with SIGKILL, once the next host has swept", {
    timeout: 120_000,
    skip: isDeno ? false : "only Deno reads FIFOs through cat relays",
  }, async () => {
    const { child, info } = await startHost([options, "wait"]);
    const comm = (p: number) => {
      try {
        return fs.readFileSync(`/proc/${p}/comm`, "utf8").trim();
      } catch {
        return "";
      }
    };
    const relays = descendants(child.pid!).filter((p) => comm(p) === "cat");
    assert.ok(relays.length >= 2, `the host reads its FIFOs through relays: ${relays}`);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const next = await startHost([options, "exit"]);
    await next.exited;
    assert.ok(
      await eventually(() => relays.every((p) => !processAlive(p)), 10_000),
      `relays left running: ${relays.filter(processAlive)}`,
    );
    assert.ok(!fs.existsSync(info.dir), "the next host swept the session directory");
  });
  it("lets an execution finish when a Ctrl-C reaches the host's whole process group", {
    timeout: 90_000,
  }, async () => {
    // The terminal sends SIGINT to the foreground process group: the host handles it, and
    // neither R nor a helper process of the host may die of it.
    const [cmd, ...rest] = hostArgv([options, "ctrl-c"]);
    const child = spawn(cmd, rest, { stdio: ["ignore", "pipe", "inherit"], detached: true });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise((r) => child.once("exit", r));
    assert.ok(await eventually(() => out.includes("ready"), 60_000), "the execution started");
    process.kill(-child.pid!, "SIGINT");
    await exited;
    const last = JSON.parse(out.trim().split("\n").at(-1)!);
    assert.deepEqual(last, { interrupted: true, value: 42, output: ["after"] });
  });
  it("takes the sandbox down when the host is killed with SIGKILL", {
    timeout: 90_000,
    skip: ctx.backend.sandboxed ? false : "without a sandbox, only the host's exit hook stops R",
  }, async () => {
    const { child, tree } = await startHost([options, "wait"]);
    assert.ok(tree.length >= 2, "the wrapper and R run under the host");
    child.kill("SIGKILL");
    await assertNothingLeft(tree, undefined, 10_000);
  });
});
