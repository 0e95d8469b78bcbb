/**
 * Attack: a fork bomb (`b(){ b|b& }; b`) to exhaust the host's process table — run while
 * the host is root, as CI is, since the kernel exempts host root from RLIMIT_NPROC.
 *
 * Defence: RLIMIT_NPROC applied inside the sandbox by `prlimit`, counted in the sandbox's
 * own user namespace, and — when the host is root — the sandbox running under an
 * unprivileged uid (via `setpriv`), so the limit holds.
 *
 * Positive control: before the bomb, R's /proc/self/limits must show the process limit and
 * R's uid (from /proc/self/status: the sandbox has no `id`) must not be root — without
 * either the bomb would really fill the host's process table, so the test stops there.
 * After it, the host counts the processes in the sandbox's pid namespace itself.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { MiB, onlyOnLinux } from "../_helpers.ts";
import { attackSession } from "./_attack.ts";

const NPROC = 20;

/** Host processes in the pid namespace `ns` (e.g. `pid:[4026532...]`). */
function processesIn(ns: string): number {
  let n = 0;
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (fs.readlinkSync(`/proc/${e}/ns/pid`) === ns) n++;
    } catch {
      // Gone, or not ours to look at.
    }
  }
  return n;
}

// It counts the processes R sees, so it needs R's own process table as well as the limit.
conformance("escape: fork bomb", {
  needs: ["nproc", "processes"],
  skip: onlyOnLinux("reads /proc"),
}, (ctx) => {
  it(
    "is stopped by the process limit, and the host and R live on",
    { timeout: 120_000 },
    async () => {
      await using s = await attackSession(ctx.options({
        limits: { nproc: NPROC, cpu: 60, memory: 512 * MiB },
      }));
      const uid = (await s.execute(
        'strsplit(grep("^Uid:", readLines("/proc/self/status"), value = TRUE), "\\\\s+")[[1]][2]',
      )).value;
      assert.notEqual(uid, "0", "R runs as root: the process limit would not hold");
      const limit = await s.execute(
        'grep("Max processes", readLines("/proc/self/limits"), value = TRUE)',
      );
      assert.match(String(limit.value), new RegExp(`^Max processes\\s+${NPROC}\\s+${NPROC}\\s`));
      const ns = String((await s.execute('Sys.readlink("/proc/self/ns/pid")')).value);
      const r = await s.execute(
        'system("b(){ b|b& }; b", timeout = 4); Sys.sleep(0.5); length(list.files("/proc", pattern = "^[0-9]+$"))',
        { timeout: 60_000 },
      );
      const onHost = processesIn(ns);
      assert.ok((r.value as number) <= NPROC + 5, `processes inside after the bomb: ${r.value}`);
      assert.ok(onHost > 0 && onHost <= NPROC + 5, `the host counts ${onHost} in the sandbox`);
      assert.ok(
        r.output.some((l) => /Cannot fork|fork failed|Resource temporarily unavailable/i.test(l)),
        "forks were refused",
      );
      assert.equal((await s.execute("1 + 1")).value, 2);
    },
  );
});
