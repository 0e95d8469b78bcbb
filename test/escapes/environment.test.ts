/**
 * Attack: read the host's secrets from the environment — R's own (`Sys.getenv()`,
 * /proc/self/environ), its parent's (/proc/<ppid>/environ) and the sandbox's pid 1
 * (/proc/1/environ, which leaked bwrap's environment in the reference).
 *
 * Defence: bwrap is started with an empty environment and `--clearenv`, and R gets only
 * the allowlist (R's own variables, locale, TZ, PATH, HOME and TMPDIR, and what the
 * caller passes in `env`).
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";
import { attackSession } from "./_attack.ts";

const ALLOWED = new Set([
  "PWD",
  "HOME",
  "TMPDIR",
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
conformance("escape: secrets in the environment", { needs: ["env", "processes"] }, (ctx) => {
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
    await session.execute(
      "environ <- function(path) { x <- readBin(path, 'raw', 1e6); x[x == as.raw(0)] <- as.raw(10); rawToChar(x) }",
    );
    return session;
  });

  for (
    const [what, code] of [
      ["Sys.getenv()", "paste(names(Sys.getenv()), Sys.getenv(), collapse = '\\n')"],
      ["/proc/self/environ", "environ('/proc/self/environ')"],
      ["/proc/1/environ", "environ('/proc/1/environ')"],
      [
        "/proc/<ppid>/environ",
        "environ(file.path('/proc', strsplit(readLines('/proc/self/stat'), ' ')[[1]][4], 'environ'))",
      ],
    ]
  ) {
    it(`finds no secret in ${what}`, SLOW, async () => {
      const text = String((await s().execute(code)).value);
      assert.ok(!text.includes(secret), `${what} leaked the secret`);
      assert.ok(!text.includes("SECURER_ESCAPE_SECRET") && !text.includes("AWS_SECRET"), what);
    });
  }
  it("has only allowlisted variables", SLOW, async () => {
    const names = (await s().execute("names(Sys.getenv())")).value as string[];
    const extra = names.filter((n) => !ALLOWED.has(n));
    assert.deepEqual(extra, []);
  });
  it(
    "sees nothing in the environment of the sandbox's pid 1 (bwrap, started with an empty one)",
    SLOW,
    async () => {
      const text = String((await s().execute("environ('/proc/1/environ')")).value);
      // Deno adds DENO_EXTRA_STDIO_FDS when a child gets descriptors beyond stdio (the
      // seccomp filter on 3); nothing else reaches it.
      const names = text.split("\n").filter((l) => l !== "").map((l) => l.slice(0, l.indexOf("=")));
      assert.deepEqual(names.filter((n) => n !== "DENO_EXTRA_STDIO_FDS"), []);
    },
  );
});
