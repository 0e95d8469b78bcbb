/**
 * R runs under Linux's `SCHED_BATCH` policy, so that waking it never preempts the host.
 *
 * Each request the host writes to a session's `req` FIFO wakes that session's R. Under the
 * normal policy the kernel may switch to R at once, inside the host's `write()`: with four
 * sessions busy on two cores, that write took 31 µs at the median and 462 µs at the 90th
 * percentile, a third of the host's time (`bench/pool.ts`'s case, measured with Deno). A
 * `SCHED_BATCH` task never preempts on wakeup (the tick still shares the CPU fairly), so the
 * host finishes its write and goes on answering the other sessions: 12 µs and 39 µs there,
 * and the pool's throughput and tail latency improved with it. R keeps its fair share of the
 * CPU; only the moment it is scheduled changes.
 *
 * The policy is set by util-linux's `chrt`, which then runs the sandbox's command in its own
 * process (the policy is inherited by bubblewrap, R and everything R starts). Where `chrt` is
 * missing or refused (another OS, a seccomp profile that forbids `sched_setscheduler`), R
 * runs under the normal policy: a difference in speed, never in isolation.
 *
 * @module
 */
import { findExecutable, runProgram } from "./process.ts";

let prefix: Promise<readonly string[]> | undefined;

/**
 * The argv prefix that starts a command under `SCHED_BATCH` (`chrt --batch 0`), or `[]` when
 * this host cannot. Probed once per process by running `true` that way; never throws.
 */
export function schedBatchPrefix(): Promise<readonly string[]> {
  prefix ??= probe();
  return prefix;
}

async function probe(): Promise<readonly string[]> {
  if (process.platform !== "linux") return [];
  try {
    const chrt = findExecutable(["/usr/bin/chrt", "/bin/chrt"]);
    const yes = findExecutable(["/usr/bin/true", "/bin/true"]);
    if (chrt === null || yes === null) return [];
    const argv = [chrt, "--batch", "0"];
    await runProgram([...argv, yes], { env: {}, timeoutMs: 10_000 });
    return argv;
  } catch {
    return [];
  }
}
