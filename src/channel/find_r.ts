/**
 * Finding the R installation to run: its home, the executable the child runs, and the
 * environment R's own start-up script would have set.
 *
 * The child runs `R_HOME/bin/exec/R` directly rather than the `R` shell script, so no
 * shell is needed to start it (and none needs to be runnable inside a sandbox). The
 * variables the script sets (`R_SHARE_DIR`, `R_INCLUDE_DIR`, `R_DOC_DIR`, the library
 * path) are read from the script and from `etc/ldpaths` as text.
 *
 * @module
 */
import * as fs from "node:fs";
import { dirname, join } from "node:path";
import { SessionStartError } from "../errors.ts";
import { readTextFile } from "../platform/files.ts";
import { findExecutable, runProgram, whichOnPath } from "../platform/process.ts";

/** A usable R installation. */
export interface RInstallation {
  /** `R_HOME`. */
  readonly home: string;
  /** The R executable the child runs (`R_HOME/bin/exec/R`). */
  readonly executable: string;
  /** Variables R needs, as its start-up script would set them. */
  readonly env: Readonly<Record<string, string>>;
  /** Directories R reads besides R_HOME (share, include, doc, site libraries, /etc/R). */
  readonly readPaths: readonly string[];
}

function scriptVar(script: string, name: string): string | null {
  const m = script.match(new RegExp(`^${name}=([^\\s;]+)\\s*$`, "m"));
  return m ? m[1].replace(/^["']|["']$/g, "") : null;
}

function libraryPath(home: string): string {
  const ldpaths = readTextFile(join(home, "etc", "ldpaths")) ?? "";
  const m = ldpaths.match(/R_LD_LIBRARY_PATH=([^}]*)\}/);
  const parts = (m ? m[1] : "${R_HOME}/lib")
    .replaceAll("${R_HOME}", home)
    .split(":")
    .filter((p) => p !== "" && !p.includes("$"));
  return [...new Set([join(home, "lib"), ...parts])].join(":");
}

/** R's library directories: R_HOME's own, and the site libraries Renviron names. */
function libraryPaths(home: string): string[] {
  const renviron = readTextFile(join(home, "etc", "Renviron")) ?? "";
  const m = /^R_LIBS_SITE=\$\{R_LIBS_SITE[:-]*'([^']*)'\}/m.exec(renviron) ??
    /^R_LIBS_SITE=['"]?([^'"\n$]*)/m.exec(renviron);
  const site = [m?.[1] ?? "", process.env.R_LIBS_SITE ?? ""]
    .join(":")
    .split(":")
    .map((p) => p.replaceAll("%S", join(home, "site-library")).replace(/\/+$/, ""))
    .filter((p) => p.startsWith("/") && !p.includes("%"));
  return [...new Set([join(home, "library"), join(home, "site-library"), ...site])];
}

/** Directories that R_HOME/etc's symlinks point into (Debian keeps them in /etc/R). */
function etcTargets(home: string): string[] {
  const dirs = new Set<string>();
  try {
    for (const entry of fs.readdirSync(join(home, "etc"))) {
      const path = join(home, "etc", entry);
      if (fs.lstatSync(path).isSymbolicLink()) dirs.add(dirname(fs.realpathSync(path)));
    }
  } catch {
    // No etc directory, or a dangling link: R will say what it misses.
  }
  return [...dirs];
}

/** Builds the installation record for a known R_HOME. */
export function installationAt(rHome: string): RInstallation {
  let home = rHome;
  try {
    home = fs.realpathSync(rHome);
  } catch {
    // Reported just below.
  }
  const executable = findExecutable([join(home, "bin", "exec", "R")]);
  if (executable === null) {
    throw new SessionStartError(
      `Cannot start R: no executable at ${
        join(home, "bin", "exec", "R")
      } (is R_HOME "${home}" right?)`,
    );
  }
  const script = readTextFile(join(home, "bin", "R")) ?? "";
  const share = scriptVar(script, "R_SHARE_DIR") ?? join(home, "share");
  const include = scriptVar(script, "R_INCLUDE_DIR") ?? join(home, "include");
  const doc = scriptVar(script, "R_DOC_DIR") ?? join(home, "doc");
  const env: Record<string, string> = {
    R_HOME: home,
    R_SHARE_DIR: share,
    R_INCLUDE_DIR: include,
    R_DOC_DIR: doc,
  };
  if (process.platform === "linux") env.LD_LIBRARY_PATH = libraryPath(home);
  // Resolved paths: sandboxes match real paths (macOS's /usr/local may be a link).
  const existing = (
    paths: string[],
  ) => [...new Set(paths.filter((p) => fs.existsSync(p)).map((p) => fs.realpathSync(p)))];
  return {
    home,
    executable,
    env,
    readPaths: existing([share, include, doc, ...libraryPaths(home), ...etcTargets(home)]),
  };
}

/**
 * Finds R: `rHome` if given, else the `R` named by `rPath` (or found on `PATH`), whose
 * home is read from its start-up script or, failing that, from `R RHOME`.
 *
 * @throws {SessionStartError} when no usable R is found.
 */
export async function findR(
  options: { rPath?: string; rHome?: string } = {},
): Promise<RInstallation> {
  if (options.rHome !== undefined) return installationAt(options.rHome);
  const r = options.rPath ?? whichOnPath("R");
  if (r === null) {
    throw new SessionStartError(
      "Cannot start R: no `R` on PATH. Install R (Debian/Ubuntu: apt-get install r-base-core r-cran-jsonlite) or pass `rHome`.",
    );
  }
  const script = readTextFile(r) ?? "";
  const fromScript = scriptVar(script, "R_HOME_DIR");
  if (fromScript !== null && findExecutable([join(fromScript, "bin", "exec", "R")]) !== null) {
    return installationAt(fromScript);
  }
  try {
    const { stdout } = await runProgram([r, "RHOME"], { timeoutMs: 10_000 });
    return installationAt(stdout.trim());
  } catch (e) {
    throw new SessionStartError(`Cannot start R: \`${r} RHOME\` failed: ${(e as Error).message}`);
  }
}
