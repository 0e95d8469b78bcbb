/**
 * A seccomp deny-list for the bubblewrap sandbox, as a classic BPF program (pure).
 *
 * R needs none of these system calls, and each is kernel attack surface or a way to reach
 * outside: tracing other processes (`ptrace`, `process_vm_*`, `kcmp`), kernel modules and
 * `kexec`, `bpf`, `perf_event_open`, `userfaultfd`, `io_uring`, the kernel keyring, every
 * mount and namespace-entering call, `open_by_handle_at` (the classic container escape),
 * `quotactl`, `acct`, `reboot`, swap, `iopl`/`ioperm`, `fanotify`, and `ioctl(TIOCSTI)`.
 * They fail with EPERM. A system call from another ABI (32-bit or x32 on x86-64), which
 * would bypass the syscall numbers checked here, fails with EPERM too.
 *
 * Sockets: `socket()` may only create the families R uses — `AF_UNIX`, and `AF_INET` and
 * `AF_INET6`, which reach nothing inside the sandbox's empty network namespace — and
 * `socketpair()` only `AF_UNIX`. Every other family fails with EAFNOSUPPORT: a network
 * namespace does not cover `AF_VSOCK` (on a VM it reaches the hypervisor's services), and
 * `AF_NETLINK`, `AF_PACKET`, `AF_ALG`, `AF_BLUETOOTH` and the rest are kernel surface R never
 * needs (glibc's resolver falls back when netlink is refused).
 *
 * Supported architectures: x86-64 and AArch64; elsewhere no filter is built (and the
 * backend says so).
 *
 * @module
 */

/** The architectures a filter can be built for. */
export type SeccompArch = "x64" | "arm64";

const SYSCALLS: Record<SeccompArch, Record<string, number>> = {
  x64: {
    ptrace: 101,
    process_vm_readv: 310,
    process_vm_writev: 311,
    kcmp: 312,
    kexec_load: 246,
    kexec_file_load: 320,
    init_module: 175,
    finit_module: 313,
    delete_module: 176,
    bpf: 321,
    perf_event_open: 298,
    userfaultfd: 323,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    keyctl: 250,
    add_key: 248,
    request_key: 249,
    mount: 165,
    umount2: 166,
    pivot_root: 155,
    move_mount: 429,
    open_tree: 428,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
    setns: 308,
    open_by_handle_at: 304,
    name_to_handle_at: 303,
    quotactl: 179,
    acct: 163,
    reboot: 169,
    swapon: 167,
    swapoff: 168,
    iopl: 172,
    ioperm: 173,
    lookup_dcookie: 212,
    fanotify_init: 300,
  },
  arm64: {
    ptrace: 117,
    process_vm_readv: 270,
    process_vm_writev: 271,
    kcmp: 272,
    kexec_load: 104,
    kexec_file_load: 294,
    init_module: 105,
    finit_module: 273,
    delete_module: 106,
    bpf: 280,
    perf_event_open: 241,
    userfaultfd: 282,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    keyctl: 219,
    add_key: 217,
    request_key: 218,
    mount: 40,
    umount2: 39,
    pivot_root: 41,
    move_mount: 429,
    open_tree: 428,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
    setns: 268,
    open_by_handle_at: 265,
    name_to_handle_at: 264,
    quotactl: 60,
    acct: 89,
    reboot: 142,
    swapon: 224,
    swapoff: 225,
    lookup_dcookie: 18,
    fanotify_init: 262,
  },
};

const IOCTL: Record<SeccompArch, number> = { x64: 16, arm64: 29 };
const SOCKET: Record<SeccompArch, number> = { x64: 41, arm64: 198 };
const SOCKETPAIR: Record<SeccompArch, number> = { x64: 53, arm64: 199 };
/** The socket families `socket()` may create: AF_UNIX, AF_INET, AF_INET6. */
export const ALLOWED_SOCKET_FAMILIES: readonly number[] = [1, 2, 10];
const AUDIT_ARCH: Record<SeccompArch, number> = { x64: 0xc000003e, arm64: 0xc00000b7 };
const X32_BIT = 0x40000000;
const TIOCSTI = 0x5412;

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_EPERM = 0x00050000 | 1;
const RET_EAFNOSUPPORT = 0x00050000 | 97;

