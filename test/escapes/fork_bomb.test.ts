/**
 * Attack: a fork bomb (`b(){ b|b& }; b`) to exhaust the host's process table — run while
 * the host is root, as CI is, since the kernel exempts host root from RLIMIT_NPROC.
 *
 * Defence: RLIMIT_NPROC applied inside the sandbox by `prlimit`, counted in the sandbox's
 * own user namespace, and — when the host is root — the sandbox running under an
 * unprivileged uid (via `setpriv`), so the limit holds.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { MiB } from "../_helpers.ts";
import { attackSession } from "./_attack.ts";

function processCount(): number {
  return fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e)).length;
}

// It counts the processes R sees, so it needs R's own process table as well as the limit.
conformance("escape: fork bomb", { needs: ["nproc", "processes"] }, (ctx) => {
  it(
    "is stopped by the process limit, and the host and R live on",
    { timeout: 120_000 },
    async () => {
      await using s = await attackSession(ctx.options({
        limits: { nproc: 20, cpu: 60, memory: 512 * MiB },
      }));
      const hostBefore = processCount();
      const r = await s.execute(
        'system("b(){ b|b& }; b", timeout = 4); Sys.sleep(0.5); length(list.files("/proc", pattern = "^[0-9]+$"))',
        { timeout: 60_000 },
      );
      assert.ok((r.value as number) <= 25, `processes inside after the bomb: ${r.value}`);
      assert.ok(
        r.output.some((l) => /Cannot fork|fork failed|Resource temporarily unavailable/i.test(l)),
        "forks were refused",
      );
      assert.ok(processCount() < hostBefore + 30, "the host's process table did not fill");
      assert.equal((await s.execute("1 + 1")).value, 2);
      if (process.getuid?.() === 0) {
        const uid =
          (await s.execute("system('id -u', intern = TRUE)").catch(() => ({ value: "n/a" }))).value;
        assert.notEqual(uid, "0");
      }
    },
  );
});
