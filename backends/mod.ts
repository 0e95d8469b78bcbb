/**
 * Sandbox backends (SPEC §7): the backend contract and the built-in backends.
 *
 * A backend is a name, a `probe()` and a pure `wrap()`; it never spawns processes. Write
 * your own by implementing {@linkcode Backend} and pass it as `backend` to a session.
 *
 * @example
 * ```ts
 * import { unsandboxed } from "@securer/securer/backends";
 * const probe = await unsandboxed.probe();
 * console.log(probe.ok);
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
} from "../src/backend.ts";
export { isBackend } from "../src/backend.ts";
export { unsandboxed } from "./unsandboxed.ts";
export { LIMIT_TOOLS, limitsPrefix } from "./limits_prefix.ts";
