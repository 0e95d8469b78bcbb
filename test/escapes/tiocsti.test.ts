/**
 * Attack: push keystrokes into the host's terminal with the TIOCSTI ioctl, through the
 * controlling terminal (/dev/tty) or an inherited terminal descriptor.
 *
 * Defence: the child starts in a new session twice over (the host spawns it detached and
 * bwrap adds `--new-session`), so it has no controlling terminal, and its stdin is
 * /dev/null and its stdout and stderr a FIFO: none is a terminal.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";
import { attackSession, noCompiler, runAttack } from "./_attack.ts";

const TIOCSTI_ATTACK = `int main(void) {
  char c = 'x';
  int tty = open("/dev/tty", O_RDWR);
  if (tty >= 0 && ioctl(tty, TIOCSTI, &c) == 0) return escaped("injected through /dev/tty");
  for (int fd = 0; fd < 3; fd++) if (ioctl(fd, TIOCSTI, &c) == 0) return escaped("injected through a standard descriptor");
  return blocked("TIOCSTI");
}`;

conformance("escape: TIOCSTI", { needs: ["processes"], skip: noCompiler }, (ctx) => {
  it("cannot inject keystrokes into a terminal", SLOW, async () => {
    await using s = await attackSession(ctx.options(), { tiocsti: TIOCSTI_ATTACK });
    assert.match(await runAttack(s, "tiocsti"), /^BLOCKED TIOCSTI/);
    assert.equal((await s.execute('file.exists("/dev/tty")')).value, true);
  });
});
