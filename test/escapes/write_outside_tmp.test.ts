/**
 * Attack: write outside /tmp — into the sandbox's root, /etc, /dev and /dev/shm, into a
 * host directory bound into the sandbox that the sandbox's uid owns, into the session
 * directory (its FIFOs and the runtime), and through symlinks made in /tmp that point a
 * write at the session directory or at /etc.
 *
 * Defence: the root and /dev are remounted read-only (bwrap `--remount-ro`), every host
 * path is bound read-only (`--ro-bind`), the session directory too (its FIFOs still work:
 * a FIFO is not written through the filesystem); the only writable place is the private
 * /tmp tmpfs, which the host never reads. (No file of the sandbox's /proc is a host file:
 * what is writable there is its own process's, so /proc is not a target.)
 *
 * Positive control: every target directory is owned by the sandbox's uid (bwrap makes the
 * root's directories as that uid; the bound host directory and the session directory are
 * given to it), so nothing but the read-only mount stops the write; each refusal must be
 * EROFS ("Read-only file system"), never a permission error. On the host, the same program
 * writes the bound directory as the sandbox's uid.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { after, it } from "node:test";
import { conformance } from "../_conformance.ts";
import { sessionDirOf, SLOW } from "../_helpers.ts";
import {
  attackBinary,
  attackSession,
  C_PRELUDE,
  noCompiler,
  onHost,
  type Owner,
  sandboxOwner,
  sessionOwner,
} from "./_attack.ts";
import { chownTree, runWrapped } from "./_wrapped.ts";

const EROFS = /Read-only file system/;
const tag = crypto.randomUUID();

// Overwrites argv[1]/owned, creates argv[1]/new, renames and deletes: one line each.
const WRITE = `static void try(const char *what, int r) {
  printf("%s: %s\\n", what, r < 0 ? strerrorname_np(errno) : "done");
}
int main(int argc, char **argv) {
  char owned[4096], created[4096], moved[4096];
  snprintf(owned, sizeof owned, "%s/owned", argv[1]);
  snprintf(created, sizeof created, "%s/new", argv[1]);
  snprintf(moved, sizeof moved, "%s/moved", argv[1]);
  int fd = open(owned, O_WRONLY | O_TRUNC);
  try("overwrite", fd < 0 ? -1 : (int)write(fd, "pwned", 5));
  try("create", open(created, O_WRONLY | O_CREAT, 0644));
  try("rename", rename(owned, moved));
  try("chmod", chmod(owned, 0777));
  return 0;
}`;
const REFUSED = ["overwrite: EROFS", "create: EROFS", "rename: EROFS", "chmod: EROFS"];

/** A directory outside /tmp (the private /tmp would hide one under it). */
function outsideTmp(prefix: string): string {
  const base = ["/var/tmp", process.cwd()].find((d) => !d.startsWith("/tmp") && fs.existsSync(d));
  if (base === undefined) throw new Error("Cannot find a directory outside /tmp");
  return fs.mkdtempSync(join(base, prefix));
}

/** A directory holding `owned`, both given to `owner`, as the sandbox's uid would own them. */
function ownedDir(owner: Owner): string {
  const dir = outsideTmp("securer-owned-");
  fs.writeFileSync(join(dir, "owned"), "original", { mode: 0o644 });
  fs.chmodSync(dir, 0o755);
  if (owner !== null) {
    fs.chownSync(dir, owner.uid, owner.gid);
    fs.chownSync(join(dir, "owned"), owner.uid, owner.gid);
  }
  return dir;
}

