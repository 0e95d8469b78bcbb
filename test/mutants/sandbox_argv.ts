/**
 * The bubblewrap backend's argv, split into parts a mutant can edit: the privilege-dropping
 * prefix (`setpriv ... --` when the host is root), bwrap's options as groups (a flag and its
 * arguments), and the command after bwrap's `--` (the limits wrapper, then R). Pure.
 *
 * Parsing knows the arity of every bwrap flag the backend uses and throws on any other, so
 * a new flag in `backends/bwrap_args.ts` stops the mutation harness instead of being cut in
 * half silently.
 *
 * @module
 */

/** Arguments each bwrap flag takes. */
const ARITY: Readonly<Record<string, number>> = {
  "--unshare-user": 0,
  "--unshare-user-try": 0,
  "--unshare-ipc": 0,
  "--unshare-pid": 0,
  "--unshare-net": 0,
  "--unshare-uts": 0,
  "--unshare-cgroup": 0,
  "--unshare-cgroup-try": 0,
  "--unshare-all": 0,
  "--share-net": 0,
  "--disable-userns": 0,
  "--die-with-parent": 0,
  "--new-session": 0,
  "--clearenv": 0,
  "--as-pid-1": 0,
  "--hostname": 1,
  "--cap-drop": 1,
  "--cap-add": 1,
  "--seccomp": 1,
  "--add-seccomp-fd": 1,
  "--unsetenv": 1,
  "--proc": 1,
  "--dev": 1,
  "--tmpfs": 1,
  "--size": 1,
  "--perms": 1,
  "--dir": 1,
  "--remount-ro": 1,
  "--chdir": 1,
  "--uid": 1,
  "--gid": 1,
  "--setenv": 2,
  "--symlink": 2,
  "--bind": 2,
  "--bind-try": 2,
  "--ro-bind": 2,
  "--ro-bind-try": 2,
  "--dev-bind": 2,
  "--dev-bind-try": 2,
};

/** A bubblewrap argv, in parts. */
export interface SandboxArgv {
  /** What runs bwrap: `setpriv ... --` when the host is root, else empty. */
  readonly prefix: readonly string[];
  /** The bwrap executable. */
  readonly bwrap: string;
  /** bwrap's options, each a flag followed by its arguments, in order. */
  readonly options: readonly (readonly string[])[];
  /** What bwrap runs (after its `--`): the limits wrapper, if any, then R. */
  readonly command: readonly string[];
}

/**
 * Splits `argv` at the bwrap executable `bwrap`.
 *
 * @throws {Error} when `bwrap` is absent, a flag is unknown or short of arguments, or
 * bwrap's `--` is missing.
 */
export function parseSandboxArgv(argv: readonly string[], bwrap: string): SandboxArgv {
  const at = argv.indexOf(bwrap);
  if (at < 0) throw new Error(`Cannot find ${bwrap} in the argv: ${argv.join(" ")}`);
  const options: string[][] = [];
  let i = at + 1;
  while (i < argv.length && argv[i] !== "--") {
    const flag = argv[i];
    const arity = ARITY[flag];
    if (arity === undefined) {
      throw new Error(
        `Cannot parse the bubblewrap argv: unknown flag "${flag}" (add its arity to test/mutants/sandbox_argv.ts)`,
      );
    }
    if (i + arity >= argv.length) {
      throw new Error(`Cannot parse the bubblewrap argv: ${flag} lacks arguments`);
    }
    options.push(argv.slice(i, i + 1 + arity));
    i += 1 + arity;
  }
  if (i >= argv.length) {
    throw new Error("Cannot parse the bubblewrap argv: no `--` before the command");
  }
  return {
    prefix: argv.slice(0, at),
    bwrap,
    options,
    command: argv.slice(i + 1),
  };
}

/** Joins the parts back into an argv. */
export function formatSandboxArgv(a: SandboxArgv): string[] {
  return [...a.prefix, a.bwrap, ...a.options.flat(), "--", ...a.command];
}

/** The options without the groups `drop` matches. */
export function withoutOptions(
  options: readonly (readonly string[])[],
  drop: (group: readonly string[]) => boolean,
): (readonly string[])[] {
  return options.filter((g) => !drop(g));
}

/** Is `group` exactly these tokens? */
export const isGroup = (group: readonly string[], ...tokens: string[]): boolean =>
  group.length === tokens.length && group.every((t, i) => t === tokens[i]);
