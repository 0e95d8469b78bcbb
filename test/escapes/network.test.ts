/**
 * Attack: reach the network — TCP to a listener the test opens on the host's 127.0.0.1,
 * DNS resolution, UDP to the host and to the internet, and an abstract unix socket the
 * host listens on.
 *
 * Defence: bubblewrap's new network namespace: R has a loopback interface of its own and
 * nothing else (no route out, no DNS configuration), and abstract unix sockets belong to
 * a network namespace, so the host's are unreachable.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as net from "node:net";
import { join } from "node:path";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { eventually, sleep, SLOW, withTempDir } from "../_helpers.ts";
import { attackBinary, attackSession, C_PRELUDE, noCompiler, runAttack } from "./_attack.ts";

const UDP = `int main(int argc, char **argv) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return blocked("socket");
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
  inet_pton(AF_INET, argv[1], &a.sin_addr);
  if (sendto(s, "pwned", 5, 0, (struct sockaddr *)&a, sizeof a) < 0) return blocked("sendto");
  printf("SENT (the packet stays in the sandbox's own loopback)\\n");
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

conformance("escape: the network", { needs: ["network"] }, (ctx) => {
  const s = ctx.shared(() =>
    attackSession(ctx.options(), { udp: UDP, abstract_client: ABSTRACT_CLIENT })
  );

  it("cannot connect to a TCP listener on the host's 127.0.0.1", SLOW, async () => {
    let connections = 0;
    const server = net.createServer((c) => (connections++, c.destroy()));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = await s().execute(
        `tryCatch({ con <- suppressWarnings(socketConnection("127.0.0.1", ${port}, open = "r+", timeout = 2)); close(con); "CONNECTED" }, error = function(e) "refused")`,
      );
      assert.equal(r.value, "refused");
      assert.equal(connections, 0);
    } finally {
      server.close();
    }
  });
  it("cannot resolve names (DNS)", SLOW, async () => {
    const r = await s().execute(
      'tryCatch({ con <- suppressWarnings(socketConnection("example.com", 80, open = "r+", timeout = 2)); close(con); "RESOLVED" }, error = function(e) "refused")',
    );
    assert.equal(r.value, "refused");
    const ifaces = await s().execute('sub(":.*", "", trimws(readLines("/proc/net/dev")[-(1:2)]))');
    assert.deepEqual(ifaces.value, "lo");
  });
  it("cannot send UDP to the host or out", { ...SLOW, skip: noCompiler }, async () => {
    const received: string[] = [];
    const sock = dgram.createSocket("udp4");
    sock.on("message", (m) => received.push(String(m)));
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
    try {
      const port = String(sock.address().port);
      await runAttack(s(), "udp", ["127.0.0.1", port]);
      assert.match(
        await runAttack(s(), "udp", ["8.8.8.8", "53"]),
        /^BLOCKED sendto: Network is unreachable/,
      );
      await sleep(300);
      assert.deepEqual(received, [], "the host received nothing");
    } finally {
      sock.close();
    }
  });
  it(
    "cannot reach an abstract unix socket of the host",
    { ...SLOW, skip: noCompiler },
    async () => {
      const name = `securer-escape-${process.pid}-${Date.now()}`;
      await withTempDir("securer-abstract-", async (dir) => {
        const server = join(dir, "server");
        fs.writeFileSync(server, attackBinary("abstract_server", C_PRELUDE + ABSTRACT_SERVER), {
          mode: 0o755,
        });
        const child = spawn(server, [name], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        try {
          assert.ok(
            await eventually(() => out.includes("LISTENING"), 2_000),
            "the host's abstract socket listens",
          );
          assert.match(
            await runAttack(s(), "abstract_client", [name]),
            /^BLOCKED connect: Connection refused/,
          );
          await sleep(200);
          assert.ok(!out.includes("CONNECTION"), "the host saw no connection");
        } finally {
          child.kill("SIGKILL");
        }
      });
    },
  );
});
