/** Signals go through one function that never throws for a gone process; finding R by name. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { findProcess } from "../../src/platform/find_process.ts";
import { signalProcess } from "../../src/platform/process.ts";

/** A `sleep 30` child and a promise of the signal that ended it. */
function sleeper(args: string[] = ["30"], command = "sleep") {
  const child = spawn(command, args, { stdio: "ignore", detached: true });
  const ended = new Promise<string | null>((r) => child.once("exit", (_code, sig) => r(sig)));
  return { pid: child.pid!, ended };
}

describe("signalProcess", () => {
  it("signals a process", { timeout: 20_000 }, async () => {
    const s = sleeper();
    assert.equal(signalProcess(s.pid, "SIGTERM"), true);
    assert.equal(await s.ended, "SIGTERM");
  });

  it("signals a whole process group", { timeout: 20_000 }, async () => {
    const s = sleeper();
    assert.equal(signalProcess(s.pid, "SIGKILL", "group"), true);
    assert.equal(await s.ended, "SIGKILL");
  });

  it(
    "returns false, without throwing, for a process that is gone",
    { timeout: 20_000 },
    async () => {
      const s = sleeper();
      signalProcess(s.pid, "SIGKILL");
      await s.ended;
      assert.equal(signalProcess(s.pid, "SIGINT"), false);
      assert.equal(signalProcess(s.pid, "SIGINT", "group"), false);
    },
  );

  it("refuses pids that would reach more than one process", () => {
    for (const pid of [0, -1, 1, Number.NaN, 2.5]) {
      assert.equal(signalProcess(pid, "SIGINT"), false);
    }
  });
});

const linux = process.platform === "linux" ? false : "reads the process table of Linux";

describe("findProcess", { skip: linux }, () => {
  it("finds a descendant by name, or null", { timeout: 20_000 }, async () => {
    const s = sleeper(["-c", "sleep 30; true"], "sh");
    try {
      let found: number | null = null;
      for (let i = 0; i < 100 && found === null; i++) {
        found = await findProcess(s.pid, "sleep");
        if (found === null) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(found !== null && found !== s.pid, "the sleep child of sh was found");
      assert.equal(await findProcess(s.pid, "sh"), s.pid);
      assert.equal(await findProcess(s.pid, "no-such-program"), null);
    } finally {
      signalProcess(s.pid, "SIGKILL", "group");
      await s.ended;
    }
  });
});
