/**
 * Attack: push keystrokes into the terminal the sandbox was started from, with the TIOCSTI
 * ioctl, through the controlling terminal (/dev/tty) or an inherited terminal descriptor —
 * the classic way out of a sandbox (CVE-2017-5226).
 *
 * Defence: the sandboxed program starts in a new session (bwrap `--new-session`), so it has
 * no controlling terminal, and the seccomp filter refuses `ioctl(TIOCSTI)` outright. (A
 * session never hands R a terminal at all — the host starts it detached, on /dev/null and
 * FIFOs — so this test starts the backend's wrapped command itself, from a terminal, as
 * any caller of `wrap()` might.)
 *
 * Positive control: the same program started from a terminal without a sandbox, as the
 * sandbox's uid, gets the terminal as its controlling terminal and injects (unless this
 * kernel refuses TIOCSTI to everyone: `dev.tty.legacy_tiocsti = 0`, then that part skips).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { onlyOnLinux, SLOW } from "../_helpers.ts";
import {
  asOwner,
  attackBinary,
  C_PRELUDE,
  noCompiler,
  type Owner,
  sandboxOwner,
} from "./_attack.ts";
import { ptyrunBinary, runWrapped } from "./_wrapped.ts";

const TIOCSTI_ATTACK = `int main(void) {
  printf("STDIN IS A TERMINAL: %s\\n", isatty(0) ? "yes" : "no");
  int tty = open("/dev/tty", O_RDWR);
  printf("CONTROLLING TERMINAL: %s\\n", tty >= 0 ? "yes" : strerrorname_np(errno));
  const char *word = "pwned";
  int fds[2] = { tty, 0 };
  const char *names[2] = { "/dev/tty", "stdin" };
  for (int i = 0; i < 2; i++) {
    if (fds[i] < 0) continue;
    int ok = 1;
    for (const char *c = word; *c && ok; c++) ok = ioctl(fds[i], TIOCSTI, c) == 0;
    printf("TIOCSTI %s: %s\\n", names[i], ok ? "injected" : strerrorname_np(errno));
  }
  return 0;
}`;

function attack(): Uint8Array {
  return attackBinary("tiocsti", C_PRELUDE + TIOCSTI_ATTACK);
}

/** Runs the attack from a terminal on the host, as `owner`, without any sandbox. */
function controlRun(owner: Owner): string {
  const dir = fs.mkdtempSync(join(tmpdir(), "securer-tiocsti-"));
  try {
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(join(dir, "ptyrun"), ptyrunBinary(), { mode: 0o755 });
    fs.writeFileSync(join(dir, "attack"), attack(), { mode: 0o755 });
    const argv = [join(dir, "ptyrun"), ...asOwner(owner, [join(dir, "attack")])];
    const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 30_000 });
    return `${r.stdout}${r.stderr}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

conformance("escape: TIOCSTI", {
  needs: ["processes"],
  skip: noCompiler || onlyOnLinux("uses Linux pseudo-terminals"),
}, (ctx) => {
  const backend = ctx.backend.backend;
  // The control runs while the suite is registered, so its outcome can gate a test.
  const control = controlRun(sandboxOwner(backend));
  const injects = /TERMINAL INPUT: pwned/.test(control);

  it("has no controlling terminal when started from one", SLOW, async () => {
    assert.match(control, /CONTROLLING TERMINAL: yes/, `control: ${control}`);
    const r = await runWrapped(backend, attack(), [], { pty: true });
    assert.match(r.output, /STDIN IS A TERMINAL: yes/, `precondition: ${r.output}`);
    assert.match(r.output, /CONTROLLING TERMINAL: ENXIO/, r.output);
  });
  it("cannot inject keystrokes into the terminal it was started from", {
    ...SLOW,
    skip: injects
      ? false
      : `TIOCSTI injects nothing here even without a sandbox: ${control.trim()}`,
  }, async () => {
    assert.match(control, /TIOCSTI \/dev\/tty: injected/, `control: ${control}`);
    const r = await runWrapped(backend, attack(), [], { pty: true });
    assert.match(r.output, /TIOCSTI stdin: EPERM/, r.output);
    assert.match(r.output, /TERMINAL INPUT: \(none\)/, r.output);
  });
});
