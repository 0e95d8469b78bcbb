/**
 * The child runtime compiled to R byte code once per machine, so that R does not compile
 * it again in every session.
 *
 * R compiles a closure the first time it is called (its JIT). Every session calls the
 * runtime's closures afresh, so every session compiled them again: about 0.2 s of CPU per
 * session, most of it inside the session's first executions (its second took 70–170 ms
 * instead of 3). The runtime is compiled once, by the R that runs it, to a serialized byte
 * code object kept in a per-user cache directory (`$XDG_CACHE_HOME/securer`, else
 * `~/.cache/securer`); each session's directory gets a copy (`runtime.rds`) beside the
 * source, and R's boot script evaluates the byte code, or the source when the copy is
 * missing or unreadable.
 *
 * The compilation runs the runtime's own source and no user code. It happens once per
 * cache key (the runtime's text, the R executable's path, size and modification time)
 * and in the foreground of the first session start that needs it (about 1 s once), so no
 * process of it outlives that start. Where no cache directory can be used (no home, a
 * read-only home, Deno without the permission to write there: never prompted for), nothing
 * is compiled and sessions run the source, as before.
 *
 * Each host process marks the file it uses (its modification time); a compilation removes
 * those of other versions or installations unused for 30 days, so upgrades do not pile up
 * files of about 0.5 MB.
 *
 * The cache is trusted as the host's own files are: a file is used only if it is a regular
 * file of this user's, in a directory of this user's, neither writable by group or others.
 * Sandboxed R never sees the cache (only the copy in its read-only session directory);
 * unsandboxed R runs as the host's user and could rewrite it, as it could rewrite the
 * library itself.
 *
 * @module
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { dirname, join } from "node:path";
import { randomHex } from "../platform/files.ts";
import { runProgram } from "../platform/process.ts";
import { globals } from "../platform/runtime.ts";
import type { RInstallation } from "./find_r.ts";
import { R_RUNTIME } from "./r_runtime.ts";

/** The largest compiled runtime accepted from the cache (it is about 0.5 MB). */
const MAX_BYTES = 16 * 1024 * 1024;
/** How long the one compilation may take before it is given up. */
const COMPILE_TIMEOUT_MS = 60_000;
/** A compiled runtime no host has used for this long is removed (by the next compilation). */
const UNUSED_MS = 30 * 24 * 60 * 60 * 1000;
/** Bumped when the compiled file's form changes, so older caches are not read. */
const FORMAT = "1";

/**
 * R code run by the compiling R: parses the runtime (`--args <source> <output>`), compiles
 * the body of its `local()` block for an environment whose parent is the base environment
 * (where the runtime runs), writes it uncompressed, and reads it back as a check.
 */
const COMPILE_R = [
  "a <- commandArgs(trailingOnly = TRUE)",
  'e <- parse(a[[1L]], keep.source = FALSE, encoding = "UTF-8")[[1L]]',
  'stopifnot(identical(e[[1L]], as.name("local")))',
  "code <- compiler::compile(e[[2L]], env = new.env(parent = baseenv()),",
  "  options = list(suppressAll = TRUE))",
  "saveRDS(code, a[[2L]], compress = FALSE)",
  'stopifnot(identical(typeof(readRDS(a[[2L]])), "bytecode"))',
].join("\n");

const compiled: Map<string, Promise<Uint8Array | null>> = new Map();

/**
 * The compiled runtime for this R installation, or `null` when there is none to use
 * (sessions then run the source). Compiles it on the first call for a new key, once per
 * process even when many sessions start together. Never throws.
 */
export function compiledRuntime(install: RInstallation): Promise<Uint8Array | null> {
  let key: string;
  let dir: string | null;
  try {
    dir = cacheDir();
    if (dir === null) return Promise.resolve(null);
    key = cacheKey(install);
  } catch {
    return Promise.resolve(null);
  }
  const path = join(dir, `runtime-${key}.rds`);
  const earlier = compiled.get(path);
  if (earlier !== undefined) return earlier;
  const result = lookUpOrCompile(install, path).catch(() => null);
  compiled.set(path, result);
  return result;
}

