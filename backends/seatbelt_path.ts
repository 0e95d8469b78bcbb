/**
 * Paths in a Seatbelt profile (`seatbelt_profile.ts`): {@linkcode seatbeltPath} checks each
 * path before it is interpolated (absolute, no control characters, no `.`/`..` segments,
 * not a whole shared directory such as `/` or `/tmp`), {@linkcode sbplString} writes it as
 * an SBPL string literal with `\` and `"` escaped, so a path cannot add or close a rule,
 * and the helpers here give the `/private/...` twins Seatbelt matches (it sees resolved
 * paths, and `/etc`, `/tmp` and `/var` are symlinks into `/private`).
 *
 * @module
 */

/** Directories too broad to allow as a whole (they hold other users' or apps' files). */
const TOO_BROAD: ReadonlySet<string> = new Set([
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

/**
 * Checks `path`, the policy's `what` ("R home", ...), and returns it with repeated and
 * trailing slashes removed.
 *
 * @throws {RangeError} when it is not a non-empty string, contains a control character,
 * is relative, has `.` or `..` segments, or is too broad (`/`, `/tmp`, a home directory, ...).
 */
export function seatbeltPath(what: string, path: unknown): string {
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
export function variants(p: string): string[] {
  for (const top of ["/etc", "/tmp", "/var"]) {
    if (p === top || p.startsWith(`${top}/`)) return [p, `/private${p}`];
    if (p === `/private${top}` || p.startsWith(`/private${top}/`)) return [p, p.slice(8)];
  }
  return [p];
}

/** The name Seatbelt sees for `p`: `/etc`, `/tmp` and `/var` are symlinks into `/private`. */
export function resolvedName(p: string): string {
  return variants(p).find((v) => v.startsWith("/private/")) ?? p;
}

/** Whether `p` is `dir` or a path below it. */
export function inside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(`${dir}/`);
}

/** Drops duplicates and paths inside another path of the list; keeps first-seen order. */
export function collapse(paths: readonly string[]): string[] {
  const unique = [...new Set(paths)];
  return unique.filter((p) => !unique.some((q) => q !== p && inside(p, q)));
}

/** The directories above `p`, outermost first (`/` excluded). */
export function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf("/", 1); i > 0; i = p.indexOf("/", i + 1)) out.push(p.slice(0, i));
  return out;
}
