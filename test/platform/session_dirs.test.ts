/**
 * Session directories carry their host's pid, and a starting host sweeps the directories
 * of hosts that are gone (a host killed with SIGKILL runs no exit hook).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, describe, it } from "node:test";
import { makeSessionDir, sweepStaleSessionDirs } from "../../src/platform/session_dirs.ts";
import { ownerTag, pidNamespace } from "../../src/platform/host_owner.ts";

const root = fs.mkdtempSync(join(tmpdir(), "securer-sweep-test-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync("true");
  assert.equal(r.status, 0);
  return r.pid!;
}

describe("session directories", () => {
  it("are named after the host's pid and private", async () => {
    const dir = await makeSessionDir();
    try {
      assert.match(basename(dir), new RegExp(`^securer-${ownerTag()}-[A-Za-z0-9]{6}$`));
      assert.match(ownerTag(), /^\d+-\d+$/, "the pid and the pid namespace");
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("of hosts that are gone are swept; live hosts', other namespaces' and foreign names are kept", async () => {
    const ns = pidNamespace();
    const dead = join(root, `securer-${deadPid()}-${ns}-AbC123`);
    const mine = join(root, `securer-${process.pid}-${ns}-XyZ789`);
    const live = join(root, `securer-1-${ns}-LiVe00`); // pid 1 always exists
    // A pid of another pid namespace says nothing here: its host may well be alive.
    const elsewhere = join(root, `securer-${deadPid()}-${Number(ns) + 1}-ElSe00`);
    const other = join(root, "securer-not-a-session");
    const all = [dead, mine, live, elsewhere, other];
    for (const d of all) fs.mkdirSync(join(d, "tmp"), { recursive: true });
    fs.writeFileSync(join(dead, "tmp", "file"), "left behind");
    assert.equal(await sweepStaleSessionDirs(root), 1);
    assert.equal(fs.existsSync(dead), false);
    for (const d of [mine, live, elsewhere, other]) assert.ok(fs.existsSync(d), `${d} was kept`);
  });
});
