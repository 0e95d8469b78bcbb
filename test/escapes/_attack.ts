/**
 * Shared machinery of the escape tests: a session on the backend under test, and attack
 * programs written in C, compiled (statically) on the host at test time and handed to R
 * through a tool, so R writes them into the sandbox's /tmp and runs them with `system2()`.
 *
 * Each escape suite is a conformance suite (`../_conformance.ts`) that needs the capability
 * its attack defeats, so it runs against every backend whose probe claims that capability
 * and shows as skipped, with the reason, for the others.
 *
 * Each attack program prints `BLOCKED <why>` when the sandbox stopped it and `ESCAPED
 * <what>` when it did not.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { securerTool, SecureSession, type SessionOptions } from "../../mod.ts";

const workDir = fs.mkdtempSync(join(tmpdir(), "securer-attacks-"));
process.once("exit", () => fs.rmSync(workDir, { recursive: true, force: true }));

function findCompiler(): string | null {
  for (const cc of ["cc", "gcc", "clang"]) {
    const src = join(workDir, "probe.c");
    fs.writeFileSync(src, "int main(void) { return 0; }\n");
    const r = spawnSync(cc, ["-static", "-o", join(workDir, "probe"), src], { stdio: "ignore" });
    if (r.status === 0) return cc;
  }
  return null;
}
const compiler = findCompiler();

/** Why the compiled attacks cannot run here, or `false`. */
export const noCompiler: string | false = compiler === null
  ? "no C compiler with static libc (cc -static) to build the attack programs; install gcc and libc6-dev"
  : false;

const compiled = new Map<string, Uint8Array>();

/** Compiles an attack program once per test process and returns its bytes. */
export function attackBinary(name: string, source: string): Uint8Array {
  const done = compiled.get(name);
  if (done) return done;
  if (compiler === null) throw new Error(noCompiler as string);
  const src = join(workDir, `${name}.c`);
  const out = join(workDir, name);
  fs.writeFileSync(src, source);
  const r = spawnSync(compiler, ["-static", "-O1", "-o", out, src], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`Cannot compile ${name}: ${r.stderr}`);
  const bytes = new Uint8Array(fs.readFileSync(out));
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
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
static int blocked(const char *why) { printf("BLOCKED %s: %s\\n", why, strerror(errno)); return 0; }
static int escaped(const char *what) { printf("ESCAPED %s\\n", what); return 1; }
`;

/** R code that defines `run_attack(name, args)` in the session. */
const R_RUN_ATTACK = `run_attack <- function(name, args = character()) {
  path <- file.path(tempdir(), name)
  writeBin(attack_binary(name), path)
  Sys.chmod(path, "755")
  out <- suppressWarnings(system2(path, args, stdout = TRUE, stderr = TRUE))
  paste(out, collapse = "\\n")
}`;

/**
 * A session with these options (the backend under test's, from the conformance context),
 * with `attack_binary(name)` serving `programs` and `run_attack()` defined.
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
        args: { name: "character" },
        fn: (args) => {
          const name = args.name as string;
          const source = programs[name];
          if (source === undefined) throw new Error(`no attack program named ${name}`);
          return attackBinary(name, C_PRELUDE + source);
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
