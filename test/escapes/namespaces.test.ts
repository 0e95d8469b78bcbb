/**
 * Attack: create a user namespace (inside it a process is root and can mount, and more),
 * directly with `unshare()` and with a copy of the host's `unshare` program written into
 * /tmp; then mount a filesystem.
 *
 * Defence: bwrap's `--disable-userns` (no nested user namespaces: hiding the `unshare`
 * program is not enough), every capability dropped (`--cap-drop ALL`), so `mount()` and
 * `unshare(CLONE_NEWNS)` fail.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { it } from "node:test";
import { securerTool } from "../../mod.ts";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";
import { attackSession, noCompiler, runAttack } from "./_attack.ts";

const USERNS = `int main(void) {
  if (unshare(CLONE_NEWUSER) == 0) return escaped("created a user namespace");
  return blocked("unshare(CLONE_NEWUSER)");
}`;
const MOUNT = `int main(void) {
  if (unshare(CLONE_NEWNS) == 0) return escaped("created a mount namespace");
  if (mount("none", "/tmp", "tmpfs", 0, 0) == 0) return escaped("mounted a tmpfs");
  return blocked("unshare(CLONE_NEWNS) and mount");
}`;
const UNSHARE = ["/usr/bin/unshare", "/bin/unshare"].find((p) => fs.existsSync(p));

// A namespace of its own would let R remount the filesystem and escape its process isolation.
conformance("escape: namespaces and mounts", {
  needs: ["filesystem", "processes"],
  skip: noCompiler,
}, (ctx) => {
  const s = ctx.shared(() =>
    attackSession(
      ctx.options({
        tools: [
          securerTool({
            name: "host_unshare",
            fn: () => (UNSHARE ? new Uint8Array(fs.readFileSync(UNSHARE)) : null),
          }),
        ],
      }),
      { userns: USERNS, mount: MOUNT },
    )
  );

  it("cannot create a user namespace", SLOW, async () => {
    assert.match(await runAttack(s(), "userns"), /^BLOCKED unshare\(CLONE_NEWUSER\)/);
  });
  it("cannot create one with a copy of the host's unshare either", {
    ...SLOW,
    skip: UNSHARE ? false : "no unshare program on this host",
  }, async () => {
    const r = await s().execute(
      `writeBin(host_unshare(), "/tmp/unshare"); Sys.chmod("/tmp/unshare", "755")
      out <- suppressWarnings(system2("/tmp/unshare", c("--user", "--map-root-user", "/bin/sh", "-c", "echo ESCAPED"), stdout = TRUE, stderr = TRUE))
      paste(out, collapse = " ")`,
    );
    assert.doesNotMatch(String(r.value), /ESCAPED/);
    assert.match(
      String(r.value),
      /unshare failed|Operation not permitted|No space left|not permitted/i,
    );
  });
  it("cannot mount a filesystem", SLOW, async () => {
    assert.match(await runAttack(s(), "mount"), /^BLOCKED unshare\(CLONE_NEWNS\) and mount/);
  });
});
