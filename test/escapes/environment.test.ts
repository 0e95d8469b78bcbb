/**
 * Attack: read the host's secrets from the environment — R's own (`Sys.getenv()`,
 * /proc/self/environ), its parent's (/proc/<ppid>/environ), the sandbox's pid 1
 * (/proc/1/environ, which leaked bwrap's environment in the reference), and a host
 * process's (/proc/<pid>/environ).
 *
 * Defence: bwrap is started with an empty environment and `--clearenv`, and R gets only
 * the allowlist (R's own variables, locale, TZ, PATH, HOME and TMPDIR, and what the
 * caller passes in `env`); a pid namespace, so R's parent is the sandbox's own init.
 *
 * Positive control: the secret is in the host's environment, and every file read is read
 * (not refused), so the secret's absence from it is the defence's doing; a host process of
 * the sandbox's own uid holds the secret in an environment that uid reads on the host.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { after, before, it } from "node:test";
import { conformance } from "../_conformance.ts";
import { eventually, onlyOnLinux, SLOW } from "../_helpers.ts";
import { asOwner, attackSession, type Owner, sessionOwner } from "./_attack.ts";

/** What `owner` reads from `path` on the host (NULs as newlines), or "" when refused. */
function readAs(owner: Owner, path: string): string {
  const argv = asOwner(owner, ["/bin/cat", path]);
  return spawnSync(argv[0], argv.slice(1), { encoding: "utf8" }).stdout.replaceAll("\0", "\n");
}

const ALLOWED = new Set([
  "PWD",
  "HOME",
  "TMPDIR",
  "SECURER_OUTPUT_DIR", // where code leaves files to return (a path in the private /tmp)
  "PATH",
  "LANG",
  "LC_ALL",
  "TZ",
  "USER",
  "LOGNAME",
  "R_HOME",
  "R_SHARE_DIR",
  "R_INCLUDE_DIR",
  "R_DOC_DIR",
  "LD_LIBRARY_PATH",
  "R_LIBS_USER",
  "R_LIBS_SITE",
  "R_PLATFORM",
  "R_ARCH",
  "R_SESSION_TMPDIR",
  "R_PAPERSIZE",
  "R_PAPERSIZE_USER",
  "EDITOR",
  "PAGER",
  "R_PDFVIEWER",
  "R_BROWSER",
  "R_PRINTCMD",
  "R_TEXI2DVICMD",
  "R_UNZIPCMD",
  "R_ZIPCMD",
  "R_GZIPCMD",
  "R_BZIPCMD",
  "R_SYSTEM_ABI",
  "R_STRIP_SHARED_LIB",
  "R_STRIP_STATIC_LIB",
  "R_LIBS",
  "MAKE",
  "SED",
  "TAR",
  "LN_S",
  "R_DOC_DIR",
  "R_RD4PDF",
  "R_PLATFORM",
  "R_OSTYPE",
  "R_INSTALL_TAR",
]);

// Reading /proc/1 and /proc/<ppid> reaches host processes unless processes are isolated too.
conformance("escape: secrets in the environment", {
  needs: ["env", "processes"],
  skip: onlyOnLinux("reads /proc"),
}, (ctx) => {
  const secret = `s3cr3t-${crypto.randomUUID()}`;
  before(() => {
    process.env.SECURER_ESCAPE_SECRET = secret;
    process.env.AWS_SECRET_ACCESS_KEY = secret;
  });
  after(() => {
    delete process.env.SECURER_ESCAPE_SECRET;
    delete process.env.AWS_SECRET_ACCESS_KEY;
  });
  const s = ctx.shared(async () => {
    const session = await attackSession(ctx.options());
    // The file's bytes (NULs as newlines), or an error that fails the test: a refused read
    // is no proof the secret is absent.
    await session.execute(
      "environ <- function(path) { x <- readBin(path, 'raw', 1e6); x[x == as.raw(0)] <- as.raw(10); rawToChar(x) }",
    );
    return session;
  });

  for (
    const [what, code] of [
      ["Sys.getenv()", "paste(names(Sys.getenv()), Sys.getenv(), sep = '=', collapse = '\\n')"],
      ["/proc/self/environ", "environ('/proc/self/environ')"],
      ["/proc/1/environ", "environ('/proc/1/environ')"],
      [
        "/proc/<ppid>/environ",
        "environ(file.path('/proc', strsplit(readLines('/proc/self/stat'), ' ')[[1]][4], 'environ'))",
      ],
    ]
  ) {
    it(`finds no secret in ${what}`, SLOW, async () => {
      assert.equal(process.env.SECURER_ESCAPE_SECRET, secret, "control: the host has it");
      const text = String((await s().execute(code)).value);
      assert.ok(!text.includes(secret), `${what} leaked the secret`);
      assert.ok(!text.includes("SECURER_ESCAPE_SECRET") && !text.includes("AWS_SECRET"), what);
      // R's own environment holds PATH: this was a real read. (pid 1, R's parent, is bwrap,
      // whose environment is empty; a refused read would have failed above.)
      if (!what.includes("/proc/1") && !what.includes("ppid")) assert.match(text, /PATH=/);
    });
  }
  it("cannot read the environment of a host process of its own uid", SLOW, async () => {
    const owner = await sessionOwner(s());
    const argv = asOwner(owner, [
      "/usr/bin/env",
      `SECURER_ESCAPE_SECRET=${secret}`,
      "/bin/sleep",
      "300",
    ]);
    const victim = spawn(argv[0], argv.slice(1), { stdio: "ignore" });
    try {
      const file = `/proc/${victim.pid}/environ`;
      assert.ok(
        await eventually(() => readAs(owner, file).includes(secret), 2_000),
        "control: the sandbox's uid reads the secret there on the host",
      );
      const r = await s().execute(
        `p <- ${JSON.stringify(file)}; if (file.exists(p)) environ(p) else "absent"`,
      );
      assert.equal(r.value, "absent");
    } finally {
      victim.kill("SIGKILL");
    }
  });
  it("has only allowlisted variables", SLOW, async () => {
    const names = (await s().execute("names(Sys.getenv())")).value as string[];
    const extra = names.filter((n) => !ALLOWED.has(n));
    assert.deepEqual(extra, []);
  });
  it(
    "sees nothing in the environment of the sandbox's pid 1 (bwrap, started with an empty one)",
    SLOW,
    async () => {
      const comm = (await s().execute("readLines('/proc/1/comm')")).value;
      assert.equal(comm, "bwrap", "pid 1 is the sandbox's own init");
      const text = String((await s().execute("environ('/proc/1/environ')")).value);
      // Deno adds DENO_EXTRA_STDIO_FDS when a child gets descriptors beyond stdio (the
      // seccomp filter on 3); nothing else reaches it.
      const names = text.split("\n").filter((l) => l !== "").map((l) => l.slice(0, l.indexOf("=")));
      assert.deepEqual(names.filter((n) => n !== "DENO_EXTRA_STDIO_FDS"), []);
    },
  );
});
