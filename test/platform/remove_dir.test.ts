/**
 * `removeDir` removes a session directory even while a dying process still writes into it
 * (400 files, about 80 ms here):
 * one pass of `rm -r` fails with `ENOTEMPTY` when an entry appears after it listed the
 * directory, and a left directory is a leak (the pool's load test saw one, rarely).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { removeDir } from "../../src/platform/files.ts";

it("removes a directory a process is still writing into", {
  skip: process.platform === "win32" ? "needs sh" : false,
}, async () => {
  const dir = fs.mkdtempSync(join(tmpdir(), "securer-remove-dir-test-"));
  const writer = spawn("sh", [
    "-c",
    // A file every 200 µs or so, 400 of them (about 80 ms here), then a stop.
    `i=0; while [ $i -lt 400 ]; do : > "$1/f$i" 2>/dev/null || exit 0; i=$((i + 1)); done`,
    "sh",
    dir,
  ], { stdio: "ignore" });
  const done = new Promise((resolve) => writer.once("close", resolve));
  // Removed once the writer is writing, as a dying R process would be.
  while (!fs.existsSync(join(dir, "f0"))) await new Promise((resolve) => setTimeout(resolve, 2));
  await removeDir(dir);
  const gone = !fs.existsSync(dir);
  await done;
  fs.rmSync(dir, { recursive: true, force: true });
  assert.ok(gone, "one removeDir() removed it");
});
