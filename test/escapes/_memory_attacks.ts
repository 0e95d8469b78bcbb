/**
 * The attacks of `sandbox_memory.test.ts`, shared with its positive control (a host run as
 * an unprivileged user, where no cgroup is usable): memory the per-process limit
 * (RLIMIT_AS) does not see, and CPU burned by background processes.
 *
 * Each memory attack grabs memory in 16 MiB steps up to a bounded target well past the
 * 512 MiB default limit, printing `HELD <n> MiB` (or `HELD <n> links`) after each step, and
 * `ESCAPED` when it reached the target. It keeps what it grabbed until it exits, and
 * leaves SysV segments behind (they live as long as the sandbox's IPC namespace).
 *
 * @module
 */

/** The bounded target of each memory attack, in MiB: 1.5 times the default limit. */
export const TARGET_MIB = 768;

/** Symlinks to make in /tmp: about 1 KiB of kernel memory each, so about 720 MiB. */
export const TARGET_LINKS = 720_000;

/** The attack program (`memory_attack <kind> <target>`), after `_attack.ts`'s prelude. */
export const MEMORY_ATTACK = `#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/mman.h>
#define MiB (1024L * 1024L)
static long held = 0;
static int grab_shm(void) {
  int id = shmget(IPC_PRIVATE, 16 * MiB, IPC_CREAT | 0600);
  if (id < 0) return blocked("shmget");
  char *p = shmat(id, NULL, 0);
  if (p == (void *)-1) return blocked("shmat");
  memset(p, 1, 16 * MiB);
  shmdt(p); /* the segment stays; this process's address space does not grow */
  return 1;
}
static int grab_memfd(void) {
  int fd = memfd_create("x", 0);
  if (fd < 0) return blocked("memfd_create");
  if (ftruncate(fd, 16 * MiB) < 0) return blocked("ftruncate");
  char *p = mmap(NULL, 16 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return blocked("mmap");
  memset(p, 1, 16 * MiB);
  munmap(p, 16 * MiB); /* the fd keeps the pages */
  return 1;
}
static int grab_tmpfs(void) {
  /* a new 16 MiB file each time: the file-size limit bounds one file, not /tmp */
  static char buf[1 << 20];
  char name[64];
  snprintf(name, sizeof name, "/tmp/fill%ld", held);
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return blocked("open /tmp/fill");
  memset(buf, 1, sizeof buf);
  for (int i = 0; i < 16; i++) {
    if (write(fd, buf, sizeof buf) != sizeof buf) return blocked("write /tmp/fill");
  }
  return close(fd) == 0 ? 1 : blocked("close");
}
int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *kind = argv[1];
  long target = atol(argv[2]);
  if (!strcmp(kind, "symlinks")) {
    char name[64];
    long i;
    for (i = 0; i < target; i++) {
      snprintf(name, sizeof name, "/tmp/l%ld", i);
      if (symlink("x", name) < 0) { printf("HELD %ld links\\n", i); return blocked("symlink"); }
      if (i % 65536 == 0) printf("HELD %ld links\\n", i);
    }
    printf("HELD %ld links\\n", i);
    return escaped("symlinks: all made");
  }
  for (; held < target; held += 16) {
    int ok;
    if (!strcmp(kind, "shm")) ok = grab_shm();
    else if (!strcmp(kind, "memfd")) ok = grab_memfd();
    /* mixed: 96 MiB of tmpfs file, then memfds up to 352 MiB, then SysV segments */
    else ok = held < 96 ? grab_tmpfs() : held < 352 ? grab_memfd() : grab_shm();
    if (!ok) return 0;
    printf("HELD %ld MiB\\n", held + 16);
  }
  return escaped("memory: the target was reached");
}
`;

/** The memory attacks: kind (the program's argument), title, and target. */
export const MEMORY_ATTACKS: readonly {
  readonly kind: string;
  readonly title: string;
  readonly target: number;
}[] = [
  { kind: "shm", title: `${TARGET_MIB} MiB of SysV shared memory`, target: TARGET_MIB },
  { kind: "memfd", title: `${TARGET_MIB} MiB of memfds`, target: TARGET_MIB },
  {
    kind: "mixed",
    title: `${TARGET_MIB} MiB of tmpfs file, memfds and shared memory together`,
    target: TARGET_MIB,
  },
  { kind: "symlinks", title: `${TARGET_LINKS} symlinks in /tmp`, target: TARGET_LINKS },
];

/** How far an attack got: the last `HELD` figure it printed, or 0. */
export function heldBy(output: string): number {
  const all = [...output.matchAll(/HELD (\d+)/g)];
  return all.length === 0 ? 0 : Number(all[all.length - 1][1]);
}

/** Burners the CPU attack starts in the background, each stopped by RLIMIT_CPU on its own. */
export const BURNERS = 4;

/**
 * The `cpu` limit of the positive control: 2 s, not 1, because R's own start-up takes up to
 * half a second of CPU on a loaded machine, and R must not reach its own limit there.
 */
export const CONTROL_CPU = 2;

/**
 * R code that starts `BURNERS` background shell loops and waits for them; its value is the
 * CPU seconds the children used (`system.time`'s child times).
 */
export const CPU_ATTACK = `local({
  st <- system.time(system("for i in ${
  Array.from({ length: BURNERS }, (_, i) => i + 1).join(" ")
}; do (while :; do :; done) & done; wait"))
  unname(st[["user.child"]] + st[["sys.child"]])
})`;
