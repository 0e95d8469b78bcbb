/**
 * Attack: read host files from R — the user's home, /root, /etc/shadow and /etc/passwd,
 * the project's own directory, and another session's directory.
 *
 * Defence: bubblewrap builds a new mount namespace holding only read-only binds of what R
 * needs (R's home and libraries, system libraries, a few /etc files, a shell); nothing
 * else of the host exists inside, and each sandbox binds only its own session directory.
 */
import assert from "node:assert/strict";
import { homedir } from "node:os";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { sessionDirOf, SLOW } from "../_helpers.ts";
import { attackSession } from "./_attack.ts";

conformance("escape: reading host files", { needs: ["filesystem"] }, (ctx) => {
  const a = ctx.shared(() => attackSession(ctx.options()));
  const b = ctx.shared(() => attackSession(ctx.options()));

  const probe = (path: string) =>
    `p <- ${
      JSON.stringify(path)
    }; list(exists = file.exists(p), listed = length(suppressWarnings(list.files(p, all.files = TRUE))), read = tryCatch({ readLines(p, n = 1L, warn = FALSE); "READ" }, error = function(e) "refused", warning = function(w) "refused"))`;

  for (
    const [what, path] of [
      ["the user's home", homedir()],
      ["/root", "/root"],
      ["/etc/shadow", "/etc/shadow"],
      ["/etc/passwd", "/etc/passwd"],
      ["the project's directory", process.cwd()],
      ["the project's package.json", `${process.cwd()}/package.json`],
    ]
  ) {
    it(`cannot see or read ${what}`, SLOW, async () => {
      const r = await a().execute(probe(path));
      assert.deepEqual(r.value, { exists: false, listed: 0, read: "refused" }, path);
    });
  }
  it("cannot see another session's directory or its FIFOs", SLOW, async () => {
    const other = await sessionDirOf(b());
    assert.deepEqual((await a().execute(probe(other))).value, {
      exists: false,
      listed: 0,
      read: "refused",
    });
    const fifo = await a().execute(`file.exists(file.path(${JSON.stringify(other)}, "res"))`);
    assert.equal(fifo.value, false);
    assert.notEqual(await sessionDirOf(a()), other);
  });
  it("sees only what was bound at the root", SLOW, async () => {
    const r = await a().execute('sort(list.files("/"))');
    for (const name of r.value as string[]) {
      assert.ok(
        ["bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp", "usr"]
          .includes(name),
        name,
      );
    }
    const etc = (await a().execute('list.files("/etc")')).value as string[];
    assert.ok(
      !etc.includes("passwd") && !etc.includes("shadow") && !etc.includes("hostname"),
      etc.join(","),
    );
  });
});
