/**
 * Finding out whether this host can give each session a cgroup (Linux), once per process:
 * cgroup v2 (the unified hierarchy, with memory and pids delegated to the host's cgroup),
 * else cgroup v1 (one hierarchy per controller, writable as root), else none — with every
 * reason kept, like the backends' probes.
 *
 * Session cgroups are made under the host's own cgroup in each hierarchy, never elsewhere.
 * The probe creates and removes a test cgroup in each, and removes the session cgroups of
 * host processes that no longer exist (as each new session cgroup does: `cgroup_fs.ts`).
 *
 * Under cgroup v2 a cgroup that holds processes cannot hand controllers to its children
 * ("no internal processes"): when the host is the only process of its cgroup, the probe
 * moves it into a leaf `securer-host` below, as a delegated service is expected to.
 *
 * Deno refuses /proc and /sys to anything short of `--allow-all`: without it the probe
 * says so (mode `none`, with the flag as the fix) and limits hold per process.
 *
 * @module
 */
import * as fs from "node:fs";
import { join } from "node:path";
import {
  cgroupDir,
  type CgroupMount,
  type CgroupResource,
  type CgroupSupport,
  parseCgroupMounts,
  parseProcCgroup,
  type ProcCgroupEntry,
  V1_CONTROLLER,
} from "../sandbox/cgroup.ts";
import { randomHex } from "./files.ts";
import { isPermissionError, permissionFailure } from "./permission_error.ts";
import { readControl, sweepStaleCgroups, writeControl } from "./cgroup_fs.ts";

/** The fix when no cgroup can be created: where the host must run. */
const UNPRIVILEGED_FIX =
  "run the host as root, or in a delegated cgroup v2 subtree (e.g. systemd-run --user --scope -p Delegate=yes <command>)";

const processWide: { support: CgroupSupport | null } = { support: null };

/**
 * What this host offers, probed on first use and pinned for the life of the process (the
 * host's cgroup does not change under it).
 */
export function probeCgroups(): CgroupSupport {
  processWide.support ??= probeCgroupsNow();
  return processWide.support;
}

/** Probes now, without pinning (for tests and `doctor()`'s fresh look). Never throws. */
export function probeCgroupsNow(): CgroupSupport {
  if (process.platform !== "linux") {
    return none([`cgroups exist only on Linux, not ${process.platform}`]);
  }
  try {
    const entries = parseProcCgroup(fs.readFileSync("/proc/self/cgroup", "utf8"));
    const mounts = parseCgroupMounts(fs.readFileSync("/proc/self/mountinfo", "utf8"));
    const reasons: string[] = [];
    const v2 = probeV2(entries, mounts);
    if (typeof v2 !== "string") {
      sweepStaleCgroups(v2.bases);
      return { mode: "v2", bases: v2.bases, reasons: v2.notes };
    }
    reasons.push(`cgroup v2: ${v2}`);
    const v1 = probeV1(entries, mounts);
    reasons.push(...v1.reasons);
    if (Object.keys(v1.bases).length > 0) {
      sweepStaleCgroups(v1.bases);
      return { mode: "v1", bases: v1.bases, reasons };
    }
    return none(reasons, UNPRIVILEGED_FIX);
  } catch (e) {
    if (isPermissionError(e)) {
      const { reason, fix } = permissionFailure(e, "the cgroup probe");
      return none([reason], fix);
    }
    return none([`the cgroup probe failed: ${e}`]);
  }
}

function none(reasons: string[], fix?: string): CgroupSupport {
  return { mode: "none", bases: {}, reasons, ...(fix ? { fix } : {}) };
}

const errorText = (e: unknown) => {
  if (isPermissionError(e)) throw e;
  const { code, message } = e as { code?: string; message?: string };
  return code ?? message ?? String(e);
};

/** Creates a test cgroup under `base`, runs `check` in it, removes it; the failure or `null`. */
function tryCgroup(base: string, check: (dir: string) => void): string | null {
  const dir = join(base, `securer-probe-${process.pid}-${randomHex(4)}`);
  try {
    fs.mkdirSync(dir);
  } catch (e) {
    return `cannot create a cgroup under ${base} (${errorText(e)})`;
  }
  try {
    check(dir);
    return null;
  } catch (e) {
    return `cannot use a cgroup under ${base} (${errorText(e)})`;
  } finally {
    try {
      fs.rmdirSync(dir);
    } catch {
      // Nothing ever ran in it.
    }
  }
}

