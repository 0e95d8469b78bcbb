/**
 * The exact Deno permissions a program needs to run a sandboxed session, and what it is
 * told when one is missing: the missing flag, never "bwrap is not installed".
 *
 * Runs under Deno only (`scripts/test.mjs` says why under the other two): it spawns `deno run`
 * itself on a fixture that creates a sandboxed session, evaluates `1 + 1`, has one execution
 * time out (so R inside the sandbox gets interrupted: Deno refuses /proc without
 * `--allow-all`, so R is found with `ps`), reads the kept state back and closes.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { SANDBOX } from "../_backends.ts";
import { noR } from "../_helpers.ts";
import { makeSessionDir } from "../../src/platform/session_dirs.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const deno = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/sandboxed_program.ts", import.meta.url));

/** The permissions the README documents for a program that runs sandboxed sessions. */
const NEEDED = ["--allow-env", "--allow-read", "--allow-write", "--allow-run", "--allow-sys"];
/** The narrowest set that works: writes only to the temp directory, only the `uid` sys call. */
const NARROWEST = [
  "--allow-env",
  "--allow-read",
  `--allow-write=${tmpdir()}`,
  "--allow-run",
  "--allow-sys=uid",
];

const skip = process.platform !== "linux"
  ? "the permissions were measured with bubblewrap, on Linux"
  : !fs.existsSync(deno)
  ? "node_modules/.bin/deno is missing (run `npm ci`)"
  : noR || SANDBOX.skip;

/** Runs the fixture under `deno run` with exactly `flags`. */
function runFixture(
  flags: readonly string[],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(deno, ["run", ...flags, fixture], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, out, err }));
  });
}

describe("Deno permissions", { skip }, () => {
  for (const [name, flags] of [["exactly", NEEDED], ["the narrowest", NARROWEST]] as const) {
    it(
      `a sandboxed program runs with ${name} ${flags.join(" ")}`,
      { timeout: 120_000 },
      async () => {
        const r = await runFixture(flags);
        assert.equal(r.code, 0, r.err);
        const last = r.out.trim().split("\n").at(-1) ?? "";
        assert.deepEqual(JSON.parse(last), {
          value: 2,
          timeout: "ExecutionTimeoutError",
          kept: 2,
          backend: "bubblewrap",
        });
      },
    );
  }

  for (const missing of NEEDED) {
    it(`without ${missing} the error names ${missing}, not a missing program`, {
      timeout: 120_000,
    }, async () => {
      // A live host's session directory, which the restricted host must not sweep: a host
      // that may not ask whether a process exists must take it as existing.
      const live = await makeSessionDir();
      let r;
      try {
        r = await runFixture(NEEDED.filter((f) => f !== missing));
        assert.ok(fs.existsSync(live), "a live host's session directory was swept");
      } finally {
        fs.rmSync(live, { recursive: true, force: true });
      }
      assert.notEqual(r.code, 0);
      assert.match(r.err, /SandboxUnavailableError/);
      assert.match(r.err, new RegExp(`run again with the ${missing} flag`));
      assert.match(r.err, new RegExp(`fix: grant it: run with ${missing}\\b`));
      assert.doesNotMatch(r.err, /not installed/);
    });
  }
});
