import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  executeR,
  ExecutionTimeoutError,
  RExecutionError,
  SandboxUnavailableError,
  securerTool,
} from "../../mod.ts";
import type { Backend } from "../../src/sandbox/backend.ts";
import { SANDBOX } from "../_backends.ts";
import { noR, SLOW } from "../_helpers.ts";

describe("executeR", { skip: noR }, () => {
  it("runs code once, with tools, and returns the result", SLOW, async () => {
    const double = securerTool({
      name: "double",
      args: { x: "numeric" },
      fn: ({ x }) => (x as number) * 2,
    });
    const r = await executeR('cat("hi\\n"); double(21)', { sandbox: false, tools: [double] });
    assert.equal(r.value, 42);
    assert.deepEqual(r.output, ["hi"]);
  });
  it("propagates R errors and timeouts", SLOW, async () => {
    await assert.rejects(executeR('stop("bad")', { sandbox: false }), RExecutionError);
    await assert.rejects(
      executeR("Sys.sleep(5)", { sandbox: false, timeout: 300 }),
      ExecutionTimeoutError,
    );
  });
  it(
    "is sandboxed by default: it never runs unsandboxed because no sandbox works",
    SLOW,
    async () => {
      let wrapped = false;
      const broken: Backend = {
        name: "broken",
        probe: () =>
          Promise.resolve({ ok: false, reason: "cannot isolate here", fix: "install it" }),
        wrap: (c) => ((wrapped = true), c),
      };
      await assert.rejects(executeR("1", { backend: broken }), (e: unknown) => {
        assert.ok(e instanceof SandboxUnavailableError);
        assert.match(e.message, /broken: cannot isolate here/);
        return true;
      });
      assert.equal(wrapped, false, "R was never started");
    },
  );
});

describe("executeR's default", { skip: SANDBOX.skip }, () => {
  it("is the platform's sandbox", SLOW, async () => {
    const r = await executeR('c(file.exists("/etc/passwd"), file.exists(Sys.getenv("R_HOME")))');
    assert.deepEqual(r.value, [false, true]);
  });
});
