/**
 * The backends this host can run, for the conformance suite: the core functional tests
 * (tools, values, output, timeouts, recovery) run once per backend. A backend that cannot
 * run here is still listed, with the reason, so its tests show as skipped.
 *
 * @module
 */
import type { SessionOptions } from "../mod.ts";
import { builtinSandboxBackends } from "../backends/builtin.ts";
import { noR } from "./_helpers.ts";

/** One backend under test. */
export interface BackendCase {
  /** The backend's name, for test titles. */
  readonly name: string;
  /** Session options that select it. */
  readonly options: SessionOptions;
  /** Why its tests are skipped here, or `false`. */
  readonly skip: string | false;
}

async function cases(): Promise<BackendCase[]> {
  const out: BackendCase[] = [{ name: "unsandboxed", options: { sandbox: false }, skip: noR }];
  for (const backend of builtinSandboxBackends()) {
    const probe = await backend.probe();
    out.push({
      name: backend.name,
      options: { sandbox: true, backend: backend.name },
      skip: noR || (probe.ok ? false : `${backend.name} cannot run here: ${probe.reason}`),
    });
  }
  return out;
}

/** Every backend case, probed once. */
export const BACKENDS: readonly BackendCase[] = await cases();

/** The sandbox backend case (the first built-in one), for the escape tests. */
export const SANDBOX: BackendCase = BACKENDS.find((b) => b.name !== "unsandboxed") ?? {
  name: "sandbox",
  options: { sandbox: true },
  skip: `no sandbox backend is built in for ${process.platform}`,
};