type Instruction = {
  code: number;
  jt: number | string;
  jf: number | string;
  k: number;
  label?: string;
};

/** The system calls the filter denies, by name, for an architecture. */
export function deniedSyscalls(arch: SeccompArch): readonly string[] {
  return [
    ...Object.keys(SYSCALLS[arch]),
    "ioctl(TIOCSTI)",
    "socket() of families other than AF_UNIX, AF_INET, AF_INET6",
    "socketpair() of families other than AF_UNIX",
  ];
}

/** The architecture of this process, when a filter can be built for it. */
export function seccompArch(arch: string = process.arch): SeccompArch | null {
  return arch === "x64" || arch === "arm64" ? arch : null;
}

/**
 * The BPF program (an array of `struct sock_filter`, little-endian) that bwrap's
 * `--seccomp` option reads.
 */
export function seccompFilter(arch: SeccompArch): Uint8Array {
  const prog: Instruction[] = [
    { code: LD_W_ABS, jt: 0, jf: 0, k: 4 }, // seccomp_data.arch
    { code: JEQ_K, jt: 0, jf: "deny", k: AUDIT_ARCH[arch] },
    { code: LD_W_ABS, jt: 0, jf: 0, k: 0 }, // seccomp_data.nr
  ];
  if (arch === "x64") prog.push({ code: JGE_K, jt: "deny", jf: 0, k: X32_BIT });
  for (const nr of Object.values(SYSCALLS[arch]).sort((a, b) => a - b)) {
    prog.push({ code: JEQ_K, jt: "deny", jf: 0, k: nr });
  }
  const [unix, inet, inet6] = ALLOWED_SOCKET_FAMILIES;
  prog.push(
    { code: JEQ_K, jt: "socket", jf: 0, k: SOCKET[arch] },
    { code: JEQ_K, jt: "socketpair", jf: 0, k: SOCKETPAIR[arch] },
    { code: JEQ_K, jt: 0, jf: "allow", k: IOCTL[arch] },
    { code: LD_W_ABS, jt: 0, jf: 0, k: 24 }, // low 32 bits of args[1], the ioctl request
    { code: JEQ_K, jt: "deny", jf: "allow", k: TIOCSTI },
    { code: LD_W_ABS, jt: 0, jf: 0, k: 16, label: "socket" }, // low 32 bits of args[0]: the family
    { code: JEQ_K, jt: "allow", jf: 0, k: unix },
    { code: JEQ_K, jt: "allow", jf: 0, k: inet },
    { code: JEQ_K, jt: "allow", jf: "no_family", k: inet6 },
    { code: LD_W_ABS, jt: 0, jf: 0, k: 16, label: "socketpair" },
    { code: JEQ_K, jt: "allow", jf: "no_family", k: unix },
    { code: RET_K, jt: 0, jf: 0, k: RET_ALLOW, label: "allow" },
    { code: RET_K, jt: 0, jf: 0, k: RET_EPERM, label: "deny" },
    { code: RET_K, jt: 0, jf: 0, k: RET_EAFNOSUPPORT, label: "no_family" },
  );
  const at = new Map<string, number>();
  prog.forEach((ins, i) => ins.label && at.set(ins.label, i));
  const out = new Uint8Array(prog.length * 8);
  const view = new DataView(out.buffer);
  prog.forEach((ins, i) => {
    const jump = (j: number | string) => {
      if (typeof j === "number") return j;
      const offset = at.get(j)! - i - 1;
      if (offset < 0 || offset > 255) throw new RangeError(`Cannot encode a jump of ${offset}`);
      return offset;
    };
    view.setUint16(i * 8, ins.code, true);
    view.setUint8(i * 8 + 2, jump(ins.jt));
    view.setUint8(i * 8 + 3, jump(ins.jf));
    view.setUint32(i * 8 + 4, ins.k >>> 0, true);
  });
  return out;
}
