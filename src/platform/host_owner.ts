/**
 * Who owns a leftover: session directories and cgroups are named after the host process
 * that made them — its pid *and its pid namespace*, since a pid means nothing outside its
 * namespace. A host in a container (or in a pid namespace of its own, as PID 1) shares the
 * temp directory and the cgroup tree with hosts outside; by pid alone it would take their
 * live sessions for leftovers of dead processes and remove them.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { isPermissionError } from "./permission_error.ts";
import { processMayExist } from "./process.ts";
import { findExecutable } from "./process.ts";

let cached: string | null = null;

/**
 * This host's pid namespace, as the inode number of `/proc/self/ns/pid` (`"0"` where there
 * are no pid namespaces, `"unknown"` where it cannot be read: then nothing is swept). Deno
 * refuses /proc to anything short of `--allow-all`, so there it asks `readlink`, a child in
 * the same namespace.
 */
export function pidNamespace(): string {
  if (cached !== null) return cached;
  if (process.platform !== "linux") return (cached = "0");
  let link = "";
  try {
    link = fs.readlinkSync("/proc/self/ns/pid");
  } catch (e) {
    const readlink = isPermissionError(e)
      ? findExecutable(["/usr/bin/readlink", "/bin/readlink"])
      : null;
    try {
      if (readlink !== null) {
        link = execFileSync(readlink, ["/proc/self/ns/pid"], { encoding: "utf8", env: {} });
      }
    } catch {
      // Unreadable: "unknown" below.
    }
  }
  return (cached = /^pid:\[(\d+)\]/.exec(link.trim())?.[1] ?? "unknown");
}

/** This host as the owner part of a leftover's name: `<pid>-<pid namespace>`. */
export function ownerTag(): string {
  return `${process.pid}-${pidNamespace()}`;
}

/**
 * Whether the owner `<pid>-<namespace>` is certainly gone: same pid namespace as this host
 * (another namespace's pids cannot be checked from here), not this host, and no process
 * with that pid exists.
 */
export function ownerGone(pid: number, namespace: string): boolean {
  const ours = pidNamespace();
  if (ours === "unknown" || namespace !== ours || pid === process.pid) return false;
  return !processMayExist(pid);
}
