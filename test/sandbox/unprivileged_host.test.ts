/**
 * The sandbox when the host is not root (the common case on developer machines): no uid
 * switch, the process limit counted in the sandbox's own user namespace, SIGINT reaching R,
 * and issue 8's containment as root has it (processes die with their execution, the kernel
 * command line is masked, fsize is an R error; its cgroup half is `sandbox_memory`'s control).
 * CI runs as root, so this test runs a host process as `nobody` (with Node and tsx).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { SANDBOX } from "../_backends.ts";
import { findExecutable } from "../../src/platform/process.ts";

const fixture = fileURLToPath(new URL("./fixtures/unprivileged_host.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/tsx/dist/esm/index.mjs", import.meta.url));
const setpriv = findExecutable(["/usr/bin/setpriv", "/bin/setpriv"]);
/** Can `nobody` read the fixture and tsx (the checkout may live under a private home)? */
function readableByNobody(): boolean {
  const r = spawnSync(setpriv!, [
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "test",
    "-r",
    fixture,
    "-a",
    "-r",
    tsx,
  ]);
  return r.status === 0;
}
const skip = SANDBOX.skip ||
  (process.getuid?.() !== 0
    ? "the suite already runs unprivileged, so every sandbox test covers this"
    : setpriv === null
    ? "setpriv is missing"
    : !readableByNobody()
    ? "the checkout is not readable by an unprivileged user (it lives under a private directory)"
    : false);

describe("a sandbox started by an unprivileged host", { skip }, () => {
  it("isolates, limits processes and interrupts R without root", { timeout: 120_000 }, () => {
    const r = spawnSync(
      setpriv!,
      ["--reuid=65534", "--regid=65534", "--clear-groups", "node", "--import", tsx, fixture],
      {
        encoding: "utf8",
        env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/tmp" },
        timeout: 100_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(report.backend, "bubblewrap");
    assert.equal(report.uid, 65534);
    assert.ok(
      report.processesAfterBomb <= 12,
      `processes after the bomb: ${report.processesAfterBomb}`,
    );
    assert.equal(report.timeout, "interrupted, state kept");
    assert.deepEqual(report.hostFilesVisible, [false, false]);
    assert.equal(report.straysAfterExecution, 0, "a process an execution started outlived it");
    assert.ok(["refused", ""].includes(report.cmdline), `reads /proc/cmdline: ${report.cmdline}`);
    assert.equal(report.fsize, "RExecutionError");
  });
});
