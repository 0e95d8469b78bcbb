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
export { unsandboxed } from "./unsandboxed.ts";
export { LIMIT_TOOLS, limitsPrefix } from "./limits_prefix.ts";
export { type BubblewrapBackend, diagnoseNamespaces, makeBubblewrap } from "./bubblewrap.ts";
export {
  type BubblewrapOptions,
  bwrapArgv,
  DEFAULT_TMP_SIZE,
  type HostLayout,
} from "./bwrap_args.ts";
export {
  makeSeatbeltBackend,
  SANDBOX_EXEC,
  seatbelt,
  SEATBELT_CAPABILITIES,
  SEATBELT_LIMITS,
  SEATBELT_LIMITS_SHELL,
  SEATBELT_PROFILE_FILE,
  type SeatbeltBackendOptions,
} from "./seatbelt.ts";
export {
  type Allowance,
  checkSExpression,
  MACOS_EXEC_UTILITIES,
  MACOS_MACH_SERVICES,
  MACOS_SYSCTLS,
  parseSExpression,
  sbplString,
  seatbeltProfile,
  type SeatbeltProfileInput,
  type SExpr,
} from "./seatbelt_profile.ts";
export {
  makeWindowsEnvBackend,
  WINDOWS_ENV_CAPABILITIES,
  WINDOWS_ENV_WARNING,
  WINDOWS_LAUNCHER_FILE,
  windowsEnv,
  type WindowsEnvBackendOptions,
  windowsLauncherScript,
} from "./windows_env.ts";
export {
  SH_LIMITS_FAILED_EXIT,
  SH_ULIMIT_FLAGS,
  type ShLimitName,
  type ShLimitsOptions,
  shLimitsPrefix,
  shLimitsScript,
} from "./sh_limits.ts";
export {
  type BackendCatalog,
  type BackendChoice,
  type BackendSelector,
  makeBackendSelector,
  type ProbeReport,
  type Selection,
} from "../src/sandbox/choose_backend.ts";
export { builtinCatalog, builtinSandboxBackends } from "./builtin.ts";