conformance("escape: writing outside /tmp", { needs: ["filesystem"], skip: noCompiler }, (ctx) => {
  const owner = sandboxOwner(ctx.backend.backend);
  let dir: string;
  const s = ctx.shared(async () => {
    const session = await attackSession(ctx.options());
    dir = await sessionDirOf(session);
    await session.execute(
      'try_write <- function(p) tryCatch({ writeLines("pwned", p); "WROTE" }, warning = function(w) conditionMessage(w), error = function(e) conditionMessage(e))',
    );
    return session;
  });
  // With no sandbox at all these would be the host's: never leave one behind.
  const hostPaths = ["/", "/etc", "/dev", "/dev/shm"].map((d) => join(d, `pwned-${tag}`));
  after(() => {
    const more = [`/etc/escaped-${tag}`, `/tmp/d-${tag}`, `/tmp/e-${tag}`, `/tmp/fine-${tag}`];
    for (const p of [...hostPaths, ...more]) fs.rmSync(p, { force: true });
  });

  for (const path of hostPaths) {
    const parent = path.slice(0, path.lastIndexOf("/")) || "/";
    it(`cannot write in ${parent}, a directory it owns`, SLOW, async () => {
      const uid = (await s().execute(`file.info(${JSON.stringify(parent)})$uid`)).value;
      const own = await sessionOwner(s());
      if (own !== null) assert.equal(uid, own.uid, `control: the sandbox's uid owns ${parent}`);
      assert.match(String((await s().execute(`try_write(${JSON.stringify(path)})`)).value), EROFS);
    });
  }
  it("cannot write a host directory bound read-only, though it owns it", SLOW, async () => {
    const program = attackBinary("write", C_PRELUDE + WRITE);
    const control = ownedDir(owner);
    const bound = ownedDir(null);
    try {
      assert.match(onHost(owner, "write", WRITE, [control]), /^overwrite: done/, "control");
      // Given to the uid this very sandbox runs under, once wrap() has chosen it.
      const r = await runWrapped(ctx.backend.backend, program, [bound], {
        readPaths: [bound],
        beforeRun: (owner) => {
          if (owner !== null) chownTree(bound, owner.uid, owner.gid);
        },
      });
      assert.deepEqual(r.output.trim().split("\n"), REFUSED);
      assert.equal(fs.readFileSync(join(bound, "owned"), "utf8"), "original");
      assert.deepEqual(fs.readdirSync(bound), ["owned"]);
    } finally {
      fs.rmSync(control, { recursive: true, force: true });
      fs.rmSync(bound, { recursive: true, force: true });
    }
  });
  it("cannot write into, replace or delete in the session directory", SLOW, async () => {
    const own = await sessionOwner(s());
    if (own !== null) assert.equal(fs.statSync(dir).uid, own.uid, "control: it owns it");
    const d = JSON.stringify(dir);
    const r = await s().execute(`d <- ${d}; c(
      try_write(file.path(d, "new")),
      try_write(file.path(d, "runtime.R")),
      try_write(file.path(d, "runtime.rds")),
      if (suppressWarnings(file.remove(file.path(d, "runtime.R")))) "DELETED" else "refused",
      if (suppressWarnings(file.remove(file.path(d, "runtime.rds")))) "DELETED" else "refused",
      if (suppressWarnings(file.symlink("/etc/shadow", file.path(d, "link")))) "LINKED" else "refused")`);
    const [created, replaced, replacedCompiled, ...rest] = r.value as string[];
    assert.match(created, EROFS);
    assert.match(replaced, EROFS);
    assert.match(replacedCompiled, EROFS);
    assert.deepEqual(rest, ["refused", "refused", "refused"]);
    // runtime.rds: the compiled runtime, when this machine's cache has one.
    const files = fs.readdirSync(dir).filter((f) => !["seccomp.bpf", "runtime.rds"].includes(f));
    assert.deepEqual(files.sort(), ["boot.R", "out", "req", "res", "runtime.R", "tmp"]);
  });
  it("cannot redirect a write through a symlink made in /tmp", SLOW, async () => {
    const r = await s().execute(
      `file.symlink(${JSON.stringify(dir)}, "/tmp/d-${tag}"); file.symlink("/etc", "/tmp/e-${tag}")
      c(try_write("/tmp/d-${tag}/escaped"), try_write("/tmp/e-${tag}/escaped-${tag}"))`,
    );
    for (const v of r.value as string[]) assert.match(v, EROFS);
    assert.ok(!fs.existsSync(join(dir, "escaped")));
  });
  it("can write its own /tmp", SLOW, async () => {
    assert.equal((await s().execute(`try_write("/tmp/fine-${tag}")`)).value, "WROTE");
  });
});
