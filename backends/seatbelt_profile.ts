/**
 * The macOS Seatbelt profile for R, generated from data (SPEC §7). Pure: policy in, SBPL
 * text out; {@linkcode parseSExpression} and {@linkcode checkSExpression} read it back.
 *
 * The profile denies everything (`(deny default)`) and then allows, for R only:
 * - reading R's home and library paths, the system libraries and frameworks R links
 *   against, a few system data files (time zones, locale data) and four `/dev` literals;
 *   mapping executable code only from R's own directories and the system library paths;
 * - reading and writing the session directory (the channel FIFOs, R's HOME and TMPDIR);
 *   writing `/dev/null` and `/dev/zero`; nothing else, never all of `/tmp`;
 * - `stat()` (metadata only, not listings) of the ancestors of the allowed paths and of
 *   the `/etc`, `/tmp` and `/var` symlinks, which path resolution and `getcwd()` need —
 *   never a blanket `file-read-metadata`;
 * - no network at all: `(deny network*)`. The channel to the host is two FIFOs in the
 *   session directory: file operations, not sockets;
 * - `process-fork`, because base R needs it: at start-up the utils package runs
 *   `Sys.which("uname")` through `popen()`, and a refused `fork()` makes utils (and stats)
 *   fail to load. `process-exec` only of R's own binaries and the utilities listed in
 *   {@linkcode MACOS_EXEC_UTILITIES}; bash and zsh never;
 * - `signal` and `process-info*` to itself only; an enumerated `mach-lookup` list
 *   ({@linkcode MACOS_MACH_SERVICES}; never `launchservicesd`) and `sysctl-read` of named
 *   sysctls only ({@linkcode MACOS_SYSCTLS}).
 *
 * Seatbelt matches resolved paths, so every path under `/etc`, `/tmp` or `/var` is
 * allowed under its `/private/...` name too, and an R home inside `R.framework` (normally
 * reached through the `Resources` -> `Versions/Current/...` symlinks) allows the whole
 * framework. Other symlinked paths must be passed resolved.
 *
 * Every interpolated path is checked (absolute, no control characters, no `.`/`..`
 * segments, not a whole shared directory such as `/` or `/tmp`) and written as an SBPL
 * string literal with `\` and `"` escaped, so a path cannot add or close a rule.
 *
 * Not run on macOS: this module is tested only by reading its output (on Linux). The
 * service, sysctl and path lists come from Apple's and other projects' published profiles
 * and from what base R does on Linux, and need checking against `sandbox-exec` on a Mac.
 * It assumes macOS 11 or later (the `file-map-executable` operation).
 *
 * @module
 */
import type { SandboxPolicy } from "../src/sandbox/backend.ts";

/** What the profile is generated from: the policy's paths (its limits are not used). */
export type SeatbeltProfileInput = Pick<
  SandboxPolicy,
  "rHome" | "readPaths" | "sessionDir" | "tmpDir"
>;

/** An allowed program or service, with the reason it is allowed. */
export interface Allowance {
  /** The path, service name or sysctl name. */
  readonly name: string;
  /** Why R needs it. */
  readonly why: string;
}

/** Programs other than R's own that R may execute, and why. Bash and zsh are never here. */
export const MACOS_EXEC_UTILITIES: readonly Allowance[] = Object.freeze([
  { name: "/bin/sh", why: "system(), system2() and pipe() run commands through /bin/sh" },
  {
    name: "/bin/dash",
    why:
      "macOS /bin/sh re-executes the shell /private/var/select/sh names; dash is the only one allowed",
  },
  { name: "/usr/bin/which", why: "Sys.which(), which utils calls at start-up" },
  { name: "/usr/bin/uname", why: "utils reads the OS name with `uname -a` at start-up" },
  { name: "/bin/rm", why: "R removes its temporary directory with `rm -Rf` when it exits" },
]);

