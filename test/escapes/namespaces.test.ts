/**
 * Attack: create a user namespace (inside it a process is root and may mount, and more),
 * directly with `unshare()` and with a copy of the host's `unshare` program written into
 * /tmp; then mount a filesystem, in a user namespace of its own or in a mount namespace made
 * with the sandbox's own privileges.
 *
 * Defence: bwrap's `--disable-userns` (no nested user namespaces: hiding the `unshare`
 * program is not enough; `unshare()` fails with ENOSPC), no capabilities (the sandbox's uid
 * is not root inside, and `--cap-drop ALL` when bwrap itself runs as root), so
 * `unshare(CLONE_NEWNS)` fails with EPERM; and the seccomp filter, which refuses `mount()`.
 *
 * Positive control: on the host, as the sandbox's uid, the same programs create a user
 * namespace and mount a tmpfs inside it. Every mount happens in a private mount namespace
 * of the attack's own (after making its mounts private), so even an escape changes nothing
 * outside it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { it } from "node:test";
import { securerTool } from "../../mod.ts";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";
import { asOwner, attackSession, noCompiler, onHost, runAttack, sandboxOwner } from "./_attack.ts";

// Mounts only inside a mount namespace of its own, made private first.
const MOUNT_HELPER = `static int private_tmpfs(void) {
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return blocked("mount");
  if (mount("none", "/tmp", "tmpfs", 0, 0) < 0) return blocked("mount");
  return escaped("mounted a tmpfs");
}`;
const USERNS = `${MOUNT_HELPER}
int main(void) {
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) return blocked("unshare(CLONE_NEWUSER)");
  printf("CREATED a user namespace\\n");
  return private_tmpfs();
}`;
const MOUNT = `${MOUNT_HELPER}
int main(void) {
  if (unshare(CLONE_NEWNS) < 0) return blocked("unshare(CLONE_NEWNS)");
  printf("CREATED a mount namespace\\n");
  return private_tmpfs();
}`;
const UNSHARE = ["/usr/bin/unshare", "/bin/unshare"].find((p) => fs.existsSync(p));
const UNSHARE_ARGS = ["--user", "--map-root-user", "/bin/sh", "-c", "echo ESCAPED"];

// A namespace of its own would let R remount the filesystem and escape its process isolation.
conformance("escape: namespaces and mounts", {
  needs: ["filesystem", "processes"],
  skip: noCompiler,
}, (ctx) => {
  const owner = sandboxOwner(ctx.backend.backend);
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

  it("cannot create a user namespace, nor mount in one", SLOW, async () => {
    assert.match(
      onHost(owner, "userns", USERNS),
      /CREATED a user namespace\nESCAPED mounted a tmpfs/,
      "control: the sandbox's uid may on the host",
    );
    assert.equal(await runAttack(s(), "userns"), "BLOCKED unshare(CLONE_NEWUSER): ENOSPC");
  });
  it("cannot create one with a copy of the host's unshare either", {
    ...SLOW,
    skip: UNSHARE ? false : "no unshare program on this host",
  }, async () => {
    const argv = asOwner(owner, [UNSHARE!, ...UNSHARE_ARGS]);
    const control = spawnSync(argv[0], argv.slice(1), { encoding: "utf8" });
    assert.equal(control.stdout.trim(), "ESCAPED", `control: ${control.stderr}`);
    const r = await s().execute(
      `writeBin(host_unshare(), "/tmp/unshare"); Sys.chmod("/tmp/unshare", "755")
      out <- suppressWarnings(system2("/tmp/unshare", ${
        JSON.stringify(UNSHARE_ARGS).replace("[", "c(").replace("]", ")")
      }, stdout = TRUE, stderr = TRUE))
      paste(out, collapse = " ")`,
    );
    assert.equal(r.value, "unshare: unshare failed: No space left on device");
  });
  it("cannot mount with the sandbox's own privileges", SLOW, async () => {
    assert.equal(await runAttack(s(), "mount"), "BLOCKED unshare(CLONE_NEWNS): EPERM");
  });
});
