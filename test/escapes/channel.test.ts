/**
 * Attack: tamper with another session's channel — open its FIFOs to read its tool replies
 * or inject messages — and read this session's secret from the filesystem or environment.
 *
 * Defence: each sandbox binds only its own session directory (another session's FIFOs do
 * not exist inside it), session directories are 0700, and the host deletes `init.json`
 * (the only file that held the secret) as soon as R has said hello; the secret never
 * travels in the environment.
 *
 * Positive control: every session of a backend runs under the same uid, which owns the
 * other session's FIFOs: only their absence from this sandbox keeps them shut.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { sessionDirOf, SLOW } from "../_helpers.ts";
import { attackSession, sessionOwner } from "./_attack.ts";

conformance("escape: another session's channel", { needs: ["filesystem"] }, (ctx) => {
  const a = ctx.shared(() => attackSession(ctx.options()));
  const b = ctx.shared(() => attackSession(ctx.options()));

  it("cannot open another session's FIFOs", SLOW, async () => {
    const other = await sessionDirOf(b());
    const owner = await sessionOwner(b());
    if (owner !== null) {
      const uid = fs.statSync(join(other, "req")).uid;
      assert.equal(uid, owner.uid, "control: they belong to that session's own uid");
    }
    for (const fifo of ["req", "res", "out"]) {
      const r = await a().execute(
        `tryCatch({ con <- suppressWarnings(fifo(file.path(${
          JSON.stringify(other)
        }, "${fifo}"), "w", blocking = FALSE)); close(con); "OPENED" }, error = function(e) "refused")`,
      );
      assert.equal(r.value, "refused", fifo);
    }
    assert.equal((await b().execute("1 + 1")).value, 2, "the other session is untouched");
  });
  it(
    "keeps session directories private on the host and deletes the secret file",
    SLOW,
    async () => {
      const dir = await sessionDirOf(a());
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
      assert.ok(!fs.existsSync(`${dir}/init.json`));
      const r = await a().execute(`file.exists(file.path(${JSON.stringify(dir)}, "init.json"))`);
      assert.equal(r.value, false);
    },
  );
});