/** The Mach services R may look up (global names), and why. Nothing else is reachable. */
export const MACOS_MACH_SERVICES: readonly Allowance[] = Object.freeze([
  {
    name: "com.apple.system.opendirectoryd.libinfo",
    why: "user and group look-ups (getpwuid) behind Sys.info() and path.expand()",
  },
  {
    name: "com.apple.system.notification_center",
    why: "notifyd: libc's time-zone code (tzset, localtime) watches for changes through it",
  },
]);

/** The sysctls R may read: exact names, then prefixes (ending in `.` or a stem). */
export const MACOS_SYSCTLS: {
  readonly names: readonly string[];
  readonly prefixes: readonly string[];
} = Object.freeze({
  names: Object.freeze([
    "hw.activecpu",
    "hw.byteorder",
    "hw.cachelinesize",
    "hw.cachelinesize_compat",
    "hw.cpufamily",
    "hw.cpusubtype",
    "hw.cputype",
    "hw.l1dcachesize",
    "hw.l1icachesize",
    "hw.l2cachesize",
    "hw.l3cachesize",
    "hw.logicalcpu",
    "hw.logicalcpu_max",
    "hw.machine",
    "hw.memsize",
    "hw.model",
    "hw.ncpu",
    "hw.nperflevels",
    "hw.pagesize",
    "hw.pagesize_compat",
    "hw.physicalcpu",
    "hw.physicalcpu_max",
    "hw.tbfrequency",
    "hw.vectorunit",
    "kern.argmax",
    "kern.hostname",
    "kern.maxfilesperproc",
    "kern.osproductversion",
    "kern.osrelease",
    "kern.ostype",
    "kern.osvariant_status",
    "kern.osversion",
    "kern.usrstack64",
    "kern.version",
    "sysctl.proc_cputype",
  ]),
  prefixes: Object.freeze(["hw.optional.", "hw.perflevel", "machdep.cpu."]),
});

/** System directories holding code R links against (read and map executable). */
const SYSTEM_CODE = [
  "/usr/lib",
  "/System/Library",
  "/System/Cryptexes/OS",
  "/System/Volumes/Preboot/Cryptexes/OS",
  "/Library/Apple/usr/lib",
  "/private/var/db/dyld",
];

/** System data R reads: locale and ICU data, time zones, the `sh` selector. */
const SYSTEM_DATA_DIRS = ["/usr/share", "/private/var/db/timezone"];
const SYSTEM_DATA_FILES = ["/private/etc/localtime", "/private/var/select/sh"];

/** Package managers whose libraries an R installed through them links against. */
const PACKAGE_PREFIXES: readonly { prefix: string; dirs: readonly string[] }[] = [
  { prefix: "/opt/homebrew", dirs: ["Cellar", "opt", "lib"] },
  { prefix: "/usr/local", dirs: ["Cellar", "opt", "lib"] },
  { prefix: "/opt/local", dirs: ["lib", "libexec"] },
];

/** Directories too broad to allow as a whole (they hold other users' or apps' files). */
const TOO_BROAD = new Set([
  "/",
  "/Applications",
  "/Library",
  "/Library/Frameworks",
  "/System",
  "/Users",
  "/Volumes",
  "/opt",
  "/opt/homebrew",
  "/opt/local",
  "/private",
  "/private/tmp",
  "/private/var",
  "/private/var/folders",
  "/private/var/tmp",
  "/tmp",
  "/usr",
  "/usr/local",
  "/var",
  "/var/folders",
  "/var/tmp",
]);

/** The first control character (C0 or DEL) in `s` as `U+000A`, or `null`. */
function controlCharacter(s: string): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return null;
}

