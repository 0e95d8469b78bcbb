/**
 * The mutation harness (`deno task mutants`): shows that every escape test can fail.
 *
 * 1. Runs the escape suites (`test/escapes/`) against the real sandbox: all must pass.
 * 2. For each mutant of `test/mutants/mutants.ts` — the bubblewrap sandbox with one defence
 *    removed — runs the escape files that should catch it (`catchers`), on Deno, with
 *    `SECURER_MUTANT=<name>`: at least one test must fail.
 * 3. Prints the table defence × catching tests, and exits 1 unless every mutant was caught.
 *
 * Every run has `CI=true`, so a sandbox that cannot start fails instead of skipping (and
 * `SECURER_ALLOW_NO_SANDBOX` is ignored: this harness exists to show the sandbox holds).
 *
 * Usage: deno run -A scripts/mutants.ts [--all] [--only name,name] [--no-baseline]
 *   --all  runs every escape file against every mutant (slow; for the full matrix), except
 *          the files a mutant marks unsafe to run without its defence.
 *
 * @module
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { MUTANTS } from "../test/mutants/mutants.ts";

const root = join(import.meta.dirname ?? ".", "..");
const escapes = join(root, "test", "escapes");
const deno = join(root, "node_modules", ".bin", "deno");

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    all: { type: "boolean", default: false },
    only: { type: "string" },
    "no-baseline": { type: "boolean", default: false },
    jobs: { type: "string", default: "2" },
  },
});
const jobs = Math.max(1, Number(values.jobs) || 1);

/** One leaf test of a run: its name and whether it failed or was skipped. */
interface Leaf {
  readonly name: string;
  readonly failed: boolean;
  readonly skipped: boolean;
}

/** The leaves of a Deno JUnit report (a `describe` is a parent of its `it`s). */
function leaves(xml: string): Leaf[] {
  const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)]
    .map((m) => ({ name: unescape(m[1]), body: m[2] ?? "" }));
  const out: Leaf[] = [];
  for (const c of cases) {
    const children = cases.filter((o) => o.name.startsWith(`${c.name} > `));
    const failed = /<failure|<error/.test(c.body);
    if (children.length === 0) {
      out.push({ name: c.name, failed, skipped: /<skipped/.test(c.body) });
    } else if (failed && !children.some((o) => /<failure|<error/.test(o.body))) {
      out.push({ name: c.name, failed, skipped: false }); // a failing hook
    }
  }
  return out;
}

function unescape(s: string): string {
  return s.replaceAll("&gt;", ">").replaceAll("&lt;", "<").replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'").replaceAll("&amp;", "&");
}

/** Runs `deno test` on `files` with `env` added; returns its leaves and how long it took. */
function runDeno(
  files: readonly string[],
  extraEnv: Record<string, string>,
): Promise<{ leaves: Leaf[]; seconds: number; code: number | null; tail: string }> {
  const dir = fs.mkdtempSync(join(tmpdir(), "securer-mutants-"));
  const junit = join(dir, "report.xml");
  const started = Date.now();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  delete env.SECURER_ALLOW_NO_SANDBOX;
  delete env.SECURER_MUTANT;
  Object.assign(env, { CI: "true", NO_COLOR: "1" }, extraEnv);
  return new Promise((resolve) => {
    const child = spawn(
      deno,
      ["test", "-A", "--no-check", `--junit-path=${junit}`, ...files],
      { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let text = "";
    child.stdout.on("data", (d) => (text += d));
    child.stderr.on("data", (d) => (text += d));
    child.on("close", (code) => {
      let xml = "";
      try {
        xml = fs.readFileSync(junit, "utf8");
      } catch {
        // No report: the run crashed; the tail says why.
      }
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({
        leaves: leaves(xml),
        seconds: (Date.now() - started) / 1000,
        code,
        tail: text.split("\n").slice(-15).join("\n"),
      });
    });
  });
}

const allFiles = fs.readdirSync(escapes).filter((f) => f.endsWith(".test.ts")).sort();
const rel = (f: string) => relative(root, join(escapes, f));

/** The test's name without the suite's backend tag, e.g. `escape: the network > cannot ...`. */
const short = (name: string) => name.replace(/ \[[^\]]*\]/, "");

const started = Date.now();
let ok = true;

if (!values["no-baseline"]) {
  console.log(`baseline: ${allFiles.length} escape files against the real sandbox ...`);
  const base = await runDeno(allFiles.map(rel), {});
  const failed = base.leaves.filter((l) => l.failed);
  const sandboxed = base.leaves.filter((l) => !/\[unsandboxed\]/.test(l.name));
  const skipped = sandboxed.filter((l) => l.skipped);
  console.log(
    `baseline: ${
      base.leaves.length - failed.length - skipped.length
    } passed, ${failed.length} failed, ` +
      `${skipped.length} skipped in the sandbox (${base.seconds.toFixed(0)} s)`,
  );
  for (const s of skipped) console.log(`  skipped: ${s.name}`);
  if (failed.length > 0 || base.leaves.length === 0 || base.code !== 0) {
    ok = false;
    for (const f of failed) console.log(`  FAILED: ${f.name}`);
    if (base.leaves.length === 0) console.log(base.tail);
  }
}

const only = values.only?.split(",");
const chosen = MUTANTS.filter((m) => only === undefined || only.includes(m.name));
// Mutants run `jobs` at a time (each its own deno test process, sessions and cgroups); the
// table keeps the mutants' order.
const rows: string[] = new Array(chosen.length);
let next = 0;
async function worker(): Promise<void> {
  while (next < chosen.length) {
    const i = next++;
    const m = chosen[i];
    const reason = m.pending ?? m.unavailable?.();
    if (reason) {
      rows[i] = `| ${m.name} | ${m.defence} | not run: ${reason} |`;
      continue;
    }
    const files = values.all ? allFiles.filter((f) => !(m.unsafe ?? []).includes(f)) : m.catchers;
    const run = await runDeno(files.map(rel), { SECURER_MUTANT: m.name });
    const caught = run.leaves.filter((l) => l.failed).map((l) => short(l.name));
    const ran = run.leaves.filter((l) => !l.skipped).length;
    console.log(
      `${
        caught.length > 0 ? "caught " : "MISSED "
      } ${m.name}: ${caught.length} of ${ran} tests failed ` +
        `(${run.seconds.toFixed(0)} s)`,
    );
    if (caught.length === 0) {
      ok = false;
      console.log(run.tail);
    }
    rows[i] = `| ${m.name} | ${m.defence} | ${
      caught.length > 0 ? caught.join("<br>") : "**none**"
    } |`;
  }
}
await Promise.all(Array.from({ length: jobs }, worker));

console.log(`\n| mutant | defence removed | tests that fail |\n|---|---|---|\n${rows.join("\n")}`);
console.log(
  `\n${ok ? "every mutant was caught" : "NOT every mutant was caught"} (${
    ((Date.now() - started) / 1000).toFixed(0)
  } s)`,
);
process.exit(ok ? 0 : 1);
