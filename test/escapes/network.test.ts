/**
 * Attack: reach the host's network — TCP and UDP to listeners the test opens on the host's
 * 127.0.0.1, a DNS query through the C resolver pointed at a name server listening there,
 * and an abstract unix socket the host listens on.
 *
 * Defence: bubblewrap's new network namespace: R has a loopback interface of its own and
 * nothing else, so the host's 127.0.0.1 is not the sandbox's; abstract unix sockets belong
 * to a network namespace, so the host's are unreachable.
 *
 * Positive control: each attack program, run on the host as the sandbox's uid, reaches its
 * listener (the listener's receipt says so); inside, the same program reaches nothing and
 * the listener receives nothing. Every address is the host's own: nothing leaves it.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as net from "node:net";
import { join } from "node:path";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { eventually, sleep, SLOW, withTempDir } from "../_helpers.ts";
import {
  attackBinary,
  attackSession,
  C_PRELUDE,
  noCompiler,
  onHost,
  runAttack,
  sandboxOwner,
} from "./_attack.ts";

const TCP = `int main(int argc, char **argv) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) return blocked("connect");
  write(s, "pwned", 5);
  return escaped("connected to the host's 127.0.0.1");
}`;
const UDP = `int main(int argc, char **argv) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (sendto(s, "pwned", 5, 0, (struct sockaddr *)&a, sizeof a) < 0) return blocked("sendto");
  printf("SENT\\n");
  return 0;
}`;
// The resolver, told (as /etc/resolv.conf would) to ask a name server on 127.0.0.1:<port>.
const DNS = `#include <arpa/nameser.h>
#include <resolv.h>
int main(int argc, char **argv) {
  struct __res_state st;
  memset(&st, 0, sizeof st);
  if (res_ninit(&st) < 0) return blocked("res_ninit");
  st.nscount = 1;
  st.nsaddr_list[0].sin_family = AF_INET;
  st.nsaddr_list[0].sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", &st.nsaddr_list[0].sin_addr);
  st.retrans = 1; st.retry = 1;
  unsigned char answer[512];
  int n = res_nquery(&st, "securer-escape.example", C_IN, T_A, answer, sizeof answer);
  printf("QUERIED (%d)\\n", n);
  return 0;
}`;
const ABSTRACT_CLIENT = `int main(int argc, char **argv) {
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  strncpy(a.sun_path + 1, argv[1], sizeof a.sun_path - 2);
  if (connect(s, (struct sockaddr *)&a, sizeof(sa_family_t) + 1 + strlen(argv[1])) < 0) return blocked("connect");
  return escaped("connected to the host's abstract socket");
}`;
const ABSTRACT_SERVER = `int main(int argc, char **argv) {
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  strncpy(a.sun_path + 1, argv[1], sizeof a.sun_path - 2);
  if (bind(s, (struct sockaddr *)&a, sizeof(sa_family_t) + 1 + strlen(argv[1])) < 0) { perror("bind"); return 2; }
  listen(s, 4); printf("LISTENING\\n"); fflush(stdout);
  for (;;) { int c = accept(s, 0, 0); if (c >= 0) { printf("CONNECTION\\n"); fflush(stdout); close(c); } }
}`;

/** A UDP listener on the host's 127.0.0.1 that records what it receives. */
async function udpListener(): Promise<{ port: number; received: Buffer[]; close(): void }> {
  const received: Buffer[] = [];
  const sock = dgram.createSocket("udp4");
  sock.on("message", (m) => received.push(m));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
  return { port: sock.address().port, received, close: () => sock.close() };
}

