/**
 * Attack: write outside /tmp — into R's home, /etc, the root, /dev/shm, /proc, the
 * session directory (its FIFOs and the runtime), and through symlink tricks that point
 * a write at the session directory or at a host file.
 *
 * Defence: the root, every bind and /dev are read-only (bwrap `--remount-ro`), the session
 * directory is bound read-only (its FIFOs still work: a FIFO is not written through the
 * filesystem), and the only writable place is the private /tmp tmpfs, which the host
 * never reads.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { sessionDirOf, SLOW } from "../_helpers.ts";
import { attackSession } from "./_attack.ts";

conformance("escape: writing outside /tmp", { needs: ["filesystem"] }, (ctx) => {
  let dir: string;
  const s = ctx.shared(async () => {
    const session = await attackSession(ctx.options());
    dir = await sessionDirOf(session);
    return session;
  });

  const tryWrite = (path: string) =>
    `tryCatch({ suppressWarnings(writeLines("pwned", ${
      JSON.stringify(path)
    })); "WROTE" }, error = function(e) "refused")`;

  for (
    const path of [
      "/etc/pwned",
      "/usr/lib/R/pwned",
      "/pwned",
      "/dev/shm/pwned",
      "/dev/pwned",
      "/proc/pwned",
      "/usr/bin/sh",
    ]
  ) {
    it(`cannot write ${path}`, SLOW, async () => {
      assert.equal((await s().execute(tryWrite(path))).value, "refused");
    });
  }
  it("cannot write into, replace or delete in the session directory", SLOW, async () => {
    const d = JSON.stringify(dir);
    const r = await s().execute(`d <- ${d}; c(
      ${tryWrite(`${dir}/new`)},
      tryCatch({ suppressWarnings(writeLines("x", file.path(d, "runtime.R"))); "WROTE" }, error = function(e) "refused"),
      if (suppressWarnings(file.remove(file.path(d, "runtime.R")))) "DELETED" else "refused",
      if (suppressWarnings(file.symlink("/etc/shadow", file.path(d, "link")))) "LINKED" else "refused")`);
    assert.deepEqual(r.value, ["refused", "refused", "refused", "refused"]);
    const files = fs.readdirSync(dir).filter((f) => f !== "seccomp.bpf").sort();
    assert.deepEqual(files, ["boot.R", "out", "req", "res", "runtime.R", "tmp"]);
  });
  it("cannot redirect a write through a symlink made in /tmp", SLOW, async () => {
    const r = await s().execute(
      `file.symlink(${JSON.stringify(dir)}, "/tmp/d"); file.symlink("/etc", "/tmp/e")
      c(${tryWrite("/tmp/d/escaped")}, ${tryWrite("/tmp/e/escaped")})`,
    );
    assert.deepEqual(r.value, ["refused", "refused"]);
    assert.ok(!fs.existsSync(`${dir}/escaped`));
  });
  it("can write its own /tmp", SLOW, async () => {
    assert.equal((await s().execute(`${tryWrite("/tmp/fine")}`)).value, "WROTE");
  });
});
