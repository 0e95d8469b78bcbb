/**
 * One R child process and its private channel (SPEC §9), as a scoped Effect resource.
 *
 * `startChild` creates the per-session 0700 directory, the FIFOs (`req`, `res`, `out`),
 * the runtime script and `init.json`, asks the backend to wrap the R command, spawns it,
 * and waits for the handshake. Everything it acquires is released in reverse order when
 * its scope closes: the process group is killed, the FIFOs closed, the directory removed.
 *
 * After the handshake every line on `res` is parsed and validated; the first invalid one
 * marks the child broken (`Broken` event) and nothing more is read from it.
 *
 * Output: R's stdout and stderr are the write end of the `out` FIFO, and R sinks its own
 * output and messages there too, so everything R and its subprocesses print arrives in
 * one ordered stream. Lines go to the current output sink; the end-of-execution marker R
 * writes after each execution becomes a `Marker` event.
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { Deferred, Effect, type Scope, Semaphore } from "effect";
import type { Backend, Capabilities } from "../sandbox/backend.ts";
import { acquireChildCgroup, type CgroupSupport, type SandboxCgroup } from "./child_cgroup.ts";
import { SessionStartError } from "../errors.ts";
import type { Limits } from "../sandbox/limits.ts";
import { LineSplitter } from "./line_splitter.ts";
import { onHostExit } from "../platform/exit_hooks.ts";
import { makeFifos, openFifoReader, openFifoWriter } from "../platform/fifo.ts";
import {
  chownTree,
  makeDir,
  randomHex,
  removeDir,
  removeDirSync,
  removeFile,
  writePrivateFile,
} from "../platform/files.ts";
import { findProcess } from "../platform/find_process.ts";
import { makeSessionDir } from "../platform/session_dirs.ts";
import { type ExitStatus, signalProcess, spawnProcess } from "../platform/process.ts";
import {
  type ChildMessage,
  encodeHostMessage,
  type HostMessage,
  parseChildMessage,
  preview,
  type ProtocolViolation,
} from "./protocol.ts";
import type { RInstallation } from "./find_r.ts";
import { R_BOOT, R_RUNTIME } from "./r_runtime.ts";
import type { Tool } from "../tools/securer_tool.ts";

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

const MAX_OUTPUT_LINE_BYTES = 65_536;
/**
 * Output bytes R may write while no execution runs (leftover processes, where nothing kills
 * them): they are counted and dropped unread, and past this many the child is treated as
 * broken and replaced, so a flood stops costing the host's CPU.
 */
export const IDLE_OUTPUT_LIMIT = 1_048_576;
const DIAGNOSTIC_BYTES = 4_096;

