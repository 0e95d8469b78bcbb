/** `info()` says which limits hold for the whole sandbox (its cgroup) and which per process. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { SecureSession } from "../../mod.ts";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";

conformance("info() and the scope of the limits", { needs: ["memory"] }, (ctx) => {
  it("lists every enforced limit once, as whole-sandbox or per-process", SLOW, async () => {
    await using s = await SecureSession.create(
      ctx.options({ limits: { memory: 256 * 2 ** 20, nofile: 256 } }),
    );
    const scope = s.info().capabilities.limitScope;
    assert.ok(scope, "info() carries the limit scope");
    assert.ok(["v1", "v2", "none"].includes(scope.cgroup));
    assert.deepEqual([...scope.sandbox, ...scope.perProcess].sort(), ["memory", "nofile"]);
    if (scope.cgroup !== "none") assert.ok(scope.sandbox.includes("memory"));
    else assert.ok(scope.perProcess.includes("memory"));
  });
});
