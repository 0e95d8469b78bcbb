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
      assert.match(basename(dir), new RegExp(`^securer-${process.pid}-[A-Za-z0-9]{6}$`));
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("of hosts that are gone are swept; live hosts' and foreign names are kept", async () => {
    const dead = join(root, `securer-${deadPid()}-AbC123`);
    const mine = join(root, `securer-${process.pid}-XyZ789`);
    const live = join(root, `securer-1-LiVe00`); // pid 1 always exists
    const other = join(root, "securer-not-a-session");
    for (const d of [dead, mine, live, other]) fs.mkdirSync(join(d, "tmp"), { recursive: true });
    fs.writeFileSync(join(dead, "tmp", "file"), "left behind");
    assert.equal(await sweepStaleSessionDirs(root), 1);
    assert.equal(fs.existsSync(dead), false);
    for (const d of [mine, live, other]) assert.ok(fs.existsSync(d), `${d} was kept`);
  });
});
