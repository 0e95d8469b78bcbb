/**
 * Attack: run other programs — python3, perl, curl, wget, nc, bash, busybox, apt, ssh,
 * gcc — by name through the shell and by absolute path.
 *
 * Defence: the sandbox's filesystem holds only R's own binaries, `sh`, and `which`, `rm`,
 * `env` and `prlimit`; the host's /usr/bin is not there. (What remains: a program R writes
 * into /tmp itself can run, with exactly R's isolation — the other escape tests run their
 * attacks that way.)
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";
import { attackSession } from "./_attack.ts";

const PROGRAMS = [
  "python3",
  "perl",
  "curl",
  "wget",
  "nc",
  "bash",
  "busybox",
  "apt",
  "ssh",
  "gcc",
  "id",
  "ls",
  "cat",
];

conformance("escape: running other programs", { needs: ["filesystem"] }, (ctx) => {
  const s = ctx.shared(() => attackSession(ctx.options()));

  for (const program of PROGRAMS) {
    it(`cannot run ${program}`, SLOW, async () => {
      const r = await s().execute(
        `c(suppressWarnings(system("${program} --version > /dev/null 2>&1")), suppressWarnings(system("/usr/bin/${program} --version > /dev/null 2>&1")))`,
      );
      assert.deepEqual(r.value, [127, 127], program);
    });
  }
  it("runs only the allowed programs in /usr/bin", SLOW, async () => {
    const r = await s().execute('sort(list.files("/usr/bin"))');
    for (const name of [r.value].flat() as string[]) {
      assert.ok(
        ["dash", "env", "prlimit", "rm", "sh", "which", "which.debianutils"].includes(name),
        name,
      );
    }
    assert.equal(
      (await s().execute('system("echo shell works", intern = TRUE)')).value,
      "shell works",
    );
  });
});
