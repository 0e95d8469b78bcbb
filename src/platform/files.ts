/**
 * Files and directories: private session directories, private files, removal that never
 * throws, and random names.
 *
 * @module
 */
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isPermissionError } from "./permission_error.ts";

/** Creates a new private (0700) directory under the system temp directory. */
export async function makePrivateDir(prefix: string): Promise<string> {
  const dir = await fs.promises.mkdtemp(join(tmpdir(), prefix));
  await fs.promises.chmod(dir, 0o700);
  // The resolved path: sandboxes match real paths (macOS's /var is /private/var).
  return await fs.promises.realpath(dir);
}

/** Creates a private (0700) directory at `path`. */
export async function makeDir(path: string): Promise<void> {
  await fs.promises.mkdir(path, { mode: 0o700 });
}

/** Writes a new file that must not exist yet, readable only by its owner. */
export async function writePrivateFile(
  path: string,
  content: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  await fs.promises.writeFile(path, content, { mode, flag: "wx" });
}

/**
 * Removes a directory tree; never throws. A process still dying in it (R removing its own
 * temporary files as it exits) can make one pass fail with `ENOTEMPTY` or `EBUSY`, so it
 * tries again while the tree still exists, ten times in all, 50 ms apart.
 */
export async function removeDir(path: string): Promise<void> {
  for (let attempt = 1; attempt <= 10; attempt++) {
    await fs.promises.rm(path, { recursive: true, force: true }).catch(() => undefined);
    if (!fs.existsSync(path) || attempt === 10) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Reads a text file, or returns `null` when it cannot be read.
 *
 * @throws when the runtime denies the permission to read it (a denied permission is not a
 * missing file).
 */
export function readTextFile(path: string): string | null {
  try {
    return fs.readFileSync(path, "utf8");
  } catch (e) {
    if (isPermissionError(e)) throw e;
    return null;
  }
}

/** Removes a directory tree synchronously (for exit hooks); never throws. */
export function removeDirSync(path: string): void {
  try {
    fs.rmSync(path, { recursive: true, force: true });
  } catch {
    // Best effort.
  }
}

/** Changes the owner of a directory and everything directly in it. */
export async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await fs.promises.chown(dir, uid, gid);
  for (const entry of await fs.promises.readdir(dir)) {
    await fs.promises.lchown(join(dir, entry), uid, gid);
  }
}

/** Removes a file; never throws. */
export async function removeFile(path: string): Promise<void> {
  await fs.promises.rm(path, { force: true }).catch(() => undefined);
}

/** 32 random bytes as 64 lowercase hex characters. */
export function randomHex(bytes = 32): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}
