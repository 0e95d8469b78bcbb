/** Permission errors of the runtime are told apart from operating-system errors. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  isPermissionError,
  missingPermission,
  permissionFailure,
} from "../../src/platform/permission_error.ts";

/** An error shaped like the one each runtime throws. */
function error(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name }, extra);
}

const denoSys = error(
  "NotCapable",
  'Requires sys access to "uid", run again with the --allow-sys flag',
);
const denoProc = error(
  "NotCapable",
  'Requires all access to "/proc", run again with the --allow-all flag',
);
const deno1 = error(
  "PermissionDenied",
  'Requires read access to "/etc", run again with the --allow-read flag',
);
const eacces = error("PermissionDenied", "Permission denied (os error 13)", { code: "EACCES" });
const node = error("Error", "Access to this API has been restricted", {
  code: "ERR_ACCESS_DENIED",
  permission: "FileSystemRead",
});

describe("permission errors", () => {
  it("Deno's NotCapable, Deno 1's PermissionDenied and Node's ERR_ACCESS_DENIED are ones", () => {
    for (const e of [denoSys, denoProc, deno1, node]) assert.equal(isPermissionError(e), true);
  });

  it("operating-system errors (EACCES, ENOENT) and non-errors are not", () => {
    const enoent = error("Error", "no such file", { code: "ENOENT" });
    for (const e of [eacces, enoent, null, undefined, "NotCapable", 42]) {
      assert.equal(isPermissionError(e), false);
    }
  });

  it("missingPermission() names the flag the runtime asks for", () => {
    assert.equal(missingPermission(denoSys), "--allow-sys");
    assert.equal(missingPermission(denoProc), "--allow-all");
    assert.equal(missingPermission(deno1), "--allow-read");
    assert.equal(missingPermission(node), "--allow-fs-read");
    assert.equal(missingPermission(eacces), null);
  });

  it("permissionFailure() quotes the runtime and names the flag as the fix", () => {
    assert.deepEqual(permissionFailure(denoSys, "the bubblewrap probe"), {
      reason:
        'the bubblewrap probe needs a permission the runtime denied: Requires sys access to "uid", run again with the --allow-sys flag',
      fix: "grant it: run with --allow-sys",
    });
  });
});
