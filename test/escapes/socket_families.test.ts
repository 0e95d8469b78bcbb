/**
 * Attack: open sockets of families a network namespace does not cover — `AF_VSOCK` (on a
 * VM it reaches the hypervisor's services), `AF_NETLINK` (kernel interfaces), `AF_PACKET`,
 * `AF_ALG` (kernel crypto), `AF_BLUETOOTH`, `AF_KEY` and the rest.
 *
 * Defence: the seccomp filter lets `socket()` create only AF_UNIX, AF_INET and AF_INET6
 * (EAFNOSUPPORT for every other family) and `socketpair()` only AF_UNIX.
 *
 * Positive control: the same program run on the host, outside any sandbox, creates the
 * families this kernel supports (AF_NETLINK always), so their refusal inside is the
 * filter's doing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { conformance } from "../_conformance.ts";
import { SLOW } from "../_helpers.ts";
import { attackBinary, attackSession, C_PRELUDE, noCompiler, runAttack } from "./_attack.ts";

/** Families tried: name and number (Linux). */
const FAMILIES: readonly [string, number][] = [
  ["AF_UNIX", 1],
  ["AF_INET", 2],
  ["AF_INET6", 10],
  ["AF_NETLINK", 16],
  ["AF_PACKET", 17],
  ["AF_VSOCK", 40],
  ["AF_ALG", 38],
  ["AF_BLUETOOTH", 31],
  ["AF_KEY", 15],
  ["AF_APPLETALK", 5],
  ["AF_CAN", 29],
  ["AF_TIPC", 30],
  ["AF_RDS", 21],
  ["AF_XDP", 44],
  ["AF_QIPCRTR", 42],
];
const ALLOWED = new Set(["AF_UNIX", "AF_INET", "AF_INET6"]);

// Prints one line per family: "<name> ok" or "<name> <errno name>".
const SOCKETS = `int main(void) {
  struct { const char *name; int family; } f[] = {${
  FAMILIES.map(([n, v]) => `{"${n}", ${v}}`).join(", ")
}};
  for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++) {
    int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET};
    int fd = -1, err = 0;
    for (unsigned t = 0; t < 4 && fd < 0; t++) {
      fd = socket(f[i].family, types[t], 0);
      if (fd < 0 && (err == 0 || errno == EAFNOSUPPORT)) err = errno;
      else if (fd < 0 && err == EAFNOSUPPORT) err = errno;
    }
    if (fd >= 0) { printf("%s ok\\n", f[i].name); close(fd); }
    else printf("%s %s\\n", f[i].name, err == EAFNOSUPPORT ? "EAFNOSUPPORT" : strerrorname_np(err));
  }
  int sv[2];
  printf("socketpair AF_VSOCK %s\\n", socketpair(40, SOCK_STREAM, 0, sv) < 0 && errno == EAFNOSUPPORT ? "EAFNOSUPPORT" : "other");
  printf("socketpair AF_UNIX %s\\n", socketpair(1, SOCK_STREAM, 0, sv) == 0 ? "ok" : "failed");
  return 0;
}`;

function parse(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.trim().split("\n")) {
    const at = line.lastIndexOf(" ");
    m.set(line.slice(0, at), line.slice(at + 1));
  }
  return m;
}

/** What the program reports on the host, outside any sandbox. */
function onHost(): Map<string, string> {
  const dir = fs.mkdtempSync(join(tmpdir(), "securer-sockets-"));
  try {
    const path = join(dir, "sockets");
    fs.writeFileSync(path, attackBinary("sockets", C_PRELUDE + SOCKETS), { mode: 0o755 });
    const r = spawnSync(path, [], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return parse(r.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

conformance("escape: socket families", {
  needs: ["network"],
  skip: noCompiler,
}, (ctx) => {
  const s = ctx.shared(() => attackSession(ctx.options(), { sockets: SOCKETS }));

  it("creates only AF_UNIX, AF_INET and AF_INET6 sockets", SLOW, async () => {
    const host = onHost();
    assert.equal(host.get("AF_NETLINK"), "ok", "control: the host can open a netlink socket");
    const inside = parse(await runAttack(s(), "sockets"));
    for (const [name] of FAMILIES) {
      if (ALLOWED.has(name)) assert.equal(inside.get(name), "ok", name);
      else assert.equal(inside.get(name), "EAFNOSUPPORT", `${name} (host: ${host.get(name)})`);
    }
    assert.equal(inside.get("socketpair AF_VSOCK"), "EAFNOSUPPORT");
    assert.equal(inside.get("socketpair AF_UNIX"), "ok");
    const refusedOnlyInside = FAMILIES.filter(([n]) => !ALLOWED.has(n) && host.get(n) === "ok");
    console.log(
      `socket families the host can open and the sandbox cannot: ${
        refusedOnlyInside.map(([n]) => n).join(", ")
      }`,
    );
  });
});