/** Writes `s` as an SBPL string literal: `\` and `"` escaped. Control characters are refused. */
export function sbplString(s: string): string {
  const bad = controlCharacter(s);
  if (bad !== null) {
    throw new RangeError(
      `Cannot write ${JSON.stringify(s)} into a Seatbelt profile: it contains the control ` +
        `character ${bad}`,
    );
  }
  return `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function cleanPath(what: string, path: unknown): string {
  const fail = (why: string) =>
    new RangeError(`Cannot use ${what} ${JSON.stringify(path)} in a Seatbelt profile: ${why}`);
  if (typeof path !== "string" || path === "") throw fail("expected a non-empty string");
  const bad = controlCharacter(path);
  if (bad !== null) throw fail(`it contains the control character ${bad}`);
  if (!path.startsWith("/")) throw fail("it is not an absolute path");
  const clean = path === "/" ? "/" : path.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
  if (clean.split("/").some((s) => s === "." || s === "..")) {
    throw fail('it contains "." or ".." segments');
  }
  if (TOO_BROAD.has(clean) || /^\/Users\/[^/]+$/.test(clean)) {
    throw fail("it is too broad (a whole system, shared or home directory)");
  }
  return clean;
}

/** `p` and its twin under `/private` (or without it), since Seatbelt sees resolved paths. */
function variants(p: string): string[] {
  for (const top of ["/etc", "/tmp", "/var"]) {
    if (p === top || p.startsWith(`${top}/`)) return [p, `/private${p}`];
    if (p === `/private${top}` || p.startsWith(`/private${top}/`)) return [p, p.slice(8)];
  }
  return [p];
}

/** The name Seatbelt sees for `p`: `/etc`, `/tmp` and `/var` are symlinks into `/private`. */
function resolvedName(p: string): string {
  return variants(p).find((v) => v.startsWith("/private/")) ?? p;
}

function inside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(`${dir}/`);
}

/** Drops duplicates and paths inside another path of the list; keeps first-seen order. */
function collapse(paths: readonly string[]): string[] {
  const unique = [...new Set(paths)];
  return unique.filter((p) => !unique.some((q) => q !== p && inside(p, q)));
}

function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf("/", 1); i > 0; i = p.indexOf("/", i + 1)) out.push(p.slice(0, i));
  return out;
}

function allow(ops: string, filters: readonly string[], comments: readonly string[]): string {
  const head = comments.map((c) => `;; ${c}`).join("\n");
  return `${head}\n(allow ${ops}\n${filters.map((f) => `  ${f}`).join("\n")})`;
}

const subpath = (p: string) => `(subpath ${sbplString(p)})`;
const literal = (p: string) => `(literal ${sbplString(p)})`;

/** R's own directories: R_HOME and, for a framework build, the whole `R.framework`. */
function rRoots(rHome: string): { read: string[]; exec: string[] } {
  const framework = /^(.*\/R\.framework)(?:\/|$)/.exec(rHome)?.[1];
  if (framework === undefined) return { read: [rHome], exec: [`${rHome}/bin`] };
  return {
    read: collapse([framework, rHome]),
    exec: collapse([`${framework}/Versions`, `${rHome}/bin`]),
  };
}

/**
 * Generates the Seatbelt (SBPL) profile that confines R to `input`'s paths.
 *
 * @throws {RangeError} when a path is relative, contains a control character or `.`/`..`
 * segments, is too broad (`/`, `/tmp`, `/Users`, ...), or when `tmpDir` is not inside
 * `sessionDir`.
 *
 * @example
 * ```ts
 * import { seatbeltProfile } from "./seatbelt_profile.ts";
 * const profile = seatbeltProfile({
 *   rHome: "/Library/Frameworks/R.framework/Resources",
 *   readPaths: [],
 *   sessionDir: "/var/folders/x1/abc/T/securer-1a2b",
 *   tmpDir: "/var/folders/x1/abc/T/securer-1a2b/tmp",
 * });
 * ```
 */
export function seatbeltProfile(input: SeatbeltProfileInput): string {
  const rHome = cleanPath("R home", input.rHome);
  const session = cleanPath("session directory", input.sessionDir);
  const tmp = cleanPath("temporary directory", input.tmpDir);
  if (!inside(tmp, session)) {
    throw new RangeError(
      `Cannot use temporary directory ${JSON.stringify(input.tmpDir)} in a Seatbelt profile: ` +
        `it is not inside the session directory ${JSON.stringify(input.sessionDir)}`,
    );
  }
  const readPaths = (input.readPaths ?? []).map((p) => cleanPath("read path", p));
  const r = rRoots(rHome);
  const packages = PACKAGE_PREFIXES
    .filter(({ prefix }) => [rHome, ...readPaths].some((p) => p.startsWith(`${prefix}/`)))
    .flatMap(({ prefix, dirs }) => dirs.map((d) => `${prefix}/${d}`));
  const code = collapse([...r.read, ...readPaths, ...packages].flatMap(variants));
  const system = collapse(SYSTEM_CODE.flatMap(variants));
  const utilities = MACOS_EXEC_UTILITIES.map((u) => u.name);
  const dataDirs = collapse(SYSTEM_DATA_DIRS.flatMap(variants));
  const dataFiles = SYSTEM_DATA_FILES.flatMap(variants);
  const sessions = variants(session);
  const covering = [...code, ...system].find((c) => sessions.some((v) => inside(v, c)));
  if (covering !== undefined) {
    throw new RangeError(
      `Cannot use session directory ${JSON.stringify(input.sessionDir)} in a Seatbelt ` +
        `profile: it is inside ${JSON.stringify(covering)}, where code may be loaded from`,
    );
  }
  const devices = ["/dev/null", "/dev/zero", "/dev/random", "/dev/urandom"];
  const subpaths = [...code, ...system, ...dataDirs, ...sessions];
  const literals = [...utilities, ...dataFiles, ...devices];
  // Seatbelt sees resolved paths, so only the resolved names' parents need stat().
  const resolved = [...subpaths, ...literals].map(resolvedName);
  const metadata = [...new Set(["/etc", "/tmp", "/var", ...resolved.flatMap(ancestors)])]
    .filter((a) => !subpaths.some((p) => inside(a, p)))
    .sort();

  const rules = [
    ";; securer: Seatbelt profile for one R session (generated; do not edit).",
    "(version 1)",
    ";; Everything not allowed below is denied.",
    "(deny default)",
    ";; No network at all. The channel to the host is FIFOs in the session directory:",
    ";; file operations, not sockets.",
    "(deny network*)",
    ";; Base R forks at start-up (utils runs `which uname` through popen) and for system().",
    "(allow process-fork)",
    allow("process-exec", [...r.exec.map(subpath), ...utilities.map(literal)], [
      "Programs R may run: its own binaries, and (one per line below)",
      ...MACOS_EXEC_UTILITIES.map((u) => `${u.name}: ${u.why}`),
    ]),
    allow("signal", ["(target self)"], ["Signals to itself only."]),
    allow("process-info*", ["(target self)"], ["Information about itself only."]),
    allow("file-read*", [literal("/")], [
      "The root directory itself (dyld and getcwd read it), not what is below it.",
    ]),
    allow("file-read-metadata", metadata.map(literal), [
      "stat() of the directories above the allowed paths (and the /etc, /tmp and /var",
      "symlinks), which path resolution needs. Metadata only: no listings, no contents.",
    ]),
    allow("file-read* file-map-executable", code.map(subpath), [
      "R's home, its library paths and the libraries of the package manager it came from.",
    ]),
    allow("file-read* file-map-executable", [...system.map(subpath), ...utilities.map(literal)], [
      "System libraries and frameworks (dyld's shared cache included), and the programs above.",
    ]),
    allow("file-read*", [...dataDirs.map(subpath), ...dataFiles.map(literal)], [
      "System data: locale and ICU data, time zones, and the link /bin/sh follows.",
    ]),
    allow("file-read*", devices.map(literal), ["Devices R reads."]),
    allow("file-write-data", ["/dev/null", "/dev/zero"].map(literal), ["Devices R writes."]),
    allow("file-read* file-write*", sessions.map(subpath), [
      "The session directory: the channel FIFOs, the start-up files, R's HOME and TMPDIR.",
      "The only place R can write. Code written here cannot be mapped or executed.",
    ]),
    allow(
      "mach-lookup",
      MACOS_MACH_SERVICES.map((s) => `(global-name ${sbplString(s.name)})`),
      [
        "Mach services R may reach (one per line below); nothing else.",
        ...MACOS_MACH_SERVICES.map(
          (s) => `${s.name}: ${s.why}`,
        ),
      ],
    ),
    allow("ipc-posix-shm-read-data", ['(ipc-posix-name "apple.shm.notification_center")'], [
      "notifyd's shared page, read by the time-zone code next to the service above.",
    ]),
    allow("sysctl-read", [
      ...MACOS_SYSCTLS.names.map((n) => `(sysctl-name ${sbplString(n)})`),
      ...MACOS_SYSCTLS.prefixes.map((n) => `(sysctl-name-prefix ${sbplString(n)})`),
    ], [
      "System facts R, libc and the maths libraries read: OS name and version (uname,",
      "Sys.info), CPU count, cache and page sizes, CPU features.",
    ]),
  ];
  return `${rules.join("\n")}\n`;
}

/** A parsed S-expression: a list, a string literal, a regex literal (`#"..."`) or a symbol. */
export type SExpr =
  | { readonly kind: "list"; readonly items: readonly SExpr[] }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "regex"; readonly value: string }
  | { readonly kind: "symbol"; readonly name: string };

