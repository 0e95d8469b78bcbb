/**
 * Choosing the sandbox backend (SPEC §7): probe the candidates in order once, pin the
 * first that works, keep every loser's reason, and fail closed.
 *
 * The core knows no backend by name: the candidates come in a {@linkcode BackendCatalog}
 * that the entry points build from the built-ins (`backends/builtin.ts`), as Hono's entry
 * points wire in their adapters.
 *
 * @module
 */
import { type Backend, type Capabilities, isBackend } from "./backend.ts";
import { type BackendFailure, SandboxUnavailableError } from "../errors.ts";

/** A backend that probed successfully, with what it isolates. */
export interface BackendChoice {
  /** The backend. */
  readonly backend: Backend;
  /** What it isolates here. */
  readonly capabilities: Capabilities;
}

/** One candidate's probe outcome. */
export interface ProbeReport {
  /** The backend's name. */
  readonly backend: string;
  /** Whether it works here. */
  readonly ok: boolean;
  /** Why not, when it does not. */
  readonly reason?: string;
  /** What would fix it, when known. */
  readonly fix?: string;
  /** What it isolates, when it works. */
  readonly capabilities?: Capabilities;
}

/** The outcome of probing: the winner (if any) and every candidate's report. */
export interface Selection {
  /** The first candidate that works, or `null`. */
  readonly choice: BackendChoice | null;
  /** Every candidate probed, in order (probing stops at the winner). */
  readonly reports: readonly ProbeReport[];
}

/** Probes a fixed list of candidates once and remembers the outcome. */
export interface BackendSelector {
  /** The candidates, in probe order. */
  readonly candidates: readonly Backend[];
  /** Probes (the first time) and returns the pinned outcome. */
  select(): Promise<Selection>;
}

async function probeOne(backend: Backend): Promise<ProbeReport> {
  try {
    const r = await backend.probe();
    return r.ok
      ? { backend: backend.name, ok: true, capabilities: r.capabilities }
      : { backend: backend.name, ok: false, reason: r.reason, fix: r.fix };
  } catch (e) {
    return { backend: backend.name, ok: false, reason: `its probe threw: ${e}` };
  }
}

/** Makes a selector over `candidates` (probed in order, on first use). */
export function makeBackendSelector(candidates: readonly Backend[]): BackendSelector {
  let pinned: Promise<Selection> | null = null;
  return {
    candidates,
    select() {
      pinned ??= (async () => {
        const reports: ProbeReport[] = [];
        for (const backend of candidates) {
          const report = await probeOne(backend);
          reports.push(report);
          if (report.ok) {
            return { choice: { backend, capabilities: report.capabilities! }, reports };
          }
        }
        return { choice: null, reports };
      })();
      return pinned;
    },
  };
}

/**
 * The backends a session may choose from: the sandbox candidates (through a selector that
 * probes once and pins the winner), every backend selectable by name, and the backend that
 * runs R without a sandbox.
 */
export interface BackendCatalog {
  /** Probes the sandbox candidates, in order, once. */
  readonly selector: BackendSelector;
  /** Every backend that `backend: "<name>"` may name. */
  readonly byName: Readonly<Record<string, Backend>>;
  /** The backend for `sandbox: false` and for `allowUnsandboxed` fallbacks. */
  readonly unsandboxed: Backend;
}

function unavailable(reports: readonly ProbeReport[]): SandboxUnavailableError {
  const failures: BackendFailure[] = reports.map((r) => ({
    backend: r.backend,
    reason: r.reason ?? "unknown",
    ...(r.fix ? { fix: r.fix } : {}),
  }));
  const lines = failures.length > 0
    ? failures.map((f) => `- ${f.backend}: ${f.reason}${f.fix ? `\n  fix: ${f.fix}` : ""}`)
    : [`- no sandbox backend is available for ${process.platform}`];
  return new SandboxUnavailableError(
    `Cannot start a sandboxed session: no sandbox backend works on this machine.\n${
      lines.join("\n")
    }\nPass \`allowUnsandboxed: true\` to run without a sandbox anyway (not recommended).`,
    failures,
  );
}

/** How a session asks for its backend. */
export interface BackendRequest {
  /** Whether a real sandbox is required. */
  readonly sandbox: boolean;
  /** A backend object or a built-in's name, overriding probing. */
  readonly backend?: Backend | string;
  /** With `sandbox: true`, fall back to `unsandboxed` instead of failing. */
  readonly allowUnsandboxed?: boolean;
}

/**
 * Resolves the backend for a session.
 *
 * @throws {SandboxUnavailableError} when `sandbox: true` and nothing works (fail closed).
 * @throws {TypeError} for an unknown backend name or an invalid backend object.
 */
export async function chooseBackend(
  request: BackendRequest,
  catalog: BackendCatalog,
): Promise<BackendChoice & { readonly fellBack: boolean }> {
  const { backend } = request;
  const { unsandboxed, selector } = catalog;
  if (backend !== undefined) {
    let chosen: Backend;
    if (typeof backend === "string") {
      const named = Object.hasOwn(catalog.byName, backend) ? catalog.byName[backend] : undefined;
      if (named === undefined) {
        throw new TypeError(
          `Unknown backend "${backend}"; built-in backends here: ${
            Object.keys(catalog.byName).join(", ")
          }.`,
        );
      }
      chosen = named;
    } else if (isBackend(backend)) chosen = backend;
    else {throw new TypeError(
        "`backend` must be a backend name or an object with name, probe and wrap.",
      );}
    if (request.sandbox && chosen.name === unsandboxed.name && !request.allowUnsandboxed) {
      throw new TypeError(
        'The "unsandboxed" backend cannot serve `sandbox: true`; pass `sandbox: false` or `allowUnsandboxed: true`.',
      );
    }
    const report = await probeOne(chosen);
    if (!report.ok) throw unavailable([report]);
    return { backend: chosen, capabilities: report.capabilities!, fellBack: false };
  }
  if (!request.sandbox) {
    const report = await probeOne(unsandboxed);
    return { backend: unsandboxed, capabilities: report.capabilities!, fellBack: false };
  }
  const { choice, reports } = await selector.select();
  if (choice !== null) return { ...choice, fellBack: false };
  if (request.allowUnsandboxed) {
    const report = await probeOne(unsandboxed);
    return { backend: unsandboxed, capabilities: report.capabilities!, fellBack: true };
  }
  throw unavailable(reports);
}