/** The cache directory, created private if missing; `null` if it cannot be used. */
function cacheDir(): string | null {
  const home = process.env.HOME;
  const base = process.env.XDG_CACHE_HOME || (home ? join(home, ".cache") : "");
  if (!base.startsWith("/")) return null;
  const dir = join(base, "securer");
  if (!mayWrite(dir)) return null;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || !ownedPrivately(st)) return null;
  return dir;
}

/** Deno prompts for a permission it was not given: ask it quietly instead. */
function mayWrite(path: string): boolean {
  const permissions = (globals.Deno as
    | { permissions?: { querySync?(d: { name: string; path: string }): { state: string } } }
    | undefined)?.permissions;
  if (permissions?.querySync === undefined) return true;
  return ["read", "write"].every((name) =>
    permissions.querySync!({ name, path }).state === "granted"
  );
}

function ownedPrivately(st: fs.Stats): boolean {
  const uid = process.getuid?.();
  return (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
/** The runtime's digest, hashed once per process rather than at every session start. */
let runtimeDigest: string | undefined;

function cacheKey(install: RInstallation): string {
  const st = fs.statSync(install.executable);
  runtimeDigest ??= sha256(R_RUNTIME);
  return sha256([FORMAT, install.executable, st.size, st.mtimeMs, runtimeDigest].join("\0"))
    .slice(0, 32);
}

async function lookUpOrCompile(install: RInstallation, path: string): Promise<Uint8Array | null> {
  const cached = readCached(path);
  if (cached !== null) {
    // Marks it used (once per process), for the pruning below.
    const now = new Date();
    try {
      fs.utimesSync(path, now, now);
    } catch {
      // Not marked: it may be pruned and compiled again one day.
    }
    return cached;
  }
  try {
    pruneUnused(dirname(path));
  } catch {
    // What is left is only disk space.
  }
  // Written under names of their own, then renamed: hosts compiling at once never see a
  // half-written file.
  const part = `${path.slice(0, -".rds".length)}.${randomHex(6)}`;
  const dir = dirname(path);
  try {
    fs.writeFileSync(`${part}.R`, R_RUNTIME, { mode: 0o600, flag: "wx" });
    await runProgram(
      [
        install.executable,
        "--no-echo",
        "--no-restore",
        "--no-save",
        "--vanilla",
        "-e",
        COMPILE_R,
        "--args",
        `${part}.R`,
        `${part}.rds`,
      ],
      {
        env: { ...install.env, HOME: dir, TMPDIR: dir, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
        timeoutMs: COMPILE_TIMEOUT_MS,
      },
    );
    fs.chmodSync(`${part}.rds`, 0o600);
    fs.renameSync(`${part}.rds`, path);
  } finally {
    for (const f of [`${part}.R`, `${part}.rds`]) fs.rmSync(f, { force: true });
  }
  return readCached(path);
}

/**
 * Removes the compiled runtimes of other versions or R installations that no host process
 * has used for {@linkcode UNUSED_MS} (each process marks the one it uses), so upgrades do
 * not pile them up.
 */
function pruneUnused(dir: string): void {
  const cutoff = Date.now() - UNUSED_MS;
  for (const name of fs.readdirSync(dir)) {
    if (!/^runtime-[0-9a-f]{32}\.rds$/.test(name)) continue;
    const path = join(dir, name);
    if (fs.lstatSync(path).mtimeMs < cutoff) fs.rmSync(path, { force: true });
  }
}

/** The cached file's bytes if it is one this host may use, else `null`. */
function readCached(path: string): Uint8Array | null {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || !ownedPrivately(st) || st.size > MAX_BYTES) return null;
    const bytes = fs.readFileSync(fd);
    // An uncompressed serialization in R's XDR format starts "X\n".
    if (bytes.length < 2 || bytes[0] !== 0x58 || bytes[1] !== 0x0a) return null;
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  } finally {
    fs.closeSync(fd);
  }
}
