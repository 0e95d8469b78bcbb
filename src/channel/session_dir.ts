/**
 * A child's session directory: the private 0700 directory with its `tmp`, the three FIFOs
 * (`req`, `res`, `out`), the R boot and runtime scripts, `init.json` (the secret and the
 * tools), and what the backend asks to add — prepared before R starts, removed when the
 * scope closes. Also the R command and its allowlisted environment, wrapped by the backend.
 *
 * @module
 */
import { join } from "node:path";
import { Effect, type Scope } from "effect";
import { SessionStartError } from "../errors.ts";
import type { WrappedCommand } from "../sandbox/backend.ts";
import { makeFifos } from "../platform/fifo.ts";
import { chownTree, makeDir, removeDir, writePrivateFile } from "../platform/files.ts";
import { makeSessionDir } from "../platform/session_dirs.ts";
import { compiledRuntime } from "./compiled_runtime.ts";
import { R_BOOT, R_RUNTIME } from "./r_runtime.ts";
import type { ChildConfig } from "./start_child.ts";

/** A prepared session directory and the wrapped command that runs R in it. */
export interface SessionDir {
  /** The directory (its real path). */
  readonly dir: string;
  /** The backend's wrapping of the R command. */
  readonly wrapped: WrappedCommand;
}

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

/** Creates the session directory in the current scope, with everything R needs to start. */
export const prepareSessionDir = (
  config: ChildConfig,
  secret: string,
  nonce: string,
): Effect.Effect<SessionDir, SessionStartError, Scope.Scope> =>
  Effect.gen(function* () {
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
        const bytecode = await compiledRuntime(config.install);
        if (bytecode !== null) await writePrivateFile(join(dir, "runtime.rds"), bytecode, 0o400);
        await writePrivateFile(
          join(dir, "init.json"),
          JSON.stringify({
            secret,
            nonce,
            maxMessageBytes: config.maxMessageBytes,
            reapStrays: config.capabilities.ownPidNamespace === true,
            // Both off: R skips capture altogether.
            capture: config.capture?.plots || config.capture?.files ? config.capture : null,
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
    return { dir, wrapped };
  });
