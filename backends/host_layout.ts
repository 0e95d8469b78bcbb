/**
 * Reads the host's filesystem layout for the bubblewrap backend (I/O, done once by the
 * probe): which top-level directories are symlinks (merged /usr or not), where the system
 * libraries and the dynamic linker live, the fonts and fontconfig files plots need, and
 * where the few programs the sandbox offers (`sh`, `which`, `rm`, `env`, `prlimit`) really
 * are, following every symlink so each hop can be recreated inside.
 *
 * @module
 */
import * as fs from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { isPermissionError } from "../src/platform/permission_error.ts";
import { findExecutable, whichOnPath } from "../src/platform/process.ts";
import type { HostLayout } from "./bwrap_args.ts";
import { seccompArch } from "./seccomp.ts";

const TOP_LEVEL = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

/**
 * What drawing text in a plot reads: fontconfig's configuration (whose `conf.d` links
 * point into /usr/share/fontconfig) and the system's fonts. Read-only; those missing on
 * the host are left out. Not the host's font cache (/var would appear): fontconfig writes
 * its own under the sandbox's HOME, the private /tmp, the first time a plot draws text.
 */
export const FONT_PATHS: readonly string[] = [
  "/etc/fonts",
  "/usr/share/fontconfig",
  "/usr/share/fonts",
  "/usr/local/share/fonts",
];

// Every helper here treats a file it cannot read as absent, except when the runtime denies
// the permission to read it: that is rethrown, for the probe to report.

function realpath(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch (e) {
    if (isPermissionError(e)) throw e;
    return null;
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch (e) {
    if (isPermissionError(e)) throw e;
    return false;
  }
}

/** Directories listed by /etc/ld.so.conf and the files it includes. */
export function ldSoConfDirs(path = "/etc/ld.so.conf", depth = 0): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (e) {
    if (isPermissionError(e)) throw e;
    return [];
  }
  const dirs: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") continue;
    const include = /^include\s+(.+)$/.exec(line);
    if (include && depth < 4) {
      const pattern = include[1].trim();
      const dir = dirname(isAbsolute(pattern) ? pattern : join(dirname(path), pattern));
      const base = pattern.slice(pattern.lastIndexOf("/") + 1);
      const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
      let entries: string[] = [];
      try {
        entries = fs.readdirSync(dir).filter((e) => re.test(e)).sort();
      } catch (e) {
        if (isPermissionError(e)) throw e;
        // No such directory.
      }
      for (const e of entries) dirs.push(...ldSoConfDirs(join(dir, e), depth + 1));
    } else if (line.startsWith("/")) dirs.push(line);
  }
  return dirs;
}

/** The ELF interpreter (`PT_INTERP`) of a 64- or 32-bit little-endian executable. */
export function elfInterpreter(path: string): string | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(path);
  } catch (e) {
    if (isPermissionError(e)) throw e;
    return null;
  }
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[5] !== 1) return null;
  const is64 = buf[4] === 2;
  const phoff = is64 ? Number(buf.readBigUInt64LE(0x20)) : buf.readUInt32LE(0x1c);
  const phentsize = buf.readUInt16LE(is64 ? 0x36 : 0x2a);
  const phnum = buf.readUInt16LE(is64 ? 0x38 : 0x2c);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + phentsize > buf.length) return null;
    if (buf.readUInt32LE(at) !== 3) continue; // PT_INTERP
    const off = is64 ? Number(buf.readBigUInt64LE(at + 8)) : buf.readUInt32LE(at + 4);
    const size = is64 ? Number(buf.readBigUInt64LE(at + 32)) : buf.readUInt32LE(at + 16);
    return buf.subarray(off, off + size).toString("latin1").replace(/\0.*$/s, "");
  }
  return null;
}

/**
 * Follows `path` through every symlink. Returns the real directories the hops live in,
 * the symlinks as `[target, link]` (with the link's directory resolved), and the file at
 * the end.
 */
export function followChain(
  path: string,
): { dirs: string[]; links: [string, string][]; file: string } | null {
  const dirs: string[] = [];
  const links: [string, string][] = [];
  let p = path;
  for (let hop = 0; hop < 16; hop++) {
    const dir = realpath(dirname(p));
    if (dir === null) return null;
    dirs.push(dir);
    const here = join(dir, p.slice(p.lastIndexOf("/") + 1));
    if (!isSymlink(here)) return fs.existsSync(here) ? { dirs, links, file: here } : null;
    const target = fs.readlinkSync(here);
    links.push([target, here]);
    p = isAbsolute(target) ? target : resolve(dir, target);
  }
  return null;
}

const PROGRAMS: Record<string, readonly string[]> = {
  env: ["/usr/bin/env", "/bin/env"],
  prlimit: ["/usr/bin/prlimit", "/bin/prlimit"],
  rm: ["/usr/bin/rm", "/bin/rm"],
};

