/**
 * Attack: see or signal host processes — list /proc, kill the host (this test process)
 * with R's `tools::pskill()` and with a raw `kill()` call, and `ptrace()` it.
 *
 * Defence: a new pid namespace (host processes do not exist inside), no capabilities, the
 * seccomp filter (ptrace is denied outright, even of the sandbox's own init), and the
 * sandbox running under its own uid when the host is root.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";
import { attackSession, noCompiler, runAttack } from "./_attack.ts";

const KILL = `int main(int argc, char **argv) {
  if (kill(atoi(argv[1]), SIGTERM) < 0) return blocked("kill");
  return escaped("signalled a host process");
}`;
const PTRACE = `int main(int argc, char **argv) {
  if (ptrace(PTRACE_ATTACH, atoi(argv[1]), 0, 0) < 0) return blocked("ptrace");
  return escaped("attached to a process");
}`;

conformance("escape: host processes", { needs: ["processes"] }, (ctx) => {
  const s = ctx.shared(() => attackSession(ctx.options(), { kill: KILL, ptrace: PTRACE }));

  it("sees only the sandbox's own processes", SLOW, async () => {
    const pids = (await s().execute('as.integer(list.files("/proc", pattern = "^[0-9]+$"))'))
      .value as number[];
    assert.ok(pids.length <= 5, `sees ${pids.length} processes: ${pids}`);
    assert.ok(pids.every((p) => p < 100));
    const cmdlines = (await s().execute(
      'unlist(lapply(list.files("/proc", pattern = "^[0-9]+$", full.names = TRUE), function(d) paste(readLines(file.path(d, "comm"), warn = FALSE), collapse = "")))',
    )).value;
    assert.ok(![cmdlines].flat().some((c) => /deno|node|bun/.test(String(c))), `${cmdlines}`);
  });
  it("cannot signal the host with tools::pskill", SLOW, async () => {
    const r = await s().execute(`tools::pskill(${process.pid}, tools::SIGTERM)`);
    assert.equal(r.value, false);
  });
  it("cannot kill() or ptrace() a host process", { ...SLOW, skip: noCompiler }, async () => {
    assert.match(
      await runAttack(s(), "kill", [String(process.pid)]),
      /^BLOCKED kill: No such process/,
    );
    assert.match(
      await runAttack(s(), "ptrace", [String(process.pid)]),
      /^BLOCKED ptrace/,
    );
    assert.match(await runAttack(s(), "ptrace", ["1"]), /^BLOCKED ptrace/);
  });
});
