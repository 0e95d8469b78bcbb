/**
 * The conformance harness: one suite, run once per backend case of `_backends.ts`.
 *
 * `conformance(title, { needs }, body)` registers one `describe` per backend, titled
 * `title [backend]`. A backend that cannot run here, or whose probe does not report a
 * capability the suite needs, still gets its `describe`, skipped with the reason, so the
 * output shows what did not run and why — except a sandbox that must run here (in CI; see
 * `_backends.ts`): its `describe` holds one failing test, "runs on this machine". Capability flags are the probe's `capabilities`:
 * `filesystem`, `network`, `processes`, `env`, and the limit names it enforces.
 *
 * @example
 * ```ts
 * conformance("escape: the network", { needs: ["network"] }, (ctx) => {
 *   const session = ctx.shareSession();
 *   it("cannot resolve names", SLOW, async () => {
 *     await session().execute("...");
 *   });
 * });
 * ```
 *
 * @module
 */
import { after, before, describe, it } from "node:test";
import { type Limits, SecureSession, type SessionOptions } from "../mod.ts";
import { type BackendCase, BACKENDS } from "./_backends.ts";

/** An isolation a backend's probe reports as a boolean flag. */
export type Isolation = "filesystem" | "network" | "processes" | "env";

/** A capability flag: an isolation the backend provides, or a limit it enforces. */
export type Capability = Isolation | keyof Limits;

/** How a conformance suite is gated. */
export interface ConformanceOptions {
  /** The capabilities every test of the suite relies on. @default [] */
  readonly needs?: readonly Capability[];
  /** A further gate, e.g. the platform: the reason to skip this backend, or `false`. */
  readonly skip?: string | false | ((backend: BackendCase) => string | false);
}

/** What a suite's body gets for the backend it runs against. */
export interface ConformanceContext {
  /** The backend case under test. */
  readonly backend: BackendCase;
  /** The session options that select this backend, with `extra` on top. */
  options(extra?: SessionOptions): SessionOptions;
  /** Why a test needing these capabilities must skip on this backend, or `false`. */
  lacks(...needs: Capability[]): string | false;
  /**
   * One resource shared by the suite's tests: opened in `before`, closed in `after`.
   * Returns its getter, valid inside the tests.
   */
  shared<T extends { close(): Promise<void> }>(open: () => Promise<T>): () => T;
  /** One session on this backend shared by the suite's tests (see `shared`). */
  shareSession(extra?: SessionOptions): () => SecureSession;
}

const ISOLATION: Record<Isolation, string> = {
  filesystem: "filesystem isolation",
  network: "network isolation",
  processes: "process isolation",
  env: "environment isolation",
};

const isIsolation = (c: Capability): c is Isolation => c in ISOLATION;

/** Why `backend` cannot serve `needs`, or `false` when its probe reports them all. */
function missing(backend: BackendCase, needs: readonly Capability[]): string | false {
  const caps = backend.capabilities;
  if (caps === null) return false; // It cannot run here at all: `backend.skip` says why.
  const absent = needs.filter((c) => isIsolation(c) ? !caps[c] : !caps.limits.includes(c));
  if (absent.length === 0) return false;
  const names = absent.map((c) => isIsolation(c) ? ISOLATION[c] : `the ${c} limit`);
  const list = names.length === 1
    ? names[0]
    : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `needs ${list}, which ${backend.name} does not provide here`;
}

function context(backend: BackendCase): ConformanceContext {
  const ctx: ConformanceContext = {
    backend,
    options: (extra = {}) => ({ ...backend.options, ...extra }),
    lacks: (...needs) => missing(backend, needs),
    shared<T extends { close(): Promise<void> }>(open: () => Promise<T>): () => T {
      let value: T | undefined;
      before(async () => {
        value = await open();
      });
      after(async () => {
        await value?.close();
      });
      return () => {
        if (value === undefined) throw new Error("The shared resource is used outside a test");
        return value;
      };
    },
    shareSession: (extra) => ctx.shared(() => SecureSession.create(ctx.options(extra))),
  };
  return ctx;
}

/**
 * Registers `body` once per backend case, as `describe("title [backend]")`, skipped with
 * the reason where the backend cannot run here, lacks one of `needs`, or `skip` says so.
 */
export function conformance(
  title: string,
  options: ConformanceOptions,
  body: (ctx: ConformanceContext) => void,
): void {
  for (const backend of BACKENDS) {
    const failure = backend.failure;
    if (failure) {
      // Fail closed: the sandbox must run here and cannot (see `_backends.ts`).
      describe(`${title} [${backend.name}]`, () => {
        it("runs on this machine", () => {
          throw new Error(failure);
        });
      });
      continue;
    }
    const gate = typeof options.skip === "function" ? options.skip(backend) : options.skip;
    const skip = backend.skip || gate || missing(backend, options.needs ?? []);
    describe(`${title} [${backend.name}]`, { skip }, () => body(context(backend)));
  }
}