/** Why the layout cannot be built, when it cannot. */
export class LayoutError extends Error {
  override readonly name = "LayoutError";
}

/**
 * Reads the host layout. `bwrap` is the bubblewrap executable; `uid`/`gid` are the
 * unprivileged ids to run as when the host is root.
 *
 * @throws {LayoutError} when a required program is missing.
 */
export function readHostLayout(
  bwrap: string,
  dropTo: { setpriv: string; uid: number; gid: number } | null,
): HostLayout {
  const rootLinks: [string, string][] = [];
  for (const p of TOP_LEVEL) if (isSymlink(p)) rootLinks.push([p, fs.readlinkSync(p)]);

  const readOnly = new Set<string>();
  const addDir = (p: string) => {
    const r = realpath(p);
    if (r !== null && fs.statSync(r).isDirectory()) readOnly.add(r);
  };
  for (const d of ldSoConfDirs()) addDir(d);
  for (
    const p of [
      "/etc/ld.so.cache",
      "/etc/alternatives",
      "/usr/share/zoneinfo",
      "/usr/lib/locale",
      ...FONT_PATHS,
    ]
  ) {
    const r = realpath(p);
    if (r !== null) readOnly.add(r);
  }

  const programs: [string, string][] = [];
  const programLinks: [string, string][] = [];
  const insideBound = (p: string) => [...readOnly].some((d) => p === d || p.startsWith(`${d}/`));
  const offer = (path: string, what: string) => {
    const chain = followChain(path);
    if (chain === null) throw new LayoutError(`Cannot find ${what} at ${path}`);
    for (const [target, link] of chain.links) {
      if (!insideBound(link)) programLinks.push([target, link]);
    }
    if (!insideBound(chain.file)) programs.push([chain.file, chain.file]);
    const interp = elfInterpreter(chain.file);
    if (interp !== null) {
      const ld = followChain(interp);
      if (ld === null) throw new LayoutError(`Cannot find the dynamic linker ${interp}`);
      for (const d of ld.dirs) readOnly.add(d);
    }
    return chain.file;
  };
  offer("/bin/sh", "a shell");
  const which = whichOnPath("which");
  if (which !== null) offer(which, "which");
  const found: Record<string, string> = {};
  for (const [name, candidates] of Object.entries(PROGRAMS)) {
    const path = findExecutable(candidates);
    if (path === null) throw new LayoutError(`Cannot find \`${name}\` in ${candidates.join(", ")}`);
    found[name] = offer(path, name);
  }
  const dedupedLinks = [...new Map(programLinks.map((l) => [l[1], l])).values()];
  return {
    bwrap,
    rootLinks,
    readOnly: [...readOnly].sort(),
    programs,
    programLinks: dedupedLinks,
    env: found.env,
    prlimit: found.prlimit,
    seccomp: seccompArch(),
    dropTo,
  };
}

/**
 * The parts of /proc to mask, given the names /proc has on this kernel (a mount point must
 * exist, and which files exist depends on the kernel's configuration).
 */
export function procMasks(
  present: ReadonlySet<string>,
): { readonly files: readonly string[]; readonly dirs: readonly string[] } {
  return {
    files: PROC_MASK_FILES.filter((f) => present.has(f)).map((f) => `/proc/${f}`),
    dirs: PROC_MASK_DIRS.filter((d) => present.has(d)).map((d) => `/proc/${d}`),
  };
}

/**
 * Files of /proc that describe the host rather than the sandbox, masked inside: the kernel's
 * boot command line and configuration, kernel symbols and modules, keys, hardware and device
 * lists, disks and swap, memory-layout and scheduler internals, host-wide locks and
 * interrupt counts. What stays visible, and why, is listed in the README.
 */
export const PROC_MASK_FILES: readonly string[] = [
  "cmdline",
  "config.gz",
  "kallsyms",
  "modules",
  "keys",
  "key-users",
  "kmsg",
  "kpagecgroup",
  "kpagecount",
  "kpageflags",
  "timer_list",
  "sched_debug",
  "schedstat",
  "iomem",
  "ioports",
  "interrupts",
  "softirqs",
  "slabinfo",
  "vmallocinfo",
  "buddyinfo",
  "pagetypeinfo",
  "zoneinfo",
  "partitions",
  "diskstats",
  "swaps",
  "devices",
  "consoles",
  "misc",
  "locks",
  "crypto",
  "mdstat",
  "sysrq-trigger",
];

/** Directories of /proc that describe the host's hardware, drivers and pressure, masked. */
export const PROC_MASK_DIRS: readonly string[] = [
  "acpi",
  "bus",
  "driver",
  "irq",
  "pressure",
  "tty",
  "scsi",
  "fs",
];