function probeV2(
  entries: readonly ProcCgroupEntry[],
  mounts: readonly CgroupMount[],
): string | { bases: Partial<Record<CgroupResource, string>>; notes: string[] } {
  const entry = entries.find((e) => e.id === 0);
  const mount = mounts.find((m) => m.version === 2);
  if (entry === undefined || mount === undefined) return "the unified hierarchy is not mounted";
  const dir = cgroupDir(mount, entry.path);
  if (dir === null) return `the host's cgroup ${entry.path} is outside the mounted hierarchy`;
  const available = (readControl(join(dir, "cgroup.controllers")) ?? "").trim().split(/\s+/);
  const wanted = ["memory", "pids"].filter((c) => available.includes(c));
  if (!wanted.includes("memory")) {
    return `the memory controller is not available to ${dir}${
      entries.some((e) => e.controllers.includes("memory")) ? " (it is bound to cgroup v1)" : ""
    }`;
  }
  const notes: string[] = [];
  const enabled = () => (readControl(join(dir, "cgroup.subtree_control")) ?? "").split(/\s+/);
  if (!wanted.every((c) => enabled().includes(c))) {
    const failure = enableControllers(dir, wanted, notes);
    if (failure !== null) return failure;
  }
  const failure = tryCgroup(dir, (test) => {
    writeControl(join(test, "memory.max"), "max");
    if (wanted.includes("pids")) writeControl(join(test, "pids.max"), "max");
  });
  if (failure !== null) return failure;
  const bases: Partial<Record<CgroupResource, string>> = { memory: dir, cpu: dir, freezer: dir };
  if (wanted.includes("pids")) bases.pids = dir;
  else notes.push(`cgroup v2: the pids controller is not available to ${dir}`);
  return { bases, notes };
}

/** Enables `controllers` for the children of `dir`, moving the host into a leaf if needed. */
function enableControllers(dir: string, controllers: string[], notes: string[]): string | null {
  const line = controllers.map((c) => `+${c}`).join(" ");
  try {
    writeControl(join(dir, "cgroup.subtree_control"), line);
    return null;
  } catch (e) {
    const code = errorText(e);
    if (code !== "EBUSY") return `cannot delegate ${controllers.join(", ")} under ${dir} (${code})`;
  }
  const procs = (readControl(join(dir, "cgroup.procs")) ?? "").trim().split("\n");
  if (procs.length !== 1 || Number(procs[0]) !== process.pid) {
    return `${dir} holds other processes besides the host, so it cannot delegate controllers to session cgroups (cgroup v2 has no internal processes)`;
  }
  const leaf = join(dir, "securer-host");
  try {
    if (!fs.existsSync(leaf)) fs.mkdirSync(leaf);
    writeControl(join(leaf, "cgroup.procs"), String(process.pid));
    writeControl(join(dir, "cgroup.subtree_control"), line);
  } catch (e) {
    return `cannot move the host into ${leaf} to delegate controllers (${errorText(e)})`;
  }
  notes.push(`cgroup v2: moved the host process into ${leaf} so ${dir} can delegate ${line}`);
  return null;
}

/** Checks each v1 hierarchy in turn; a resource whose hierarchy is unusable keeps its reason. */
function probeV1(
  entries: readonly ProcCgroupEntry[],
  mounts: readonly CgroupMount[],
): { bases: Partial<Record<CgroupResource, string>>; reasons: string[] } {
  const bases: Partial<Record<CgroupResource, string>> = {};
  const reasons: string[] = [];
  const checks: Record<CgroupResource, (dir: string) => void> = {
    memory: (d) => writeControl(join(d, "memory.limit_in_bytes"), "-1"),
    pids: (d) => writeControl(join(d, "pids.max"), "max"),
    cpu: (d) => {
      if (readControl(join(d, "cpuacct.usage")) === null) throw new Error("no cpuacct.usage");
    },
    freezer: (d) => {
      if (readControl(join(d, "freezer.state")) === null) throw new Error("no freezer.state");
    },
  };
  for (const resource of Object.keys(checks) as CgroupResource[]) {
    const controller = V1_CONTROLLER[resource];
    const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
    const entry = entries.find((e) => e.controllers.includes(controller));
    if (mount === undefined || entry === undefined) {
      reasons.push(`cgroup v1 ${controller}: not mounted`);
      continue;
    }
    const dir = cgroupDir(mount, entry.path);
    if (dir === null) {
      reasons.push(`cgroup v1 ${controller}: the host's cgroup is outside the mount`);
      continue;
    }
    const failure = tryCgroup(dir, checks[resource]);
    if (failure !== null) reasons.push(`cgroup v1 ${controller}: ${failure}`);
    else bases[resource] = dir;
  }
  return { bases, reasons };
}
