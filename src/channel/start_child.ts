/**
 * One R child process and its private channel (SPEC §9), as a scoped Effect resource.
 *
 * `startChild` prepares the session directory (`session_dir.ts`), opens the channel
 * (`child_channel.ts`), spawns the wrapped R command in the session's cgroup
 * (`child_cgroup.ts`) and waits for the handshake. Everything it acquires is released in
 * reverse order when its scope closes: the process group is killed, the cgroup emptied and
 * removed, the FIFOs closed, the directory removed.
 *
 * @module
 */
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { Deferred, Effect, type Scope, Semaphore } from "effect";
import type { Backend, Capabilities } from "../sandbox/backend.ts";
import { acquireChildCgroup, type CgroupSupport, type SandboxCgroup } from "./child_cgroup.ts";
import { SessionStartError } from "../errors.ts";
import type { Limits } from "../sandbox/limits.ts";
import { onHostExit } from "../platform/exit_hooks.ts";
import { randomHex, removeDirSync, removeFile } from "../platform/files.ts";
import { findProcess } from "../platform/find_process.ts";
import { type ExitStatus, signalProcess, spawnProcess } from "../platform/process.ts";
import { killChildrenFirst } from "../platform/kill_tree.ts";
import { schedBatchPrefix } from "../platform/sched_batch.ts";
import type { ChildMessage, HostMessage } from "./protocol.ts";
import type { RInstallation } from "./find_r.ts";
import type { Tool } from "../tools/securer_tool.ts";
import type { CaptureSettings } from "../plots/types.ts";
import { openChannel } from "./child_channel.ts";
import { prepareSessionDir } from "./session_dir.ts";

/** Events a child reports to its session. */
export type ChildEvent =
  | { readonly _tag: "Message"; readonly message: ChildMessage }
  | { readonly _tag: "Marker"; readonly id: number }
  | { readonly _tag: "Broken"; readonly reason: string }
  | { readonly _tag: "Exited"; readonly status: ExitStatus };

/** What a child needs to start. */
export interface ChildConfig {
  readonly install: RInstallation;
  readonly backend: Backend;
  readonly capabilities: Capabilities;
  readonly limits: Limits;
  readonly tools: readonly Tool[];
  /** Extra variables for R (already validated). */
  readonly env: Readonly<Record<string, string>>;
  readonly maxMessageBytes: number;
  readonly startTimeoutMs: number;
  /** The session's plot and file capture settings. @default none: nothing is captured */
  readonly capture?: CaptureSettings;
  /** Where session cgroups can be made. @default the process-wide probe */
  readonly cgroups?: CgroupSupport;
}

/** A running, handshaken R child. */
export interface Child {
  /** The host pid of the spawned process (R itself, or the sandbox wrapper). */
  readonly pid: number;
  /** `R.version.string` as the child reported it. */
  readonly rVersion: string;
  /** Sends a message; a failed write marks the child broken. */
  send(message: HostMessage): Effect.Effect<void>;
  /** Asks R to stop execution `id`: an `interrupt` message, then SIGINT. */
  interrupt(id: number): Effect.Effect<void>;
  /** Kills the process group now (the scope still cleans up). */
  kill(): void;
  /** Routes output lines to `sink` (or drops them when `null`). */
  setOutput(sink: ((line: string) => void) | null): void;
  /** The exit status once the process has exited, else `null`. */
  exitStatus(): ExitStatus | null;
  /** Which limits hold for the whole sandbox (its cgroup), and what the cgroup counted. */
  readonly sandbox: SandboxCgroup;
}

/** Starts an R child in the current scope and completes its handshake. */
export const startChild = (
  config: ChildConfig,
  emit: (event: ChildEvent) => void,
): Effect.Effect<Child, SessionStartError, Scope.Scope> =>
  startPermits.withPermit(startChildNow(config, emit));

