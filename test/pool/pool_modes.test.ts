/**
 * SecureSessionPool: several executions in one lent session (`withSession`, `acquire`), and
 * what a session keeps between two uses under each `resetBetweenUses` mode and
 * `maxExecutionsPerSession`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SecureSessionPool, SessionClosedError } from "../../mod.ts";
import { ADD_TOOL, noR, SLOW } from "../_helpers.ts";

const base = { size: 1, sandbox: false, tools: [ADD_TOOL], acquireTimeout: 30_000 };
const tag = "if (!exists('me')) me <- runif(1); me";

describe("SecureSessionPool leases", { skip: noR }, () => {
  it("withSession() runs several executions in one session, then gives it back", SLOW, async () => {
    await using pool = await SecureSessionPool.create({ ...base, size: 2 });
    let kept: unknown;
    const value = await pool.withSession(async (session) => {
      await session.execute("x <- add(20, 1)");
      assert.equal(pool.status().busy, 1);
      kept = session;
      return (await session.execute("x * 2")).value;
    });
    assert.equal(value, 42);
    assert.equal(pool.status().idle, 2);
    await assert.rejects((kept as { execute(c: string): Promise<unknown> }).execute("1"), {
      name: "SessionClosedError",
      message: "This session was given back to the pool.",
    });
  });
  it("acquire() lends a session until the lease is disposed", SLOW, async () => {
    await using pool = await SecureSessionPool.create({ ...base });
    {
      await using lease = await pool.acquire();
      assert.equal((await lease.session.execute("y <- 5; y")).value, 5);
      await assert.rejects(pool.execute("1", { acquireTimeout: 0 }), /All sessions are busy/);
    }
    await assert.rejects(pool.acquire({ acquireTimeout: -1 }), RangeError);
    const lease = await pool.acquire();
    assert.equal((await lease.session.execute("y")).value, 5);
    await lease.release();
    await lease.release();
    await assert.rejects(lease.session.execute("y"), SessionClosedError);
  });
});

describe("SecureSessionPool resetBetweenUses", { skip: noR }, () => {
  it("false: state carries over from one use to the next", SLOW, async () => {
    await using pool = await SecureSessionPool.create({ ...base });
    const a = await pool.execute(tag);
    await pool.execute("x <- 1");
    assert.equal((await pool.execute(tag)).value, a.value);
    assert.equal((await pool.execute("exists('x')")).value, true);
  });
  it('"state": R\'s state is reset in the same process, the tools kept', SLOW, async () => {
    await using pool = await SecureSessionPool.create({ ...base, resetBetweenUses: "state" });
    const before = (await pool.execute(
      "list(Sys.getpid(), getwd(), getOption('digits'), search(), loadedNamespaces())",
    )).value as unknown[];
    await pool.execute(`
      x <- 1; .hidden <- 2; options(digits = 3, securer.test = TRUE)
      Sys.setenv(SECURER_POOL_TEST = "1"); set.seed(42)
      writeLines("x", file.path(tempdir(), "left.txt"))
      setwd(tempdir()); suppressWarnings(library(stats4)); e <- new.env(); attach(e, name = "mine")
      con <- file(file.path(tempdir(), "open.txt"), "w")
      pdf(file.path(tempdir(), "plot.pdf"))
    `);
    // The last use ran set.seed(42): after the reset's new seed, the next draw is not 42's.
    const after = (await pool.execute(`list(
      Sys.getpid(), getwd(), getOption('digits'), search(), loadedNamespaces(),
      exists('x'), exists('.hidden'), is.null(getOption('securer.test')),
      Sys.getenv('SECURER_POOL_TEST'), round(runif(1), 6) == 0.914806,
      file.exists(file.path(tempdir(), 'left.txt')),
      any(grepl('open.txt', showConnections()[, 'description'])),
      unname(dev.cur()) == 1L, add(1, 2))`)).value as unknown[];
    assert.deepEqual(after.slice(0, 5), before);
    assert.deepEqual(after.slice(5), [false, false, true, "", false, false, false, true, 3]);
  });
  it('"process": every use gets a fresh R process', SLOW, async () => {
    await using pool = await SecureSessionPool.create({ ...base, resetBetweenUses: "process" });
    const seen = new Set<unknown>();
    for (let i = 0; i < 4; i++) {
      const r = await pool.execute(`x_exists <- exists('x'); x <- 1; ${tag}; c(me, x_exists)`);
      const [me, existed] = r.value as [number, number];
      assert.equal(existed, 0);
      seen.add(me);
    }
    assert.equal(seen.size, 4);
  });
  it("maxExecutionsPerSession replaces a session after that many uses", SLOW, async () => {
    await using pool = await SecureSessionPool.create({ ...base, maxExecutionsPerSession: 2 });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await pool.execute(tag)).value);
    assert.equal(ids[0], ids[1]);
    assert.notEqual(ids[1], ids[2]);
    assert.equal(ids[2], ids[3]);
    assert.notEqual(ids[3], ids[4]);
  });
});
