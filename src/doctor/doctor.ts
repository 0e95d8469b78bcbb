/**
 * `doctor()`: what securer finds on this machine — the R it would run and its version,
 * whether jsonlite is there, every sandbox backend's probe result with its capabilities,
 * the backend `sandbox: true` would choose, whether limits can hold for each sandbox as a
 * whole (a cgroup per session) or per process only, and the exact fix for each problem.
 *
 * Run it as `deno task doctor`.
 *
 * @module
 */
import type { Capabilities } from "../sandbox/backend.ts";
import { type CgroupMode, limitScope } from "../sandbox/cgroup.ts";
import type { Limits } from "../sandbox/limits.ts";
import { probeCgroups } from "../platform/cgroup_probe.ts";
import { runProgram } from "../platform/process.ts";
import { detectRuntime } from "../platform/runtime.ts";
import { findR } from "../channel/find_r.ts";
import { builtinSandboxBackends } from "../../backends/builtin.ts";

/** One backend's line in the report. */
export interface DoctorBackend {
  /** The backend's name. */
  readonly name: string;
  /** Whether it works here. */
  readonly ok: boolean;
  /** What it isolates, when it works. */
  readonly capabilities?: Capabilities;
  /** Why it does not work, when it does not. */
  readonly reason?: string;
  /** What would make it work, when known. */
  readonly fix?: string;
}

/** The report's word on cgroups: the mode, which limits it makes whole-sandbox, and why. */
export interface DoctorCgroups {
  /** How whole-sandbox limits are held here (`"none"`: per process only). */
  readonly mode: CgroupMode;
  /** The chosen backend's limits that hold for each sandbox as a whole. */
  readonly sandbox: readonly (keyof Limits)[];
  /** The chosen backend's limits that hold per process only. */
  readonly perProcess: readonly (keyof Limits)[];
  /** Why each cgroup version or controller is not used (the probe's reasons). */
  readonly reasons: readonly string[];
  /** What would give sessions a cgroup, when none is usable. */
  readonly fix?: string;
}

/** What `doctor()` found. */
export interface DoctorReport {
  /** `process.platform`. */
  readonly platform: string;
  /** The JavaScript runtime. */
  readonly runtime: string;
  /** The R installation, or why none was found. */
  readonly r:
    | {
      readonly ok: true;
      readonly home: string;
      readonly executable: string;
      readonly version: string;
    }
    | { readonly ok: false; readonly reason: string };
  /** The jsonlite version R can load, or `null` when it cannot. */
  readonly jsonlite: string | null;
  /** Every built-in sandbox backend for this platform, probed. */
  readonly backends: readonly DoctorBackend[];
  /** The backend `sandbox: true` would choose, or `null` (sessions would fail closed). */
  readonly chosen: string | null;
  /** Whether the chosen backend's limits hold for each sandbox as a whole, and why not. */
  readonly cgroups: DoctorCgroups;
  /** Each problem found, with the command or step that fixes it. */
  readonly problems: readonly { readonly problem: string; readonly fix: string }[];
}

const R_PROBE = 'cat(R.version.string, "\\n", sep = ""); ' +
  'cat(if (requireNamespace("jsonlite", quietly = TRUE)) as.character(utils::packageVersion("jsonlite")) else "", "\\n", sep = "")';

/**
 * Examines this machine.
 *
 * @example
 * ```ts
 * import { doctor, formatDoctorReport } from "@securer/securer";
 * console.log(formatDoctorReport(await doctor()));
 * ```
 */