/**
 * Parses SBPL text into its top-level forms (comments dropped). Strings take the escapes
 * `\\`, `\"`, `\n`, `\t` and `\r`; any other escaped character stands for itself.
 *
 * @throws {SyntaxError} on an unbalanced parenthesis or an unterminated string, with the
 * line and column.
 */
export function parseSExpression(text: string): SExpr[] {
  const stack: SExpr[][] = [[]];
  const opened: { line: number; column: number }[] = [];
  let line = 1;
  let column = 1;
  const where = () => `line ${line}, column ${column}`;
  const fail = (why: string) => new SyntaxError(`Cannot parse the S-expression: ${why}`);
  let i = 0;
  const advance = () => {
    if (text[i] === "\n") {
      line++;
      column = 1;
    } else column++;
    i++;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === ";") {
      while (i < text.length && text[i] !== "\n") advance();
    } else if (/\s/.test(c)) advance();
    else if (c === "(") {
      stack.push([]);
      opened.push({ line, column });
      advance();
    } else if (c === ")") {
      if (stack.length === 1) throw fail(`unbalanced ")" at ${where()}`);
      const items = stack.pop()!;
      opened.pop();
      stack[stack.length - 1].push({ kind: "list", items });
      advance();
    } else if (c === '"' || (c === "#" && text[i + 1] === '"')) {
      const start = where();
      const kind = c === "#" ? "regex" : "string";
      if (c === "#") advance();
      advance();
      let value = "";
      for (;;) {
        if (i >= text.length) throw fail(`unterminated string starting at ${start}`);
        const d = text[i];
        if (d === '"') break;
        if (d === "\\") {
          advance();
          if (i >= text.length) throw fail(`unterminated string starting at ${start}`);
          const e = text[i];
          value += kind === "regex" ? `\\${e}` : ({ n: "\n", t: "\t", r: "\r" }[e] ?? e);
        } else value += d;
        advance();
      }
      advance();
      stack[stack.length - 1].push({ kind, value });
    } else {
      let name = "";
      while (i < text.length && !/[\s()";]/.test(text[i])) {
        name += text[i];
        advance();
      }
      stack[stack.length - 1].push({ kind: "symbol", name });
    }
  }
  if (stack.length > 1) {
    const o = opened[opened.length - 1];
    throw fail(`unclosed "(" opened at line ${o.line}, column ${o.column}`);
  }
  return stack[0];
}

/**
 * Checks that `text` is well-formed: balanced parentheses and terminated strings.
 *
 * @throws {SyntaxError} describing the first problem and where it is.
 */
export function checkSExpression(text: string): void {
  parseSExpression(text);
}
