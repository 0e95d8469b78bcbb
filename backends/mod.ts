/**
 * Sandbox backends (SPEC §7): the backend contract and the built-in backends.
 *
 * A backend is a name, a `probe()` and a pure `wrap()`; it never spawns processes. Write
 * your own by implementing {@linkcode Backend} and pass it as `backend` to a session.
 *
 * | backend       | platform | runs here (Linux CI)   |
 * |---------------|----------|------------------------|
 * | `bubblewrap`  | Linux    | yes: tested end to end |
 * | `seatbelt`    | macOS    | no: unit-tested output |
 * | `windows-env` | Windows  | no: unit-tested output |
 * | `unsandboxed` | any      | yes                    |
 *
 * @example
 * ```ts
 * import { makeBubblewrap } from "@securer/securer/backends";
 * const probe = await makeBubblewrap().probe();
 * console.log(probe.ok ? probe.capabilities : probe.reason);
 * ```
 *
 * @module
 */
export type {
  Backend,
  BackendFile,
  Capabilities,
  LaunchCommand,
  ProbeResult,
  SandboxPolicy,
  WrappedCommand,
} from "../src/sandbox/backend.ts";
export { isBackend } from "../src/sandbox/backend.ts";
export type { Limits } from "../src/sandbox/limits.ts";
export {
  type BackendCatalog,
  type BackendChoice,
  type BackendSelector,
  makeBackendSelector,
  type ProbeReport,
  type Selection,
} from "../src/sandbox/choose_backend.ts";
export { builtinCatalog, builtinSandboxBackends } from "./builtin.ts";
export { unsandboxed } from "./unsandboxed.ts";
export { type BubblewrapBackend, makeBubblewrap } from "./bubblewrap.ts";
export { type BubblewrapOptions, DEFAULT_TMP_SIZE, type HostLayout } from "./bwrap_args.ts";
export { makeSeatbeltBackend, seatbelt, type SeatbeltBackendOptions } from "./seatbelt.ts";
export { makeWindowsEnvBackend, windowsEnv, type WindowsEnvBackendOptions } from "./windows_env.ts";