export async function doctor(
  options: { rPath?: string; rHome?: string } = {},
): Promise<DoctorReport> {
  const problems: { problem: string; fix: string }[] = [];
  let r: DoctorReport["r"];
  let jsonlite: string | null = null;
  try {
    const install = await findR(options);
    const { stdout } = await runProgram(
      [install.executable, "--no-echo", "--vanilla", "-e", R_PROBE],
      { env: { ...install.env, LC_ALL: "C.UTF-8", PATH: process.env.PATH ?? "/usr/bin:/bin" } },
    );
    const [version = "", json = ""] = stdout.split("\n");
    r = { ok: true, home: install.home, executable: install.executable, version };
    jsonlite = json.trim() || null;
    if (jsonlite === null) {
      problems.push({
        problem: "R cannot load the jsonlite package",
        fix: process.platform === "linux"
          ? 'sudo apt-get install r-cran-jsonlite (or in R: install.packages("jsonlite"))'
          : "Rscript -e 'install.packages(\"jsonlite\")'",
      });
    }
  } catch (e) {
    r = { ok: false, reason: (e as Error).message };
    problems.push({
      problem: `R not found or not runnable: ${(e as Error).message}`,
      fix: process.platform === "linux"
        ? "sudo apt-get install --no-install-recommends r-base-core r-cran-jsonlite"
        : "install R 4.2 or later from https://cran.r-project.org, then pass rHome if it is not on PATH",
    });
  }
  const backends: DoctorBackend[] = [];
  for (const backend of builtinSandboxBackends()) {
    const probe = await backend.probe();
    if (probe.ok) backends.push({ name: backend.name, ok: true, capabilities: probe.capabilities });
    else {
      backends.push({ name: backend.name, ok: false, reason: probe.reason, fix: probe.fix });
      problems.push({
        problem: `${backend.name}: ${probe.reason}`,
        fix: probe.fix ?? "see the reason",
      });
    }
  }
  const chosen = backends.find((b) => b.ok)?.name ?? null;
  const support = probeCgroups();
  const scope = limitScope(support, backends.find((b) => b.ok)?.capabilities?.limits ?? []);
  const cgroups: DoctorCgroups = {
    mode: support.mode,
    sandbox: scope.sandbox,
    perProcess: scope.perProcess,
    reasons: support.reasons,
    ...(support.fix ? { fix: support.fix } : {}),
  };
  if (chosen === null) {
    problems.push({
      problem:
        "no sandbox backend works here, so `sandbox: true` (executeR's default) fails closed",
      fix: backends.length === 0
        ? `there is no built-in sandbox for ${process.platform}; pass a custom backend`
        : "apply one of the backend fixes above",
    });
  }
  return {
    platform: process.platform,
    runtime: detectRuntime(),
    r,
    jsonlite,
    backends,
    chosen,
    cgroups,
    problems,
  };
}

/** The report as text for a terminal. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines = [`securer doctor (${report.platform}, ${report.runtime})`, ""];
  lines.push(
    report.r.ok
      ? `R:          ${report.r.version} at ${report.r.home}`
      : `R:          not usable: ${report.r.reason}`,
    `jsonlite:   ${report.jsonlite ?? "missing"}`,
    "",
    "sandbox backends (in probe order):",
  );
  for (const b of report.backends) {
    if (b.ok) {
      const c = b.capabilities!;
      const iso = (["filesystem", "network", "processes", "env"] as const)
        .map((k) => `${k} ${c[k] ? "yes" : "no"}`)
        .join(", ");
      lines.push(`  ${b.name}: works — isolates ${iso}; limits ${c.limits.join(", ") || "none"}`);
    } else lines.push(`  ${b.name}: does not work — ${b.reason}`);
  }
  if (report.backends.length === 0) lines.push(`  (none built in for ${report.platform})`);
  lines.push("", `sandbox: true would use: ${report.chosen ?? "nothing (sessions fail closed)"}`);
  lines.push(...formatCgroups(report.cgroups));
  if (report.problems.length > 0) {
    lines.push("", "problems and fixes:");
    for (const p of report.problems) lines.push(`  - ${p.problem}`, `    fix: ${p.fix}`);
  } else lines.push("", "no problems found");
  return lines.join("\n");
}

function formatCgroups(c: DoctorCgroups): string[] {
  const list = (names: readonly string[]) => names.join(", ") || "none";
  const lines = [
    c.mode === "none"
      ? `cgroups:    none — every limit holds per process only (${list(c.perProcess)})`
      : `cgroups:    ${c.mode} — for the whole sandbox: ${list(c.sandbox)}; per process: ${
        list(c.perProcess)
      }`,
  ];
  for (const reason of c.reasons) lines.push(`  - ${reason}`);
  if (c.fix) lines.push(`  fix: ${c.fix}`);
  return lines;
}

if ((import.meta as { main?: boolean }).main) {
  const report = await doctor();
  console.log(formatDoctorReport(report));
  process.exit(report.problems.length === 0 ? 0 : 1);
}
