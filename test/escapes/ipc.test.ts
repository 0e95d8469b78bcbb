/**
 * Attack: reach the host through System V IPC — find a message queue the host made and
 * send into it (shared memory segments and semaphores live in the same namespace).
 *
 * Defence: a new IPC namespace (bwrap `--unshare-ipc`): the host's System V objects do not
 * exist inside, so `msgget()` of the host's key fails with ENOENT.
 *
 * Positive control: the queue is open to everyone (mode 0666), and the same program run on
 * the host as the sandbox's uid finds it and sends; the host reads that message back, and
 * reads nothing after the attack inside.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { conformance } from "../_conformance.ts";
import { onlyOnLinux, SLOW } from "../_helpers.ts";
import {
  attackBinary,
  attackSession,
  C_PRELUDE,
  noCompiler,
  onHost,
  runAttack,
  sandboxOwner,
} from "./_attack.ts";

const MSG = `#include <sys/msg.h>
struct msg { long type; char text[64]; };
`;
const SEND = `${MSG}
int main(int argc, char **argv) {
  int id = msgget(atoi(argv[1]), 0);
  if (id < 0) return blocked("msgget");
  struct msg m = { 1, "pwned" };
  if (msgsnd(id, &m, 5, IPC_NOWAIT) < 0) return blocked("msgsnd");
  return escaped("sent into the host's message queue");
}`;
// The host's side: create, read (without waiting) or remove the queue of a key.
const QUEUE = `${MSG}
int main(int argc, char **argv) {
  key_t key = atoi(argv[2]);
  if (strcmp(argv[1], "create") == 0) return msgget(key, IPC_CREAT | IPC_EXCL | 0666) < 0;
  int id = msgget(key, 0);
  if (id < 0) { printf("NO QUEUE\\n"); return 1; }
  if (strcmp(argv[1], "remove") == 0) return msgctl(id, IPC_RMID, 0) < 0;
  struct msg m;
  ssize_t n = msgrcv(id, &m, sizeof m.text, 0, IPC_NOWAIT);
  if (n < 0) printf("EMPTY\\n"); else printf("RECEIVED %.*s\\n", (int)n, m.text);
  return 0;
}`;

conformance("escape: System V IPC", {
  needs: ["processes"],
  skip: noCompiler || onlyOnLinux("uses System V message queues"),
}, (ctx) => {
  const owner = sandboxOwner(ctx.backend.backend);
  const s = ctx.shared(() => attackSession(ctx.options(), { send: SEND }));
  const key = String(1 + Math.floor(Math.random() * 0x7ffffffe));
  let dir = "";
  const queue = (op: string) => {
    const r = spawnSync(join(dir, "queue"), [op, key], { encoding: "utf8" });
    return r.stdout.trim();
  };
  before(() => {
    dir = fs.mkdtempSync(join(tmpdir(), "securer-ipc-"));
    fs.writeFileSync(join(dir, "queue"), attackBinary("queue", C_PRELUDE + QUEUE), {
      mode: 0o755,
    });
    assert.equal(spawnSync(join(dir, "queue"), ["create", key]).status, 0, "the queue exists");
  });
  after(() => {
    if (dir === "") return;
    queue("remove");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("cannot find or send into a message queue of the host", SLOW, async () => {
    assert.match(onHost(owner, "send", SEND, [key]), /^ESCAPED/, "control: it sends");
    assert.equal(queue("read"), "RECEIVED pwned", "control: the host receives");
    assert.equal(await runAttack(s(), "send", [key]), "BLOCKED msgget: ENOENT");
    assert.equal(queue("read"), "EMPTY", "the host received nothing from the sandbox");
  });
});
