/**
 * The cgroup of one R child (SPEC §8), as a scoped resource: limits for the sandbox as a
 * whole where the host allows it.
 *
 * It is created before the child is spawned and released after the child is killed: every
 * process left in it is killed and its directories removed, in the background (and by the
 * host's exit hooks if the host exits first). Right
 * after the spawn — while R starts, long before any user code runs — `adopt` moves the
 * spawned process and all its descendants in, so R's own start-up is counted and everything
 * started later is born inside and counted together: memory (with shared memory, memfds,
 * tmpfs pages and kernel memory), tasks, and CPU time. (Moving a process costs the kernel an
 * RCU grace period, about 2 ms per process and hierarchy: done here, it overlaps R's start.)
 *
 * CPU time has no cgroup knob: a watch, started after the handshake, reads the cgroup's CPU
 * usage (more often as the budget runs out, see `cpuCheck`) and, past `cpu` seconds, calls
 * `onCpuExceeded` (the child sends R SIGXCPU, as RLIMIT_CPU would, so R's exit names the
 * cause) and kills whatever is left a second later.
 *
 * @module
 */
import { availableParallelism } from "node:os";
import { clearTimeout, setTimeout } from "node:timers";
import { Effect, type Scope } from "effect";
import { SessionStartError } from "../errors.ts";
import {
  type CgroupSupport,
  cpuCheck,
  type LimitScope,
  limitScope,
  resourcesFor,
  type SandboxUsage,
} from "../sandbox/cgroup.ts";
import type { Limits } from "../sandbox/limits.ts";
import { createSessionCgroup, type SessionCgroup } from "../platform/cgroup_fs.ts";
import { probeCgroups } from "../platform/cgroup_probe.ts";
import { onHostExit } from "../platform/exit_hooks.ts";

/** What a session learns of its child's cgroup. */
export interface SandboxCgroup {
  /** Which of the child's limits hold for the whole sandbox and which per process. */
  readonly limitScope: LimitScope;
  /** What the cgroup has counted so far, or `null` without a cgroup. */
  usage(): SandboxUsage | null;
  /** Whether the whole-sandbox CPU budget ran out (and the sandbox was ended). */
  cpuExceeded(): boolean;
}

/** The child's cgroup, as the child uses it. */
export interface ChildCgroup extends SandboxCgroup {
  /** Moves `pid` and its descendants in (no-op without a cgroup). */
  adopt(pid: number): Effect.Effect<void, SessionStartError>;
  /**
   * Starts the CPU watch, which calls `onCpuExceeded` once when the sandbox's CPU time passes
   * `limits.cpu` (no-op without a cgroup or a cpu limit).
   */
  watchCpu(onCpuExceeded: () => Promise<unknown>): Effect.Effect<void>;
}

/** What {@linkcode acquireChildCgroup} needs (a `ChildConfig` has it). */
export interface ChildCgroupOptions {
  /** The session's limits. */
  readonly limits: Limits;
  /**
   * What the backend enforces: `limits` lists the limits it applies per process; without
   * `hostProcesses` (`false`) no host cgroup can hold its processes, and none is made.
   */
  readonly capabilities: {
    readonly limits: readonly (keyof Limits)[];
    readonly hostProcesses?: boolean;
  };
  /** What the host offers. @default the process-wide probe */
  readonly cgroups?: CgroupSupport;
  /** CPUs the sandbox can keep busy at once (paces the CPU watch). @default all of them */
  readonly cpus?: number;
}

export type { CgroupSupport };

/** How long processes get after the CPU budget ran out before they are killed. */
const CPU_GRACE_MS = 1_000;

/** Creates the child's cgroup in the current scope (none when no limit needs one). */
export const acquireChildCgroup = (
  options: ChildCgroupOptions,
): Effect.Effect<ChildCgroup, SessionStartError, Scope.Scope> =>
  Effect.gen(function* () {
    const support: CgroupSupport = options.capabilities.hostProcesses === false
      ? { mode: "none", bases: {}, reasons: ["the backend's processes are not the host's"] }
      : options.cgroups ?? probeCgroups();
    const set = options.capabilities.limits.filter((name) => options.limits[name] !== undefined);
    const limits: Limits = Object.fromEntries(set.map((n) => [n, options.limits[n]]));
    const scope = limitScope(support, set);
    const resources = resourcesFor(limits).filter((r) => support.bases[r] !== undefined);
    if (support.mode === "none" || resources.length === 0) {
      return {
        limitScope: scope,
        adopt: () => Effect.void,
        watchCpu: () => Effect.void,
        usage: () => null,
        cpuExceeded: () => false,
      };
    }
    // Released without waiting: R's processes, already killed, take tens of milliseconds to
    // be gone, and the directories go once they are. Until then the host's exit removes them.
    const { cgroup } = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          const cg = createSessionCgroup(support, resources, limits);
          return { cgroup: cg, unregister: onHostExit(() => cg.removeSync()) };
        },
        catch: (e) => new SessionStartError(`Cannot create the session's cgroup: ${e}`),
      }),
      ({ cgroup: cg, unregister }) => Effect.sync(() => void cg.remove().finally(unregister)),
    );
    const watch = yield* Effect.acquireRelease(
      Effect.sync(() => cpuWatch(cgroup, limits.cpu, options.cpus ?? availableParallelism())),
      (w) => Effect.sync(() => w.stop()),
    );
    return {
      limitScope: scope,
      adopt: (pid) =>
        Effect.try({
          try: () => void cgroup.adopt(pid),
          catch: (e) => new SessionStartError(`Cannot move R into the session's cgroup: ${e}`),
        }),
      watchCpu: (onCpuExceeded) => Effect.sync(() => watch.start(onCpuExceeded)),
      usage: () => cgroup.usage(),
      cpuExceeded: () => watch.exceeded,
    };
  });

interface CpuWatch {
  readonly exceeded: boolean;
  start(onExceeded: () => Promise<unknown>): void;
  stop(): void;
}

/** Looks at the cgroup's CPU time until it passes `budget` seconds (nothing without one). */
function cpuWatch(cgroup: SessionCgroup, budget: number | undefined, cpus: number): CpuWatch {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const state = { exceeded: false, onExceeded: (): Promise<unknown> => Promise.resolve() };
  const later = (ms: number, f: () => void) => {
    timer = setTimeout(f, ms);
    timer.unref();
  };
  const tick = () => {
    if (stopped || budget === undefined) return;
    const used = cgroup.cpuSeconds();
    const check = cpuCheck(used ?? 0, budget, cpus);
    if (!check.exceeded) return later(check.nextMs, tick);
    state.exceeded = true;
    state.onExceeded().catch(() => undefined); // What survives it is killed next.
    later(CPU_GRACE_MS, () => void cgroup.kill());
  };
  return {
    get exceeded() {
      return state.exceeded;
    },
    start(onExceeded) {
      state.onExceeded = onExceeded;
      tick();
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}
