/**
 * Runs an attack program through a backend's `wrap()` directly, without R or a session:
 * for attacks that need what a session never gives the sandbox — a terminal (TIOCSTI), or a
 * read path the sandbox's own uid owns on the host (read-only binds).
 *
 * It does what the core does before spawning (SPEC §7): a private directory as the session
 * directory, the backend's files written into it, the directory given to the backend's
 * owner, and the backend's descriptors opened as 3, 4, ...; the program itself sits in
 * that directory, which every backend binds. With `pty`, the wrapped command runs under
 * `ptyrun` (a small C program) in a new session whose controlling terminal is a fresh
 * pseudo-terminal, on its stdin, stdout and stderr; `ptyrun` then prints what is waiting
 * in the terminal's input (`TERMINAL INPUT: ...`), the host-side receipt of an injection.
 *
 * @module
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backend } from "../../mod.ts";
import { attackBinary, C_PRELUDE } from "./_attack.ts";

const PTYRUN = `#include <poll.h>
#include <termios.h>
int main(int argc, char **argv) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) { perror("ptyrun: posix_openpt"); return 2; }
  char *name = ptsname(m);
  int keep = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  struct termios t;
  tcgetattr(keep, &t); cfmakeraw(&t); tcsetattr(keep, TCSANOW, &t);
  fcntl(m, F_SETFD, FD_CLOEXEC);
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int s = open(name, O_RDWR);
    if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0) { perror("ptyrun: controlling terminal"); _exit(2); }
    dup2(s, 0); dup2(s, 1); dup2(s, 2);
    if (s > 2) close(s);
    execv(argv[1], argv + 1);
    perror("ptyrun: exec");
    _exit(127);
  }
  char buf[4096];
  int status = 0, done = 0;
  for (int quiet = 0; quiet < 4;) {
    struct pollfd p = { m, POLLIN, 0 };
    int r = poll(&p, 1, 50);
    ssize_t n = r > 0 && (p.revents & POLLIN) ? read(m, buf, sizeof buf) : 0;
    if (n > 0) { fwrite(buf, 1, n, stdout); quiet = 0; }
    if (!done && waitpid(pid, &status, WNOHANG) == pid) done = 1;
    if (done && n <= 0) quiet++;
  }
  fcntl(keep, F_SETFL, O_NONBLOCK);
  ssize_t n = read(keep, buf, sizeof buf - 1);
  if (n > 0) buf[n] = 0;
  printf("\\nTERMINAL INPUT: %s\\n", n > 0 ? buf : "(none)");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}`;

/** The bytes of `ptyrun`. */
export function ptyrunBinary(): Uint8Array {
  return attackBinary("ptyrun", C_PRELUDE + PTYRUN);
}

/** How to launch a wrapped attack. */
export interface WrappedOptions {
  /** Extra read paths for the policy (bound read-only by a sandbox). @default [] */
  readonly readPaths?: readonly string[];
  /** Run it under a fresh pseudo-terminal (`ptyrun`). @default false */
  readonly pty?: boolean;
  /** Called with the uid the sandbox will run under (`null`: the host's), before it runs. */
  readonly beforeRun?: (owner: { uid: number; gid: number } | null) => void;
}

/** What a wrapped attack printed, and how it ended. */
export interface WrappedResult {
  /** Its exit code (`null` when killed). */
  readonly status: number | null;
  /** stdout and stderr, in the order they came. */
  readonly output: string;
}

/** Gives `path` and everything under it to `uid`:`gid`. */
export function chownTree(path: string, uid: number, gid: number): void {
  fs.chownSync(path, uid, gid);
  if (!fs.statSync(path).isDirectory()) return;
  for (const e of fs.readdirSync(path)) chownTree(join(path, e), uid, gid);
}

/**
 * Runs `program` (a static executable) with `args` inside `backend`'s sandbox, started the
 * way the core starts R, and returns what it printed.
 */
export async function runWrapped(
  backend: Backend,
  program: Uint8Array,
  args: readonly string[],
  options: WrappedOptions = {},
): Promise<WrappedResult> {
  const dir = fs.mkdtempSync(join(tmpdir(), "securer-wrapped-"));
  const host = fs.mkdtempSync(join(tmpdir(), "securer-ptyrun-"));
  const fds: number[] = [];
  try {
    const path = join(dir, "attack");
    fs.writeFileSync(path, program, { mode: 0o755 });
    fs.mkdirSync(join(dir, "tmp"));
    const wrapped = backend.wrap({ argv: [path, ...args], env: { LANG: "C.UTF-8" } }, {
      rHome: join(dir, "none"),
      readPaths: options.readPaths ?? [],
      sessionDir: dir,
      tmpDir: join(dir, "tmp"),
      limits: {},
    });
    for (const f of wrapped.files ?? []) {
      fs.writeFileSync(f.path, f.content, { mode: f.mode ?? 0o600 });
    }
    if (wrapped.owner) chownTree(dir, wrapped.owner.uid, wrapped.owner.gid);
    options.beforeRun?.(wrapped.owner ?? null);
    let argv = [...wrapped.argv];
    if (options.pty) {
      const ptyrun = join(host, "ptyrun");
      fs.writeFileSync(ptyrun, ptyrunBinary(), { mode: 0o755 });
      argv = [ptyrun, ...argv];
    }
    for (const f of wrapped.fds ?? []) fds.push(fs.openSync(f, fs.constants.O_RDONLY));
    return await new Promise<WrappedResult>((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), {
        env: { ...wrapped.env },
        stdio: ["ignore", "pipe", "pipe", ...fds],
      });
      let output = "";
      child.stdout?.on("data", (d) => (output += d));
      child.stderr?.on("data", (d) => (output += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.once("error", (e) => (clearTimeout(timer), reject(e)));
      child.once("close", (status) => (clearTimeout(timer), resolve({ status, output })));
    });
  } finally {
    for (const fd of fds) fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(host, { recursive: true, force: true });
  }
}
