/**
 * Shared machinery of the escape tests: a session on the backend under test, and attack
 * programs written in C, compiled (statically) on the host at test time and handed to R
 * through a tool, so R writes them into the sandbox's /tmp and runs them with `system2()`.
 *
 * Each escape suite is a conformance suite (`../_conformance.ts`) that needs the capability
 * its attack defeats, so it runs against every backend whose probe claims that capability
 * and shows as skipped, with the reason, for the others.
 *
 * Each attack program prints `BLOCKED <why>: <errno name>` when the sandbox stopped it and
 * `ESCAPED <what>` when it did not. The same program also runs on the host, outside any
 * sandbox, as the sandbox's uid (`onHost`): the positive control that shows the attack
 * works where the defence is absent.
 *
 * Nothing is left behind: each program is compiled in a temporary directory removed at
 * once, and only its bytes are kept.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Backend, securerTool, SecureSession, type SessionOptions } from "../../mod.ts";

/** Runs `fn` in a fresh temporary directory, removed afterwards (synchronously). */
function inTempDir<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(join(tmpdir(), "securer-attacks-"));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function findCompiler(): string | null {
  return inTempDir((dir) => {
    const src = join(dir, "probe.c");
    fs.writeFileSync(src, "int main(void) { return 0; }\n");
    for (const cc of ["cc", "gcc", "clang"]) {
      const r = spawnSync(cc, ["-static", "-o", join(dir, "probe"), src], { stdio: "ignore" });
      if (r.status === 0) return cc;
    }
    return null;
  });
}
const compiler = findCompiler();

/** Why the compiled attacks cannot run here, or `false`. */
export const noCompiler: string | false = compiler === null
  ? "no C compiler with static libc (cc -static) to build the attack programs; install gcc and libc6-dev"
  : false;

const compiled = new Map<string, Uint8Array>();

/** Compiles a C program once per test process and returns its bytes. */
export function attackBinary(name: string, source: string): Uint8Array {
  const done = compiled.get(name);
  if (done) return done;
  if (compiler === null) throw new Error(noCompiler as string);
  const bytes = inTempDir((dir) => {
    const src = join(dir, `${name}.c`);
    const out = join(dir, name);
    fs.writeFileSync(src, source);
    const r = spawnSync(compiler, ["-static", "-O1", "-o", out, src], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`Cannot compile ${name}: ${r.stderr}`);
    return new Uint8Array(fs.readFileSync(out));
  });
  compiled.set(name, bytes);
  return bytes;
}

/** The common C prologue: includes and the two verdict helpers. */
export const C_PRELUDE = `#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
static int blocked(const char *why) { printf("BLOCKED %s: %s\\n", why, strerrorname_np(errno)); return 0; }
static int escaped(const char *what) { printf("ESCAPED %s\\n", what); return 1; }
`;

/** The uid and gid the backend runs its sandbox under, when not the host's own. */
export type Owner = { readonly uid: number; readonly gid: number } | null;

/**
 * An unprivileged uid of the kind the backend's sandboxes run under (its `wrap()` says so in
 * `owner`; as root, a fresh one per call), or `null` when they run as the host's own uid.
 * For controls that need any such uid; {@linkcode sessionOwner} gives one session's own.
 * `wrap()` is pure: this runs nothing.
 */
export function sandboxOwner(backend: Backend): Owner {
  const wrapped = backend.wrap({ argv: ["/bin/true"], env: {} }, {
    rHome: "/nonexistent",
    readPaths: [],
    sessionDir: "/nonexistent",
    tmpDir: "/nonexistent/tmp",
    limits: {},
  });
  return wrapped.owner ?? null;
}

/**
 * The uid and gid `session`'s R runs under, read from inside it, or `null` when that is the
 * host's own uid. As root, bubblewrap gives each session a uid of its own: a control that
 * needs *the session's* uid (a host process of its own uid) takes it from here.
 */
export async function sessionOwner(session: SecureSession): Promise<Owner> {
  const ids = (await session.execute(
    'st <- readLines("/proc/self/status"); ' +
      'as.integer(sapply(c("Uid:", "Gid:"), function(p) scan(text = st[startsWith(st, p)], what = "", quiet = TRUE)[[2L]]))',
  )).value as number[];
  const [uid, gid] = ids;
  return uid === process.getuid?.() ? null : { uid, gid };
}

/** `argv` prefixed to run as `owner` (via util-linux `setpriv`), or as is for `null`. */
export function asOwner(owner: Owner, argv: readonly string[]): string[] {
  if (owner === null) return [...argv];
  const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => fs.existsSync(p));
  if (setpriv === undefined) throw new Error("Cannot run as the sandbox's uid: no setpriv");
  return [
    setpriv,
    `--reuid=${owner.uid}`,
    `--regid=${owner.gid}`,
    "--clear-groups",
    "--",
    ...argv,
  ];
}

/**
 * Runs an attack program on the host, outside any sandbox, as `owner` (the sandbox's uid):
 * the positive control. Returns what it printed.
 */
export function onHost(
  owner: Owner,
  name: string,
  source: string,
  args: readonly string[] = [],
): string {
  const bytes = attackBinary(name, C_PRELUDE + source);
  return inTempDir((dir) => {
    fs.chmodSync(dir, 0o755);
    const path = join(dir, name);
    fs.writeFileSync(path, bytes, { mode: 0o755 });
    const argv = asOwner(owner, [path, ...args]);
    const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 30_000 });
    if (r.error) throw r.error;
    return `${r.stdout}${r.stderr}`.trim();
  });
}

/** Bytes of a program per `attack_binary` call: a static binary is larger than one value. */
const CHUNK = 256 * 1024;

/** R code that defines `run_attack(name, args)` in the session. */
const R_RUN_ATTACK = `run_attack <- function(name, args = character()) {
  path <- file.path(tempdir(), name)
  con <- file(path, "wb")
  part <- 0L
  repeat {
    bytes <- attack_binary(name, part)
    if (length(bytes) == 0L) break
    writeBin(bytes, con)
    part <- part + 1L
  }
  close(con)
  Sys.chmod(path, "755")
  out <- suppressWarnings(system2(path, args, stdout = TRUE, stderr = TRUE))
  paste(out, collapse = "\\n")
}`;

/**
 * A session with these options (the backend under test's, from the conformance context),
 * with `attack_binary(name, part)` serving `programs` in parts and `run_attack()` defined.
 */
export async function attackSession(
  options: SessionOptions,
  programs: Record<string, string> = {},
): Promise<SecureSession> {
  const session = await SecureSession.create({
    ...options,
    tools: [
      securerTool({
        name: "attack_binary",
        args: { name: "character", part: "integer" },
        fn: (args) => {
          const name = args.name as string;
          const source = programs[name];
          if (source === undefined) throw new Error(`no attack program named ${name}`);
          const part = Number(args.part);
          return attackBinary(name, C_PRELUDE + source).subarray(part * CHUNK, (part + 1) * CHUNK);
        },
      }),
      ...(options.tools ?? []),
    ],
  });
  await session.execute(R_RUN_ATTACK);
  return session;
}

/** Runs one attack program in the session and returns what it printed. */
export async function runAttack(
  session: SecureSession,
  name: string,
  args: string[] = [],
): Promise<string> {
  const argv = args.map((a) => JSON.stringify(a)).join(", ");
  const r = await session.execute(`run_attack(${JSON.stringify(name)}, c(${argv}))`, {
    timeout: 60_000,
  });
  return String(r.value);
}
