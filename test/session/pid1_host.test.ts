/**
 * A host that is PID 1 (a container without an init) reaps everything it starts: after
 * sessions crash every way R can, restart and close, no process of the sandbox is left —
 * not even a zombie. Run for real, in a pid namespace of its own made by `unshare` (root).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { onlyOnLinux } from "../_helpers.ts";
import { findExecutable } from "../../src/platform/process.ts";

const fixture = fileURLToPath(new URL("./fixtures/pid1_host.ts", import.meta.url));
const unshare = findExecutable(["/usr/bin/unshare", "/bin/unshare"]);
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const skip = onlyOnLinux("uses pid namespaces") ||
  (unshare === null ? "needs unshare (util-linux)" : false) ||
  (isRoot ? false : "making a pid namespace for the host needs root");

/** The same runtime this test runs on, running the fixture as PID 1 of a new namespace. */
function pidOneArgv(options: string): string[] {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  const runtime = g.Deno
    ? [process.execPath, "run", "-A", fixture]
    : g.Bun
    ? [process.execPath, fixture]
    : [process.execPath, "--import", "tsx", fixture];
  return [unshare!, "--pid", "--fork", "--mount-proc", "--", ...runtime, options];
}

type Left = { pid: number; ppid: number; stat: string; comm: string };

function runAsPidOne(options: string): Promise<{ pid: number; left: Left[] }> {
  const [cmd, ...args] = pidOneArgv(options);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (code !== 0 || line === undefined) reject(new Error(`the host exited ${code}: ${out}`));
      else resolve(JSON.parse(line));
    });
  });
}

conformance("a host that is PID 1", { skip }, (ctx) => {
  it("leaves no process of R or its sandbox, not even a zombie, after crashes and close", {
    timeout: 120_000,
  }, async () => {
    const { pid, left } = await runAsPidOne(JSON.stringify(ctx.options()));
    assert.equal(pid, 1, "the host ran as PID 1");
    // Without a sandbox, what R leaves running in the background (here `sh` and `sleep`) is
    // reparented to the host and, once it ends, a zombie the host cannot reap (README, "A
    // host that is PID 1"); what the host itself started must still be gone.
    const ours = ctx.backend.sandboxed
      ? left
      : left.filter((p) => !["sh", "sleep"].includes(p.comm));
    assert.deepEqual(ours, [], `left in the host's namespace: ${JSON.stringify(left)}`);
  });
});
