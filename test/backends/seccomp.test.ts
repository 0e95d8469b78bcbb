import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deniedSyscalls, seccompArch, seccompFilter } from "../../backends/seccomp.ts";

/** Runs the BPF program on one seccomp_data (enough of the classic BPF machine for it). */
function run(filter: Uint8Array, data: { nr: number; arch: number; args?: number[] }): number {
  const view = new DataView(filter.buffer, filter.byteOffset, filter.byteLength);
  const word = (off: number) =>
    off === 0
      ? data.nr
      : off === 4
      ? data.arch
      : off >= 16 && (off - 16) % 8 === 0
      ? data.args?.[(off - 16) / 8] ?? 0
      : 0;
  let a = 0;
  for (let pc = 0; pc < filter.length / 8;) {
    const code = view.getUint16(pc * 8, true);
    const jt = view.getUint8(pc * 8 + 2);
    const jf = view.getUint8(pc * 8 + 3);
    const k = view.getUint32(pc * 8 + 4, true);
    if (code === 0x20) {
      a = word(k) >>> 0;
      pc++;
    } else if (code === 0x15) pc += 1 + (a === k ? jt : jf);
    else if (code === 0x35) pc += 1 + (a >= k ? jt : jf);
    else if (code === 0x06) return k;
    else throw new Error(`unknown instruction ${code}`);
  }
  throw new Error("fell off the end");
}

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const X64 = 0xc000003e;

describe("the seccomp filter", () => {
  const filter = seccompFilter("x64");
  it("denies ptrace, mount, bpf, keyctl, io_uring and the rest of its list with EPERM", () => {
    for (const nr of [101, 165, 321, 250, 425, 304, 246]) {
      assert.equal(run(filter, { nr, arch: X64 }), EPERM, String(nr));
    }
    assert.ok(
      deniedSyscalls("x64").includes("ptrace") && deniedSyscalls("x64").includes("ioctl(TIOCSTI)"),
    );
  });
  it("allows what R uses: read, write, openat, clone, execve, ordinary ioctls", () => {
    for (const nr of [0, 1, 257, 56, 59, 435]) {
      assert.equal(run(filter, { nr, arch: X64 }), ALLOW, String(nr));
    }
    assert.equal(run(filter, { nr: 16, arch: X64, args: [1, 0x5401] }), ALLOW, "ioctl(TCGETS)");
  });
  it("denies ioctl(TIOCSTI), x32 calls and calls from another architecture", () => {
    assert.equal(run(filter, { nr: 16, arch: X64, args: [0, 0x5412] }), EPERM);
    assert.equal(run(filter, { nr: 0x40000000 + 1, arch: X64 }), EPERM);
    assert.equal(run(filter, { nr: 1, arch: 0x40000003 }), EPERM, "i386");
  });
  it("is built for AArch64 too, and not elsewhere", () => {
    const arm = seccompFilter("arm64");
    assert.equal(run(arm, { nr: 117, arch: 0xc00000b7 }), EPERM, "ptrace");
    assert.equal(run(arm, { nr: 63, arch: 0xc00000b7 }), ALLOW, "read");
    assert.equal(run(arm, { nr: 117, arch: X64 }), EPERM, "wrong architecture");
    assert.equal(seccompArch("ia32"), null);
  });
});

describe("the seccomp filter's socket families", () => {
  const EAFNOSUPPORT = 0x00050000 | 97;
  const filters = [["x64", X64, 41, 53], ["arm64", 0xc00000b7, 198, 199]] as const;
  for (const [arch, audit, socket, socketpair] of filters) {
    const filter = seccompFilter(arch);
    it(`lets socket() create AF_UNIX, AF_INET and AF_INET6 only [${arch}]`, () => {
      for (const family of [1, 2, 10]) {
        assert.equal(run(filter, { nr: socket, arch: audit, args: [family, 1] }), ALLOW);
      }
      // AF_NETLINK, AF_PACKET, AF_VSOCK, AF_ALG, AF_BLUETOOTH, AF_KEY, AF_APPLETALK, AF_CAN
      for (const family of [16, 17, 40, 38, 31, 15, 5, 29, 0, 3, 4, 46]) {
        assert.equal(
          run(filter, { nr: socket, arch: audit, args: [family, 1] }),
          EAFNOSUPPORT,
          `family ${family}`,
        );
      }
    });
    it(`lets socketpair() create AF_UNIX only [${arch}]`, () => {
      assert.equal(run(filter, { nr: socketpair, arch: audit, args: [1, 1] }), ALLOW);
      assert.equal(run(filter, { nr: socketpair, arch: audit, args: [40, 1] }), EAFNOSUPPORT);
    });
  }
});
