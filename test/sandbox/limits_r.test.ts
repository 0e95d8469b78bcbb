/**
 * Resource limits read back from inside R (`/proc/self/limits`), on every backend this host
 * can run, and the sandbox defaults. Hitting each limit is tested in recovery.test.ts (cpu)
 * and test/escapes/ (memory, file size, process count).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { SecureSession } from "../../mod.ts";
import { conformance } from "../_conformance.ts";
import { MiB, onlyOnLinux, SLOW } from "../_helpers.ts";

const linux = onlyOnLinux("reads /proc/self/limits");

async function limitsInside(s: SecureSession): Promise<Record<string, [string, string]>> {
  const r = await s.execute(`l <- readLines("/proc/self/limits")[-1]
    setNames(lapply(l, function(x) c(trimws(substr(x, 27, 46)), trimws(substr(x, 48, 67)))), trimws(substr(l, 1, 25)))`);
  return r.value as Record<string, [string, string]>;
}

conformance("limits inside R", { skip: linux }, (ctx) => {
  it("applies all six limits, rounded up, whatever /bin/sh is", SLOW, async () => {
    await using s = await SecureSession.create(ctx.options({
      limits: {
        cpu: 30,
        memory: 600 * MiB,
        fsize: 10 * MiB + 1,
        nproc: 40,
        nofile: 200,
        stack: 16 * MiB,
      },
    }));
    const l = await limitsInside(s);
    assert.deepEqual(l["Max cpu time"], ["30", "31"]);
    assert.deepEqual(l["Max address space"], [String(600 * MiB), String(600 * MiB)]);
    assert.deepEqual(l["Max file size"], [String(10 * MiB + 1), String(10 * MiB + 1)]);
    assert.deepEqual(l["Max processes"], ["40", "40"]);
    assert.deepEqual(l["Max open files"], ["200", "200"]);
    assert.deepEqual(l["Max stack size"], [String(16 * MiB), String(16 * MiB)]);
  });
});

conformance("the sandbox's default limits", {
  skip: (backend) => linux || (!backend.sandboxed && "only a sandboxed session has default limits"),
}, (ctx) => {
  it(
    "are the reference's: 60 s CPU, 512 MiB memory, 50 MiB files, 50 processes, 256 files",
    SLOW,
    async () => {
      await using s = await SecureSession.create(ctx.options());
      const l = await limitsInside(s);
      assert.deepEqual(l["Max cpu time"], ["60", "61"]);
      assert.deepEqual(l["Max address space"], [String(512 * MiB), String(512 * MiB)]);
      assert.deepEqual(l["Max file size"], [String(50 * MiB), String(50 * MiB)]);
      assert.deepEqual(l["Max processes"], ["50", "50"]);
      assert.deepEqual(l["Max open files"], ["256", "256"]);
    },
  );
  it("are off with limits: {}", SLOW, async () => {
    await using s = await SecureSession.create(ctx.options({ limits: {} }));
    const l = await limitsInside(s);
    assert.equal(l["Max cpu time"][0], "unlimited");
  });
});
