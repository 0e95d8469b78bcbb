/**
 * The built-in backends, wired into a {@linkcode BackendCatalog}: what the entry points
 * (`.`, `./effect`) hand to the core, which knows no backend by name.
 *
 * The catalog lives for the whole process, so the built-in sandbox backends are probed once
 * per process and the winner stays pinned (SPEC §7). It is created on first use and never
 * changes afterwards.
 *
 * @module
 */
import type { Backend } from "../src/sandbox/backend.ts";
import { type BackendCatalog, makeBackendSelector } from "../src/sandbox/choose_backend.ts";
import { makeBubblewrap } from "./bubblewrap.ts";
import { seatbelt } from "./seatbelt.ts";
import { unsandboxed } from "./unsandboxed.ts";
import { windowsEnv } from "./windows_env.ts";

const processWide: {
  sandboxes: Record<string, readonly Backend[]> | null;
  catalog: BackendCatalog | null;
} = { sandboxes: null, catalog: null };

/**
 * The built-in sandbox backends for a platform, in probe order. The instances live for the
 * whole process (each probes once).
 *
 * @param platform A `process.platform` value. @default process.platform
 */
export function builtinSandboxBackends(platform: string = process.platform): readonly Backend[] {
  processWide.sandboxes ??= {
    linux: [makeBubblewrap()],
    darwin: [seatbelt],
    win32: [windowsEnv],
  };
  return processWide.sandboxes[platform] ?? [];
}

/**
 * The catalog of built-in backends for this platform: its sandbox backends in probe order,
 * every built-in by name, and `unsandboxed`. One per process.
 */
export function builtinCatalog(): BackendCatalog {
  if (processWide.catalog === null) {
    const sandboxes = builtinSandboxBackends();
    const byName: Record<string, Backend> = { unsandboxed };
    for (const b of sandboxes) byName[b.name] = b;
    processWide.catalog = Object.freeze({
      selector: makeBackendSelector(sandboxes),
      byName: Object.freeze(byName),
      unsandboxed,
    });
  }
  return processWide.catalog;
}
