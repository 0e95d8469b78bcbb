/**
 * The argv prefix that applies resource limits on Linux without a shell (SPEC §8):
 * `env --ignore-signal=XFSZ prlimit --cpu=60:61 ... --`.
 *
 * `prlimit` (util-linux) sets each limit and execs the rest of the command, so the
 * limits hold whatever `/bin/sh` is (the reference's `ulimit -S -H` did nothing under
 * dash). SIGXFSZ is set to "ignore" first (coreutils `env --ignore-signal`), and an
 * ignored signal stays ignored across exec: a write past the file-size limit then fails
 * with an R error instead of killing R.
 *
 * @module
 */
import type { Limits } from "../src/sandbox/limits.ts";
import { prlimitArgs } from "../src/sandbox/limits.ts";

/** Where the two helper programs live on Linux. */
export const LIMIT_TOOLS: { readonly env: readonly string[]; readonly prlimit: readonly string[] } =
  {
    env: ["/usr/bin/env", "/bin/env"],
    prlimit: ["/usr/bin/prlimit", "/bin/prlimit"],
  };

/** The argv prefix for `limits` (empty when there are none). Paths are fixed, not PATH. */
export function limitsPrefix(limits: Limits, tools: { env: string; prlimit: string } = {
  env: LIMIT_TOOLS.env[0],
  prlimit: LIMIT_TOOLS.prlimit[0],
}): string[] {
  const args = prlimitArgs(limits);
  if (args.length === 0) return [];
  const prefix = limits.fsize !== undefined ? [tools.env, "--ignore-signal=XFSZ"] : [];
  return [...prefix, tools.prlimit, ...args, "--"];
}
