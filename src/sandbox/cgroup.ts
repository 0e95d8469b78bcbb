/**
 * Limits for the sandbox as a whole (SPEC §8), as pure decisions: which cgroup files hold
 * which limit under cgroup v1 and v2, which limits a session's cgroup makes whole-sandbox
 * and which stay per process, how to read `/proc/self/cgroup`, `/proc/self/mountinfo` and
 * the controllers' counters, and when to look at the sandbox's CPU time again.
 *
 * A cgroup charges every process of the sandbox together, and charges what per-process
 * limits miss: shared memory, memfds, tmpfs pages and kernel memory (slab) count against
 * `memory`, every task against `nproc`. CPU *time* is no cgroup knob: the session reads the
 * cgroup's total CPU usage and ends the sandbox when it passes `cpu` seconds (RLIMIT_CPU
 * still holds per process). The I/O lives in `../platform/cgroup_fs.ts`.
 *
 * @module
 */
import type { Limits } from "./limits.ts";

/** How limits can hold for a whole sandbox here: cgroup v2, cgroup v1, or not at all. */
export type CgroupMode = "v2" | "v1" | "none";

/** What a session cgroup is used for; under v1 each lives in its own hierarchy. */
export type CgroupResource = "memory" | "pids" | "cpu" | "freezer";

/** The resources in the order they are set up. */
export const CGROUP_RESOURCES: readonly CgroupResource[] = ["memory", "pids", "cpu", "freezer"];

/** The v1 controller (hierarchy) that serves each resource. */
export const V1_CONTROLLER: Readonly<Record<CgroupResource, string>> = {
  memory: "memory",
  pids: "pids",
  cpu: "cpuacct",
  freezer: "freezer",
};

/** What the cgroup probe found: the mode, where session cgroups go, and every reason. */
export interface CgroupSupport {
  /** `"none"` when no resource is usable. */
  readonly mode: CgroupMode;
  /**
   * The directory under which session cgroups are made, per usable resource: the host's
   * own cgroup in that resource's hierarchy (v2: the same directory for every resource).
   */
  readonly bases: Readonly<Partial<Record<CgroupResource, string>>>;
  /** Why each mode or resource that is not used was not usable (kept, like the backends'). */
  readonly reasons: readonly string[];
  /** What would make cgroups usable, when something is missing. */
  readonly fix?: string;
}

/** Which limits hold for the sandbox as a whole and which per process only. */
export interface LimitScope {
  /** How the whole-sandbox limits are held. */
  readonly cgroup: CgroupMode;
  /** Limits that bound all the sandbox's processes together (they also hold per process). */
  readonly sandbox: readonly (keyof Limits)[];
  /** Limits that bound each process on its own. */
  readonly perProcess: readonly (keyof Limits)[];
  /** Why some limit is per process only, when one could have been whole-sandbox. */
  readonly reason?: string;
}

/** One write that applies a limit: `value` into `file` of the resource's cgroup. */
export interface CgroupWrite {
  /** The resource whose cgroup directory holds the file. */
  readonly resource: CgroupResource;
  /** The control file, e.g. `memory.max`. */
  readonly file: string;
  /** What to write. */
  readonly value: string;
}

/** The limits a cgroup can hold for the whole sandbox, and the resource holding each. */
const WHOLE_SANDBOX: readonly (readonly [keyof Limits, CgroupResource])[] = [
  ["cpu", "cpu"],
  ["memory", "memory"],
  ["nproc", "pids"],
];

/** The resources a session cgroup needs for `limits` (freezer is only a helper for kills). */
export function resourcesFor(limits: Limits): CgroupResource[] {
  return WHOLE_SANDBOX.filter(([name]) => limits[name] !== undefined).map(([, r]) => r);
}

/**
 * The writes that apply `limits` to a session cgroup, in order. v1: `memory.limit_in_bytes`
 * then `memory.memsw.limit_in_bytes` (memory plus swap; only when the kernel accounts swap,
 * `swapFile`), `pids.max`. v2: `memory.max`, `memory.swap.max = 0` (when `swapFile`),
 * `pids.max`. The CPU budget has no file: it is watched (see {@linkcode cpuCheck}).
 */
export function limitWrites(
  version: "v1" | "v2",
  limits: Limits,
  options: { readonly swapFile: boolean },
): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  if (limits.memory !== undefined) {
    const bytes = String(Math.ceil(limits.memory));
    if (version === "v1") {
      writes.push({ resource: "memory", file: "memory.limit_in_bytes", value: bytes });
      if (options.swapFile) {
        writes.push({ resource: "memory", file: "memory.memsw.limit_in_bytes", value: bytes });
      }
    } else {
      writes.push({ resource: "memory", file: "memory.max", value: bytes });
      if (options.swapFile) {
        writes.push({ resource: "memory", file: "memory.swap.max", value: "0" });
      }
    }
  }
  if (limits.nproc !== undefined) {
    writes.push({ resource: "pids", file: "pids.max", value: String(Math.ceil(limits.nproc)) });
  }
  return writes;
}