function childEnv(config: ChildConfig, tmp: string): Record<string, string> {
  const host = process.env;
  const locale = process.platform === "darwin" ? "en_US.UTF-8" : "C.UTF-8";
  const env: Record<string, string> = {
    ...config.install.env,
    HOME: tmp,
    TMPDIR: tmp,
    R_LIBS_USER: "",
    LANG: locale,
    LC_ALL: locale,
    TZ: host.TZ ?? "UTC",
    PATH: host.PATH ?? "/usr/local/bin:/usr/bin:/bin",
  };
  for (const name of ["USER", "LOGNAME", "R_LIBS_SITE", "R_PLATFORM", "R_ARCH"]) {
    const value = host[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...config.env };
}

function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.length === y.length && timingSafeEqual(x, y);
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
    const dir = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => makeSessionDir(),
        catch: (e) => new SessionStartError(`Cannot create the session directory: ${e}`),
      }),
      (d) => Effect.promise(() => removeDir(d)),
    );
    const tmp = join(dir, "tmp");
    const bootPath = join(dir, "boot.R");
    const command = {
      argv: [
        config.install.executable,
        "--no-echo",
        "--no-restore",
        "--no-save",
        "--vanilla",
        `--file=${bootPath}`,
        "--args",
        dir,
      ],
      env: childEnv(config, tmp),
    };
    const wrapped = yield* Effect.try({
      try: () =>
        config.backend.wrap(command, {
          rHome: config.install.home,
          readPaths: config.install.readPaths,
          sessionDir: dir,
          tmpDir: tmp,
          limits: config.limits,
        }),
      catch: (e) =>
        new SessionStartError(`Cannot start R: backend "${config.backend.name}": ${e}`, {
          cause: e,
        }),
    });
    yield* Effect.tryPromise({
      try: async () => {
        await makeDir(tmp);
        await makeFifos(["req", "res", "out"].map((f) => join(dir, f)));
        await writePrivateFile(bootPath, R_BOOT, 0o400);
        await writePrivateFile(join(dir, "runtime.R"), R_RUNTIME, 0o400);
        await writePrivateFile(
          join(dir, "init.json"),
          JSON.stringify({
            secret,
            nonce,
            maxMessageBytes: config.maxMessageBytes,
            reapStrays: config.capabilities.ownPidNamespace === true,
            tools: config.tools.map((t) => ({
              name: t.name,
              argNames: t.args.map((a) => a.name),
              argTypes: t.args.map((a) => a.rType ?? ""),
            })),
          }),
        );
        for (const f of wrapped.files ?? []) await writePrivateFile(f.path, f.content, f.mode);
        if (wrapped.owner) await chownTree(dir, wrapped.owner.uid, wrapped.owner.gid);
      },
      catch: (e) => new SessionStartError(`Cannot prepare the session directory: ${e}`),
    });

    // --- the channel --------------------------------------------------------------
    const hello = yield* Deferred.make<ChildMessage & { type: "hello" }, SessionStartError>();
    let handshaken = false;
    let broken = false;
    let exitStatus: ExitStatus | null = null;
    let output: ((line: string) => void) | null = null;
    let diagnostics = "";
    const markerRe = new RegExp(`\x1e${nonce}:(\\d+)\x1e$`);

    const breakWith = (reason: string) => {
      if (broken) return;
      broken = true;
      if (!handshaken) {
        Deferred.doneUnsafe(
          hello,
          Effect.fail(new SessionStartError(`R broke the protocol during start-up: ${reason}`)),
        );
      } else emit({ _tag: "Broken", reason });
    };
    const onProtocolLine = (line: string) => {
      if (broken) return;
      let message: ChildMessage;
      try {
        message = parseChildMessage(line);
      } catch (e) {
        return breakWith((e as ProtocolViolation).message);
      }
      if (!handshaken) {
        if (message.type !== "hello" || !sameSecret(message.secret, secret)) {
          return breakWith(`the handshake failed: ${preview(line)}`);
        }
        handshaken = true;
        Deferred.doneUnsafe(hello, Effect.succeed(message));
        return;
      }
      if (message.type === "hello") return breakWith("a second hello");
      emit({ _tag: "Message", message });
    };
    const protocol = new LineSplitter({
      maxLineBytes: config.maxMessageBytes,
      mode: "reject",
      onLine: onProtocolLine,
      onOverflow: (n) =>
        breakWith(`message too large (at least ${n} bytes, max ${config.maxMessageBytes})`),
    });
    const outputLines = new LineSplitter({
      maxLineBytes: MAX_OUTPUT_LINE_BYTES,
      mode: "split",
      onLine: (line) => {
        if (!handshaken && diagnostics.length < DIAGNOSTIC_BYTES) diagnostics += `${line}\n`;
        const m = line.endsWith("\x1e") ? markerRe.exec(line) : null;
        const text = m ? line.slice(0, m.index) : line;
        if (m === null || text !== "") output?.(text);
        if (m !== null) emit({ _tag: "Marker", id: Number(m[1]) });
      },
    });

    const openReader = (name: string, onData: (chunk: Uint8Array) => void) =>
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => openFifoReader(join(dir, name), onData),
          catch: (e) => new SessionStartError(`Cannot open the ${name} FIFO: ${e}`),
        }),
        (r) => Effect.sync(() => r.close()),
      );
    yield* openReader("res", (c) => protocol.push(c));
    let idleBytes = 0;
    yield* openReader("out", (c) => {
      if (output !== null || !handshaken) return outputLines.push(c);
      // No execution runs: nothing of this is anyone's output. Count it, never split it.
      idleBytes += c.length;
      if (idleBytes > IDLE_OUTPUT_LIMIT) {
        breakWith(`R wrote ${idleBytes} bytes of output while no execution was running`);
      }
    });
    const writer = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => openFifoWriter(join(dir, "req")),
        catch: (e) => new SessionStartError(`Cannot open the req FIFO: ${e}`),
      }),
      (w) => Effect.sync(() => w.close()),
    );

    // --- the cgroup (released after the process is killed), and the process ---------
    const cgroup = yield* acquireChildCgroup(config);
    const proc = yield* Effect.acquireRelease(
      Effect.try({
        try: () =>
          spawnProcess(wrapped.argv, {
            env: wrapped.env,
            cwd: dir,
            outputFifo: join(dir, "out"),
            extraFds: wrapped.fds,
          }),
        catch: (e) => new SessionStartError(`Cannot spawn ${wrapped.argv[0]}: ${e}`),
      }),
      (p) =>
        Effect.promise(async () => {
          p.signal("SIGKILL", "group");
          p.signal("SIGKILL");
          await Promise.race([p.exited, new Promise((r) => setTimeout(r, 2_000))]);
        }),
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
      if (!handshaken) {
        const why = status.spawnError ??
          `it exited (${status.signal ?? `status ${status.code}`})`;
        Deferred.doneUnsafe(
          hello,
          Effect.fail(
            new SessionStartError(
              `R did not start: ${why}${diagnostics ? `\n${diagnostics.trimEnd()}` : ""}`,
            ),
          ),
        );
      } else emit({ _tag: "Exited", status });
    });

    const greeting = yield* Deferred.await(hello).pipe(
      Effect.timeoutOrElse({
        duration: config.startTimeoutMs,
        orElse: () =>
          Effect.fail(
            new SessionStartError(
              `R did not complete its handshake within ${config.startTimeoutMs} ms${
                diagnostics ? `\n${diagnostics.trimEnd()}` : ""
              }`,
            ),
          ),
      }),
    );

    // Writes are queued in order by the writer; nothing waits for them to drain.
    const send = (message: HostMessage) =>
      Effect.sync(() => {
        writer.write(encodeHostMessage(message)).catch((e) => breakWith(`cannot write to R: ${e}`));
      });
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
      kill: () => {
        proc.signal("SIGKILL", "group");
        proc.signal("SIGKILL");
      },
      setOutput: (sink) => {
        if (sink !== null && output === null) {
          // A new execution: what was left of the idle stream is not its output.
          outputLines.reset();
          idleBytes = 0;
        }
        output = sink;
      },
      exitStatus: () => exitStatus,
      sandbox: cgroup,
    };
    return child;
  });
