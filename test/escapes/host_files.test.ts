/**
 * Attack: read host files from R — the user's home, /root, /etc/shadow and /etc/passwd, a
 * directory outside /tmp holding a secret, the project's directory, a secret in the host's
 * /tmp, another session's directory — and learn the host's name.
 *
 * Defence: bubblewrap builds a new mount namespace holding only read-only binds of what R
 * needs (R's home and libraries, system libraries, a few /etc files, a shell); nothing
 * else of the host exists inside. /tmp is a private tmpfs (so the host's /tmp, and the
 * session directories in it, are not there), each sandbox binds only its own session
 * directory, and a UTS namespace of its own gives it the name "sandbox".
 *
 * Positive control: every target exists on the host, and the secrets are readable there by
 * the sandbox's own uid; the host's name is not "sandbox".
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { conformance } from "../_conformance.ts";
import { sessionDirOf, SLOW } from "../_helpers.ts";
import { asOwner, attackSession, type Owner, sandboxOwner } from "./_attack.ts";

const underTmp = (p: string) => p === "/tmp" || p.startsWith("/tmp/");

/** A directory outside /tmp where the test may create one: /var/tmp, else the project. */
function outsideTmpBase(): string {
  const base = ["/var/tmp", process.cwd()].find((d) => !underTmp(d) && fs.existsSync(d));
  if (base === undefined) throw new Error("Cannot find a directory outside /tmp to hold a secret");
  return base;
}

/** What `owner` reads from `path` on the host, without any sandbox. */
function readAs(owner: Owner, path: string): string {
  const argv = asOwner(owner, ["/bin/cat", path]);
  return spawnSync(argv[0], argv.slice(1), { encoding: "utf8" }).stdout;
}

const probe = (path: string) =>
  `p <- ${
    JSON.stringify(path)
  }; list(exists = file.exists(p), listed = length(suppressWarnings(list.files(p, all.files = TRUE))), read = tryCatch(paste(readLines(p, warn = FALSE), collapse = "\\n"), error = function(e) "refused", warning = function(w) "refused"))`;
const HIDDEN = { exists: false, listed: 0, read: "refused" };

conformance("escape: reading host files", { needs: ["filesystem"] }, (ctx) => {
  const owner = sandboxOwner(ctx.backend.backend);
  const a = ctx.shared(() => attackSession(ctx.options()));
  const b = ctx.shared(() => attackSession(ctx.options()));
  const secret = `s3cr3t-${crypto.randomUUID()}`;
  let secretDir = "";
  const hostTmpFile = `/tmp/securer-escape-${crypto.randomUUID()}`;
  before(() => {
    secretDir = fs.mkdtempSync(join(outsideTmpBase(), "securer-escape-"));
    fs.chmodSync(secretDir, 0o755);
    fs.writeFileSync(join(secretDir, "secret.txt"), secret, { mode: 0o644 });
    fs.writeFileSync(hostTmpFile, secret, { mode: 0o644 });
  });
  after(() => {
    fs.rmSync(secretDir, { recursive: true, force: true });
    fs.rmSync(hostTmpFile, { force: true });
  });

  for (
    const [what, path] of [
      ["the user's home", homedir()],
      ["/root", "/root"],
      ["/etc/shadow", "/etc/shadow"],
      ["/etc/passwd", "/etc/passwd"],
    ]
  ) {
    it(`cannot see or read ${what}`, SLOW, async () => {
      assert.ok(fs.existsSync(path), `control: ${path} exists on the host`);
      assert.deepEqual((await a().execute(probe(path))).value, HIDDEN, path);
    });
  }
  it("cannot see or read a secret in a directory outside /tmp", SLOW, async () => {
    const file = join(secretDir, "secret.txt");
    assert.equal(readAs(owner, file), secret, "control: the sandbox's uid reads it on the host");
    assert.deepEqual((await a().execute(probe(file))).value, HIDDEN);
    assert.deepEqual((await a().execute(probe(secretDir))).value, HIDDEN);
  });
  it("cannot see or read a secret in the host's /tmp", SLOW, async () => {
    assert.equal(readAs(owner, hostTmpFile), secret, "control: readable on the host");
    assert.deepEqual((await a().execute(probe(hostTmpFile))).value, HIDDEN);
  });
  it("cannot see or read the project's directory", {
    ...SLOW,
    skip: underTmp(process.cwd())
      ? "the checkout is under /tmp, which the private /tmp hides anyway (the secret outside /tmp stands in)"
      : false,
  }, async () => {
    for (const path of [process.cwd(), join(process.cwd(), "package.json")]) {
      assert.ok(fs.existsSync(path), `control: ${path}`);
      assert.deepEqual((await a().execute(probe(path))).value, HIDDEN, path);
    }
  });
  it("cannot see another session's directory or its FIFOs", SLOW, async () => {
    const other = await sessionDirOf(b());
    assert.notEqual(await sessionDirOf(a()), other);
    assert.ok(fs.existsSync(join(other, "res")), "control: it exists on the host");
    assert.deepEqual((await a().execute(probe(other))).value, HIDDEN);
    const fifo = await a().execute(`file.exists(file.path(${JSON.stringify(other)}, "res"))`);
    assert.equal(fifo.value, false);
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
  it("has a name of its own, not the host's", SLOW, async () => {
    assert.notEqual(hostname(), "sandbox", "control: the host has another name");
    const r = await a().execute('Sys.info()[["nodename"]]');
    assert.equal(r.value, "sandbox");
  });
});
