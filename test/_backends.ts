/**
 * The backends this host can run, for the conformance suite (`_conformance.ts`): the
 * unsandboxed backend and every built-in sandbox backend, each probed once. A backend that
 * cannot run here is still listed, with the reason, so its tests show as skipped.
 *
 * Fail closed: where the suite is meant to run the sandbox — in CI (`CI=true`) or with
 * `SECURER_REQUIRE_SANDBOX=1`, on Linux — a sandbox backend whose probe fails is not
 * skipped: its suites fail, with the probe's reason. A machine that cannot sandbox opts out
 * with `SECURER_ALLOW_NO_SANDBOX=1`, which is printed loudly.
 *
 * `SECURER_MUTANT=<name>` replaces every case with one: the bubblewrap sandbox with one
 * defence removed (`mutants/mutants.ts`), claiming the real sandbox's capabilities, so the
 * escape suites run against it and must fail.
 *
 * @module
 */
import type { Backend, Capabilities, SessionOptions } from "../mod.ts";
import { builtinCatalog } from "../backends/builtin.ts";
import { noR } from "./_helpers.ts";
import { mutantBackend, mutantNamed } from "./mutants/mutants.ts";

/** One backend under test. */
export interface BackendCase {
  /** The backend's name, for test titles. */
  readonly name: string;
  /** The backend itself (for tests that call its `wrap()` directly). */
  readonly backend: Backend;
  /** Whether it is a sandbox (everything but `unsandboxed`). */
  readonly sandboxed: boolean;
  /** Session options that select it. */
  readonly options: SessionOptions;
  /** What its probe says it isolates here, or `null` when it cannot run here. */
  readonly capabilities: Capabilities | null;
  /** Why its tests are skipped here, or `false`. */
  readonly skip: string | false;
  /**
   * Why its tests must fail here, or `false`: it is a sandbox that must run on this machine
   * (see the module doc) and its probe failed.
   */
  readonly failure: string | false;
}

const env = process.env;
const requiredBy = env.CI === "true"
  ? "CI=true"
  : env.SECURER_REQUIRE_SANDBOX === "1"
  ? "SECURER_REQUIRE_SANDBOX=1"
  : null;
const optedOut = env.SECURER_ALLOW_NO_SANDBOX === "1";

/** Whether a sandbox backend that cannot run here fails the suite, and why. */
function mustRun(sandboxed: boolean): string | null {
  if (!sandboxed || process.platform !== "linux" || optedOut) return null;
  return requiredBy;
}

function announceOptOut(name: string, reason: string): void {
  const bar = "!".repeat(78);
  console.error(
    `${bar}\n!! SECURER_ALLOW_NO_SANDBOX=1: ${name} cannot run here, and its tests are SKIPPED.\n` +
      `!! ${reason}\n!! Nothing here shows that the sandbox holds. Never set this where it should.\n${bar}`,
  );
}

async function probeCase(
  backend: Backend,
  sandboxed: boolean,
  options: SessionOptions,
): Promise<BackendCase> {
  const probe = await backend.probe();
  const capabilities = probe.ok ? probe.capabilities : null;
  const base = { name: backend.name, backend, sandboxed, options, capabilities };
  if (noR) return { ...base, skip: noR, failure: false };
  if (probe.ok) return { ...base, skip: false, failure: false };
  const reason = `${backend.name} cannot run here: ${probe.reason}`;
  const required = mustRun(sandboxed);
  if (required !== null) {
    const failure = `${reason}. The sandbox must run here (${required}); ` +
      "set SECURER_ALLOW_NO_SANDBOX=1 only on a machine that cannot sandbox";
    return { ...base, skip: false, failure };
  }
  if (sandboxed && optedOut && process.platform === "linux") announceOptOut(backend.name, reason);
  return { ...base, skip: reason, failure: false };
}

async function cases(): Promise<BackendCase[]> {
  const mutant = env.SECURER_MUTANT;
  if (mutant !== undefined && mutant !== "") {
    const m = mutantNamed(mutant);
    const backend = mutantBackend(m);
    const unavailable = m.unavailable?.() ?? false;
    const c = await probeCase(backend, true, { sandbox: true, backend });
    return [unavailable ? { ...c, skip: `mutant ${m.name}: ${unavailable}`, failure: false } : c];
  }
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
  backend: builtinCatalog().unsandboxed,
  sandboxed: true,
  options: { sandbox: true },
  capabilities: null,
  skip: `no sandbox backend is built in for ${process.platform}`,
  failure: false,
};