/**
 * How many children may be starting at once in this process. Spawning blocks the host's
 * event loop until the new process has started its program, which under the load of dozens
 * of R start-ups took seconds (64 sessions created at once stalled the loop for 8.5 s; four
 * at a time, 0.6 s, in the same total time): start-ups beyond this wait their turn. Shared by
 * every session and pool of the process, because they share its event loop and CPUs.
 */
export const START_CONCURRENCY: number = Math.max(2, 2 * availableParallelism());
const startPermits: Semaphore.Semaphore = Semaphore.makeUnsafe(START_CONCURRENCY);

const startChildNow = (
  config: ChildConfig,
  emit: (event: ChildEvent) => void,
): Effect.Effect<Child, SessionStartError, Scope.Scope> =>
  Effect.gen(function* () {
    const secret = randomHex(32);
    const nonce = randomHex(16);
    const { dir, wrapped } = yield* prepareSessionDir(config, secret, nonce);
    const channel = yield* openChannel(
      { dir, secret, nonce, maxMessageBytes: config.maxMessageBytes },
      emit,
    );
    let exitStatus: ExitStatus | null = null;
    const diagnostics = () => {
      const d = channel.diagnostics();
      return d ? `\n${d.trimEnd()}` : "";
    };

    // --- the cgroup (released after the process is killed), and the process ---------
    const cgroup = yield* acquireChildCgroup(config);
    const batch = yield* Effect.promise(() => schedBatchPrefix());
    const proc = yield* Effect.acquireRelease(
      Effect.try({
        try: () =>
          spawnProcess([...batch, ...wrapped.argv], {
            env: wrapped.env,
            cwd: dir,
            outputFifo: join(dir, "out"),
            extraFds: wrapped.fds,
          }),
        catch: (e) => new SessionStartError(`Cannot spawn ${wrapped.argv[0]}: ${e}`),
      }),
      (p) => Effect.promise(() => killChildrenFirst(p)),
    );
    yield* Effect.acquireRelease(
      Effect.sync(() =>
        onHostExit(() => {
          proc.signal("SIGKILL", "group");
          proc.signal("SIGKILL");
          removeDirSync(dir);
        })
      ),
      (unregister) => Effect.sync(unregister),
    );
    yield* cgroup.adopt(proc.pid); // At once: R's start-up counts, what it starts is born inside.
    proc.exited.then((status) => {
      exitStatus = status;
      if (!channel.handshaken()) {
        const why = status.spawnError ??
          `it exited (${status.signal ?? `status ${status.code}`})`;
        Deferred.doneUnsafe(
          channel.hello,
          Effect.fail(new SessionStartError(`R did not start: ${why}${diagnostics()}`)),
        );
      } else emit({ _tag: "Exited", status });
    });

    const greeting = yield* Deferred.await(channel.hello).pipe(
      Effect.timeoutOrElse({
        duration: config.startTimeoutMs,
        orElse: () =>
          Effect.fail(
            new SessionStartError(
              `R did not complete its handshake within ${config.startTimeoutMs} ms${diagnostics()}`,
            ),
          ),
      }),
    );
    const send = channel.send;
    // The secret has done its job; inside a sandbox R cannot delete the file itself.
    yield* Effect.promise(() => removeFile(join(dir, "init.json")));
    // Signals must reach R itself, which may run inside a sandbox wrapper.
    let rPid: number | null = null;
    const rProcess = async () => (rPid ??= (await findProcess(proc.pid, "R")) ?? proc.pid);
    yield* cgroup.watchCpu(() => rProcess().then((p) => signalProcess(p, "SIGXCPU")));
    const child: Child = {
      pid: proc.pid,
      rVersion: greeting.r,
      send,
      interrupt: (id) =>
        send({ type: "interrupt", id }).pipe(
          // A process gone already is no error: the exit event reports it.
          Effect.andThen(Effect.promise(async () => {
            signalProcess(await rProcess(), "SIGINT");
          })),
        ),
      kill: () => void killChildrenFirst(proc),
      setOutput: channel.setOutput,
      exitStatus: () => exitStatus,
      sandbox: cgroup,
    };
    return child;
  });
