/**
 * The runtime compiled to R byte code once per machine (`compiled_runtime.ts`): compiled
 * into a private cache on first use, run by every session after, sandboxed or not; a cache
 * that cannot be trusted or read is never used, and sessions then run the source.
 *
 * Each test points `XDG_CACHE_HOME` at a directory of its own (the host's memo is per
 * directory), and tells compiled from source by a runtime closure no test calls:
 * `.securer_call_tool` shows `<bytecode>` only if it was compiled ahead of time, since R's
 * JIT compiles a closure on its first call.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SecureSession, type SessionOptions } from "../../mod.ts";
import { SANDBOX } from "../_backends.ts";
import { noR, sessionDirOf, SLOW, suiteTempDir } from "../_helpers.ts";

const COMPILED =
  'grepl("<bytecode", paste(capture.output(print(.securer_call_tool)), collapse = ""))';

describe("the compiled runtime", { skip: noR }, () => {
  const root = suiteTempDir("securer-compiled-runtime-test-");
  const saved = process.env.XDG_CACHE_HOME;
  after(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  });
  let n = 0;
  /** A new cache home for one test; returns where securer keeps its files in it. */
  const freshCache = (mode = 0o700): string => {
    const home = join(root(), `cache-${++n}`);
    fs.mkdirSync(join(home, "securer"), { recursive: true });
    fs.chmodSync(join(home, "securer"), mode);
    process.env.XDG_CACHE_HOME = home;
    return join(home, "securer");
  };
  /** Runs `fn` on a new session, and says whether it ran the compiled runtime. */
  const runs = async (
    options: SessionOptions = { sandbox: false },
    fn?: (s: SecureSession) => Promise<void>,
  ): Promise<{ compiled: boolean; copied: boolean }> => {
    const s = await SecureSession.create(options);
    try {
      await fn?.(s);
      const copied = fs.existsSync(join(await sessionDirOf(s), "runtime.rds"));
      return { compiled: (await s.execute(COMPILED)).value === true, copied };
    } finally {
      await s.close();
    }
  };

  let name = "";
  let bytes: Uint8Array = new Uint8Array();
  before(async () => {
    const cache = freshCache();
    assert.deepEqual(await runs(), { compiled: true, copied: true });
    const files = fs.readdirSync(cache);
    assert.equal(files.length, 1, `one file in the cache: ${files}`);
    name = files[0];
    bytes = fs.readFileSync(join(cache, name));
  });

  it(
    "is compiled on first use into one private file, which later sessions reuse",
    SLOW,
    async () => {
      assert.match(name, /^runtime-[0-9a-f]{32}\.rds$/);
      const cache = freshCache();
      assert.deepEqual(await runs(), { compiled: true, copied: true });
      const path = join(cache, name);
      const st = fs.statSync(path);
      assert.equal(st.mode & 0o777, 0o600);
      assert.deepEqual(fs.readdirSync(cache), [name], "nothing else is left in the cache");
      assert.deepEqual(await runs(), { compiled: true, copied: true });
      assert.equal(fs.statSync(path).mtimeMs, st.mtimeMs, "not compiled again");
    },
  );

  it(
    "removes, when it compiles, the compiled runtimes no host has used for 30 days",
    SLOW,
    async () => {
      const cache = freshCache();
      const stale = join(cache, `runtime-${"0".repeat(32)}.rds`);
      const recent = join(cache, `runtime-${"1".repeat(32)}.rds`);
      const other = join(cache, "notes.txt");
      for (const f of [stale, recent, other]) fs.writeFileSync(f, "X\n", { mode: 0o600 });
      const old = new Date(Date.now() - 31 * 24 * 60 * 60 * 1000);
      for (const f of [stale, other]) fs.utimesSync(f, old, old);
      const lately = new Date(Date.now() - 29 * 24 * 60 * 60 * 1000);
      fs.utimesSync(recent, lately, lately);
      assert.deepEqual(await runs(), { compiled: true, copied: true });
      assert.deepEqual(
        fs.readdirSync(cache).sort(),
        [name, "notes.txt", `runtime-${"1".repeat(32)}.rds`].sort(),
      );
      // A host that uses a cached file marks it used.
      const used = freshCache();
      fs.writeFileSync(join(used, name), bytes, { mode: 0o600 });
      fs.utimesSync(join(used, name), old, old);
      assert.deepEqual(await runs(), { compiled: true, copied: true });
      assert.ok(fs.statSync(join(used, name)).mtimeMs > Date.now() - 600_000, "marked used");
    },
  );

  it(
    `runs inside the sandbox [${SANDBOX.name}]`,
    { ...SLOW, skip: SANDBOX.skip },
    async () => {
      freshCache();
      assert.deepEqual(await runs(SANDBOX.options), { compiled: true, copied: true });
    },
  );

  it(
    "is not used from a cache directory others can write; sessions run the source",
    SLOW,
    async () => {
      const cache = freshCache(0o777);
      fs.writeFileSync(join(cache, name), bytes, { mode: 0o600 });
      assert.deepEqual(await runs(), { compiled: false, copied: false });
    },
  );

  it("is not used when no cache directory can be made; sessions run the source", SLOW, async () => {
    const file = join(root(), "not-a-directory");
    fs.writeFileSync(file, "");
    process.env.XDG_CACHE_HOME = file;
    assert.deepEqual(await runs(), { compiled: false, copied: false });
  });

  it(
    "replaces a cached file others can write, and a planted symlink, never following it",
    SLOW,
    async () => {
      const cache = freshCache();
      fs.writeFileSync(join(cache, name), bytes, { mode: 0o666 });
      fs.chmodSync(join(cache, name), 0o666);
      assert.deepEqual(await runs(), { compiled: true, copied: true });
      assert.equal(fs.statSync(join(cache, name)).mode & 0o777, 0o600);

      const other = freshCache();
      const target = join(root(), "target");
      fs.writeFileSync(target, "X\nnot R byte code");
      fs.symlinkSync(target, join(other, name));
      assert.deepEqual(await runs(), { compiled: true, copied: true });
      assert.ok(fs.lstatSync(join(other, name)).isFile(), "the link was replaced by a file");
      assert.equal(
        fs.readFileSync(target, "utf8"),
        "X\nnot R byte code",
        "and never written through",
      );
    },
  );

  it("falls back to the source when the cached file is not R byte code", SLOW, async () => {
    const cache = freshCache();
    fs.writeFileSync(join(cache, name), "X\nnot R byte code", { mode: 0o600 });
    assert.deepEqual(
      await runs(undefined, async (s) => {
        assert.equal((await s.execute("1 + 1")).value, 2);
      }),
      { compiled: false, copied: true },
    );
  });
});
