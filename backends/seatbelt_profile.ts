/**
 * The macOS Seatbelt profile for R, generated from data (SPEC §7). Pure: policy in, SBPL
 * text out; `parseSExpression` (`parse_s_expression.ts`) reads it back. The lists of
 * allowed programs, services and sysctls are in `macos_allowances.ts`, the path checks and
 * quoting in `seatbelt_path.ts`.
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
import { MACOS_EXEC_UTILITIES, MACOS_MACH_SERVICES, MACOS_SYSCTLS } from "./macos_allowances.ts";
import {
  ancestors,
  collapse,
  inside,
  resolvedName,
  sbplString,
  seatbeltPath,
  variants,
} from "./seatbelt_path.ts";

/** What the profile is generated from: the policy's paths (its limits are not used). */
export type SeatbeltProfileInput = Pick<
  SandboxPolicy,
  "rHome" | "readPaths" | "sessionDir" | "tmpDir"
>;

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
  const rHome = seatbeltPath("R home", input.rHome);
  const session = seatbeltPath("session directory", input.sessionDir);
  const tmp = seatbeltPath("temporary directory", input.tmpDir);
  if (!inside(tmp, session)) {
    throw new RangeError(
      `Cannot use temporary directory ${JSON.stringify(input.tmpDir)} in a Seatbelt profile: ` +
        `it is not inside the session directory ${JSON.stringify(input.sessionDir)}`,
    );
  }
  const readPaths = (input.readPaths ?? []).map((p) => seatbeltPath("read path", p));
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