conformance("escape: the network", { needs: ["network"], skip: noCompiler }, (ctx) => {
  const owner = sandboxOwner(ctx.backend.backend);
  const s = ctx.shared(() =>
    attackSession(ctx.options(), { tcp: TCP, udp: UDP, dns: DNS, abstract_client: ABSTRACT_CLIENT })
  );

  it("cannot connect to a TCP listener on the host's 127.0.0.1", SLOW, async () => {
    let connections = 0;
    const server = net.createServer((c) => (connections++, c.destroy()));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = String((server.address() as net.AddressInfo).port);
    try {
      assert.match(onHost(owner, "tcp", TCP, [port]), /^ESCAPED/, "control");
      assert.ok(await eventually(() => connections === 1, 2_000), "control: the host saw it");
      assert.match(await runAttack(s(), "tcp", [port]), /^BLOCKED connect: ECONNREFUSED$/);
      const r = await s().execute(
        `tryCatch({ con <- suppressWarnings(socketConnection("127.0.0.1", ${port}, open = "r+", timeout = 2)); close(con); "CONNECTED" }, error = function(e) "refused")`,
      );
      assert.equal(r.value, "refused");
      await sleep(100);
      assert.equal(connections, 1, "the host saw no connection from the sandbox");
    } finally {
      server.close();
    }
  });
  it("cannot send UDP to a listener on the host's 127.0.0.1", SLOW, async () => {
    const l = await udpListener();
    try {
      assert.match(onHost(owner, "udp", UDP, [String(l.port)]), /^SENT/, "control");
      assert.ok(await eventually(() => l.received.length === 1, 2_000), "control: received");
      // The datagram goes out of the sandbox's own loopback, to nothing.
      assert.match(await runAttack(s(), "udp", [String(l.port)]), /^SENT/);
      await sleep(300);
      assert.equal(l.received.length, 1, "the host received nothing from the sandbox");
    } finally {
      l.close();
    }
  });
  it("cannot reach a name server on the host's 127.0.0.1 (DNS)", SLOW, async () => {
    const l = await udpListener();
    const queries = () => l.received.filter((m) => m.includes("securer-escape")).length;
    try {
      onHost(owner, "dns", DNS, [String(l.port)]);
      assert.ok(await eventually(() => queries() >= 1, 2_000), "control: the query arrived");
      const before = queries();
      assert.match(await runAttack(s(), "dns", [String(l.port)]), /^QUERIED \(-1\)/);
      await sleep(300);
      assert.equal(queries(), before, "the name server saw no query from the sandbox");
    } finally {
      l.close();
    }
  });
  it("has no network interface but its own loopback", SLOW, async () => {
    const host = fs.readFileSync("/proc/net/dev", "utf8").split("\n").slice(2)
      .map((l) => l.trim().split(":")[0]).filter((n) => n !== "");
    assert.ok(host.some((n) => n !== "lo"), `control: the host has more than lo: ${host}`);
    const ifaces = await s().execute('sub(":.*", "", trimws(readLines("/proc/net/dev")[-(1:2)]))');
    assert.deepEqual(ifaces.value, "lo");
  });
  it("cannot reach an abstract unix socket of the host", SLOW, async () => {
    const name = `securer-escape-${process.pid}-${Date.now()}`;
    await withTempDir("securer-abstract-", async (dir) => {
      const server = join(dir, "server");
      fs.writeFileSync(server, attackBinary("abstract_server", C_PRELUDE + ABSTRACT_SERVER), {
        mode: 0o755,
      });
      const child: ChildProcess = spawn(server, [name], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout?.on("data", (d) => (out += d));
      try {
        assert.ok(await eventually(() => out.includes("LISTENING"), 2_000), "it listens");
        assert.match(onHost(owner, "abstract_client", ABSTRACT_CLIENT, [name]), /^ESCAPED/);
        assert.ok(await eventually(() => out.includes("CONNECTION"), 2_000), "control");
        out = "";
        assert.match(
          await runAttack(s(), "abstract_client", [name]),
          /^BLOCKED connect: ECONNREFUSED$/,
        );
        await sleep(200);
        assert.ok(!out.includes("CONNECTION"), "the host saw no connection");
      } finally {
        child.kill("SIGKILL");
      }
    });
  });
});