/** The file that says whether the kernel accounts swap for the memory limit. */
export function swapFile(version: "v1" | "v2"): string {
  return version === "v1" ? "memory.memsw.limit_in_bytes" : "memory.swap.max";
}

/**
 * Which of the `enforced` limits (those the backend applies per process) hold for the
 * whole sandbox under `support`, and which per process only.
 */
export function limitScope(
  support: CgroupSupport,
  enforced: readonly (keyof Limits)[],
): LimitScope {
  const sandbox = WHOLE_SANDBOX
    .filter(([name, r]) => enforced.includes(name) && support.bases[r] !== undefined)
    .map(([name]) => name);
  const perProcess = enforced.filter((name) => !sandbox.includes(name));
  const couldBe = perProcess.filter((name) => WHOLE_SANDBOX.some(([n]) => n === name));
  return {
    cgroup: support.mode,
    sandbox,
    perProcess,
    ...(couldBe.length > 0 && support.reasons.length > 0
      ? { reason: support.reasons.join("; ") }
      : {}),
  };
}

/** One line of `/proc/self/cgroup`: `hierarchy-id:controllers:path`. */
export interface ProcCgroupEntry {
  /** The hierarchy id (0 for the v2 unified hierarchy). */
  readonly id: number;
  /** The controllers bound to that hierarchy (empty for v2 and named hierarchies). */
  readonly controllers: readonly string[];
  /** The process's cgroup in it, relative to the hierarchy (or cgroup namespace) root. */
  readonly path: string;
}

/** Parses `/proc/<pid>/cgroup`. */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (m === null) continue;
    const controllers = m[2] === "" ? [] : m[2].split(",").filter((c) => !c.startsWith("name="));
    out.push({ id: Number(m[1]), controllers, path: m[3] });
  }
  return out;
}

/** A cgroup filesystem mount, from `/proc/self/mountinfo`. */
export interface CgroupMount {
  /** 1 for a v1 hierarchy, 2 for the unified hierarchy. */
  readonly version: 1 | 2;
  /** The cgroup the mount shows at its mount point (usually `/`). */
  readonly root: string;
  /** Where it is mounted. */
  readonly mountPoint: string;
  /** The controllers of a v1 hierarchy (from its super options). */
  readonly controllers: readonly string[];
}

const unescapeMount = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** The cgroup mounts listed in `/proc/self/mountinfo`. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    if (right === undefined) continue;
    const fields = left.split(" ");
    const [fsType, , superOptions = ""] = right.split(" ");
    if (fsType !== "cgroup" && fsType !== "cgroup2") continue;
    out.push({
      version: fsType === "cgroup2" ? 2 : 1,
      root: unescapeMount(fields[3]),
      mountPoint: unescapeMount(fields[4]),
      controllers: fsType === "cgroup2"
        ? []
        : superOptions.split(",").filter((o) => /^[a-z_]+$/.test(o) && !NOT_CONTROLLERS.has(o)),
    });
  }
  return out;
}

const NOT_CONTROLLERS = new Set([
  "rw",
  "ro",
  "relatime",
  "noatime",
  "nosuid",
  "nodev",
  "noexec",
  "clone_children",
  "noprefix",
  "xattr",
  "nsdelegate",
  "memory_recursiveprot",
  "memory_localevents",
  "memory_hugetlb_accounting",
  "favordynmods",
  "cpuset_v2_mode",
]);

/**
 * The directory of cgroup `path` under `mount`, or `null` when the mount does not show it
 * (the cgroup lies outside the mount's root).
 */
export function cgroupDir(mount: CgroupMount, path: string): string | null {
  const root = mount.root === "/" ? "" : mount.root;
  if (path !== root && !path.startsWith(`${root}/`)) return null;
  const rest = path.slice(root.length);
  return `${mount.mountPoint}${rest === "/" ? "" : rest}`;
}

