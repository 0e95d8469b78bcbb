/**
 * The backends this host can run, for the conformance suite (`_conformance.ts`): the
 * unsandboxed backend and every built-in sandbox backend, each probed once. A backend that
 * cannot run here is still listed, with the reason, so its tests show as skipped.
 *
 * @module
 */
import type { Backend, Capabilities, SessionOptions } from "../mod.ts";
import { builtinCatalog } from "../backends/builtin.ts";
import { noR } from "./_helpers.ts";

/** One backend under test. */
export interface BackendCase {
  /** The backend's name, for test titles. */
  readonly name: string;
  /** Whether it is a sandbox (everything but `unsandboxed`). */
  readonly sandboxed: boolean;
  /** Session options that select it. */
  readonly options: SessionOptions;
  /** What its probe says it isolates here, or `null` when it cannot run here. */
  readonly capabilities: Capabilities | null;
  /** Why its tests are skipped here, or `false`. */
  readonly skip: string | false;
}

async function probeCase(
  backend: Backend,
  sandboxed: boolean,
  options: SessionOptions,
): Promise<BackendCase> {
  const probe = await backend.probe();
  const skip = noR || (probe.ok ? false : `${backend.name} cannot run here: ${probe.reason}`);
  const capabilities = probe.ok ? probe.capabilities : null;
  return { name: backend.name, sandboxed, options, capabilities, skip };
}

async function cases(): Promise<BackendCase[]> {
  const catalog = builtinCatalog();
  const out = [await probeCase(catalog.unsandboxed, false, { sandbox: false })];
  for (const backend of catalog.selector.candidates) {
    out.push(await probeCase(backend, true, { sandbox: true, backend: backend.name }));
  }
  return out;
}

/** Every backend case, probed once: `unsandboxed` first, then the sandboxes in probe order. */
export const BACKENDS: readonly BackendCase[] = await cases();

/** The sandbox backend case (the first built-in one), for tests of the default sandbox. */
export const SANDBOX: BackendCase = BACKENDS.find((b) => b.sandboxed) ?? {
  name: "sandbox",
  sandboxed: true,
  options: { sandbox: true },
  capabilities: null,
  skip: `no sandbox backend is built in for ${process.platform}`,
};
