/**
 * Attack: run the host's programs — python3, perl, curl, wget, nc, bash, busybox, apt, ssh,
 * gcc, id, ls, cat — by name through the shell and by absolute path.
 *
 * Defence: the sandbox's filesystem holds only R's own binaries, `sh`, and `which`, `rm`,
 * `env` and `prlimit`; the host's /usr/bin is not there. (What remains: a program R writes
 * into /tmp itself can run, with exactly R's isolation — the other escape tests run their
 * attacks that way.)
 *
 * Positive control: each program named is installed on the host (one that is not is
 * skipped, visibly: there is nothing to hide); and a copy of the host's `ls` brought into
 * /tmp as bytes runs inside, so the libraries a program needs are there and exec works:
 * only the program's absence stops the others.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { it } from "node:test";
import { securerTool } from "../../mod.ts";
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

/** Where the host has `program`, or `undefined`. */
const onHost = (program: string) =>
  [`/usr/bin/${program}`, `/bin/${program}`].find((p) => fs.existsSync(p));
const LS = onHost("ls");

conformance("escape: running other programs", { needs: ["filesystem"] }, (ctx) => {
  const s = ctx.shared(() =>
    attackSession(ctx.options({
      tools: [
        securerTool({
          name: "host_ls",
          fn: () => new Uint8Array(fs.readFileSync(LS!)),
        }),
      ],
    }))
  );

  for (const program of PROGRAMS) {
    it(`cannot run ${program}`, {
      ...SLOW,
      skip: onHost(program) ? false : `${program} is not installed on this host: nothing to hide`,
    }, async () => {
      const r = await s().execute(
        `c(suppressWarnings(system("${program} --version > /dev/null 2>&1")), suppressWarnings(system("/usr/bin/${program} --version > /dev/null 2>&1")))`,
      );
      assert.deepEqual(r.value, [127, 127], program);
    });
  }
  it("runs a program it brings in itself (the control)", {
    ...SLOW,
    skip: LS ? false : "no ls on this host",
  }, async () => {
    const r = await s().execute(
      `writeBin(host_ls(), "/tmp/ls"); Sys.chmod("/tmp/ls", "755")
      system("/tmp/ls -1 /usr/bin", intern = TRUE)`,
    );
    assert.ok((r.value as string[]).includes("sh"), `${r.value}`);
  });
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