/** Counters of `key value` files (`memory.events`, `memory.oom_control`, `cpu.stat`, ...). */
export function parseKeyedCounts(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^(\S+)\s+(\d+)$/.exec(line.trim());
    if (m !== null) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** What a session cgroup has counted so far; `null` where the kernel does not say. */
export interface SandboxUsage {
  /** The most memory the sandbox held at once, in bytes (v1 `max_usage_in_bytes`, v2 `peak`). */
  readonly memoryPeakBytes: number | null;
  /** How often an allocation hit the memory limit (v1 `failcnt`, v2 `events: max`). */
  readonly memoryLimitHits: number | null;
  /** How many processes the kernel killed for reaching the memory limit. */
  readonly oomKills: number | null;
  /** CPU time used by all the sandbox's processes together, in seconds. */
  readonly cpuSeconds: number | null;
  /** Tasks (processes and threads) in the sandbox now. */
  readonly tasks: number | null;
  /** How often a fork was refused at the process limit (`pids.events: max`). */
  readonly taskLimitHits: number | null;
}

/** Where a usage figure is read: resource, file, key (for keyed files) and unit divisor. */
export type UsageSource = readonly [CgroupResource, string, string | null, number];

/** Where each figure is read: resource, file, key (for keyed files), and the unit divisor. */
const USAGE_FILES: Readonly<
  Record<"v1" | "v2", Readonly<Record<keyof SandboxUsage, UsageSource>>>
> = {
  v1: {
    memoryPeakBytes: ["memory", "memory.max_usage_in_bytes", null, 1],
    memoryLimitHits: ["memory", "memory.failcnt", null, 1],
    oomKills: ["memory", "memory.oom_control", "oom_kill", 1],
    cpuSeconds: ["cpu", "cpuacct.usage", null, 1e9],
    tasks: ["pids", "pids.current", null, 1],
    taskLimitHits: ["pids", "pids.events", "max", 1],
  },
  v2: {
    memoryPeakBytes: ["memory", "memory.peak", null, 1],
    memoryLimitHits: ["memory", "memory.events", "max", 1],
    oomKills: ["memory", "memory.events", "oom_kill", 1],
    cpuSeconds: ["cpu", "cpu.stat", "usage_usec", 1e6],
    tasks: ["pids", "pids.current", null, 1],
    taskLimitHits: ["pids", "pids.events", "max", 1],
  },
};

/** The file the CPU budget is read from, and the divisor that makes it seconds. */
export function cpuUsageFile(version: "v1" | "v2"): UsageSource {
  return USAGE_FILES[version].cpuSeconds;
}

/** Reads one figure from a file's text (`null` text: the file is missing or unreadable). */
export function usageFigure(source: UsageSource, text: string | null): number | null {
  if (text === null) return null;
  const [, , key, divisor] = source;
  const n = key === null ? Number(text.trim()) : parseKeyedCounts(text)[key];
  return n === undefined || !Number.isFinite(n) ? null : n / divisor;
}

/** The usage of a session cgroup, from `read(resource, file)` (`null` when unreadable). */
export function parseUsage(
  version: "v1" | "v2",
  read: (resource: CgroupResource, file: string) => string | null,
): SandboxUsage {
  const files = USAGE_FILES[version];
  const figure = (k: keyof SandboxUsage) => usageFigure(files[k], read(files[k][0], files[k][1]));
  return {
    memoryPeakBytes: figure("memoryPeakBytes"),
    memoryLimitHits: figure("memoryLimitHits"),
    oomKills: figure("oomKills"),
    cpuSeconds: figure("cpuSeconds"),
    tasks: figure("tasks"),
    taskLimitHits: figure("taskLimitHits"),
  };
}

/** The shortest and longest pause between two looks at the sandbox's CPU time. */
export const CPU_CHECK_MS: { readonly min: number; readonly max: number } = { min: 50, max: 1_000 };

/**
 * Whether the sandbox has used up its CPU budget, and otherwise when to look again: after
 * half the time its remaining budget would last with every CPU busy, between
 * {@linkcode CPU_CHECK_MS}'s bounds. An idle session is looked at once a second; one about
 * to run out, every 50 ms, so the overshoot stays under `cpus` × 50 ms.
 */
export function cpuCheck(
  usedSeconds: number,
  budgetSeconds: number,
  cpus: number,
): { readonly exceeded: true } | { readonly exceeded: false; readonly nextMs: number } {
  const remaining = budgetSeconds - usedSeconds;
  if (remaining <= 0) return { exceeded: true };
  const ms = (remaining * 1000) / Math.max(1, cpus) / 2;
  return {
    exceeded: false,
    nextMs: Math.round(Math.min(CPU_CHECK_MS.max, Math.max(CPU_CHECK_MS.min, ms))),
  };
}

const NAME = /^securer-(\d+)-(\d+)-([0-9a-f]+)$/;

/**
 * The name of a session cgroup: `securer-<owner>-<random hex>`, the owner being the host's
 * pid and pid namespace (`<pid>-<namespace>`).
 */
export function sessionCgroupName(owner: string, random: string): string {
  return `securer-${owner}-${random}`;
}

/** The host that owns a session cgroup, from its name; `null` for other names. */
export function cgroupOwner(name: string): { pid: number; namespace: string } | null {
  const m = NAME.exec(name);
  return m === null ? null : { pid: Number(m[1]), namespace: m[2] };
}
