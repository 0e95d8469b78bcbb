#!/usr/bin/env node
// Runs the one test suite on Deno, Bun and Node 20 (via tsx), then prints a
// single closing line `N passed, N failed` summed over the three runtimes.
// A runtime whose summary cannot be read counts as one failure.
//
// The files are run as jobs (a few files each, balanced by `test/durations.json`), four at
// a time across the runtimes.
//
// Usage: node scripts/test.mjs [--only deno,bun,node] [--jobs 4 | --serial] [--record]
//                              [test files or dirs...]
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const bin = (name) => join(root, "node_modules", ".bin", name);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    only: { type: "string" },
    serial: { type: "boolean", default: false },
    jobs: { type: "string", default: "4" },
    record: { type: "boolean", default: false },
  },
});
const runtimes = (values.only ?? "deno,bun,node").split(",");
/** How many jobs run at once. */
const parallel = values.serial ? 1 : Number(values.jobs);
if (!Number.isInteger(parallel) || parallel < 1) {
  throw new Error("--jobs must be a positive integer");
}
const targets = positionals.length > 0 ? positionals : ["test"];

function testFiles(paths) {
  const out = [];
  const walk = (p) => {
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p).sort()) walk(join(p, e));
    } else if (p.endsWith(".test.ts")) out.push(relative(root, p));
  };
  for (const p of paths) walk(join(root, p));
  return out;
}

/**
 * Runs a command and resolves with everything it printed: echoed as it comes when `live`,
 * else printed in one piece when it ends (so runtimes run side by side do not interleave).
 */
function capture(cmd, args, live = true) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    let text = "";
    const onData = (stream) => (d) => {
      text += d.toString();
      if (live) stream.write(d);
    };
    child.stdout.on("data", onData(process.stdout));
    child.stderr.on("data", onData(process.stderr));
    child.on("close", (code) => resolve({ code, text }));
    child.on("error", (e) => resolve({ code: -1, text: String(e) }));
  });
}

const unescapeXml = (s) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(
    /&#39;|&apos;/g,
    "'",
  )
    .replace(/&amp;/g, "&");

const last = (text, re) => {
  const all = [...text.matchAll(re)];
  return all.length ? all[all.length - 1] : null;
};

const files = testFiles(targets);

/**
 * Test files a runtime does not run, with the reason, printed with the runtime's summary.
 * The same suite runs on Deno and Bun; Node 20 runs the Promise API, so what does not
 * depend on the host's runtime at all is left to the other two there.
 */
const NOT_ON = {
  node: [
    ["test/escapes/", "the sandbox and the attacks on it do not depend on the host's runtime"],
    ["test/validate/differential.test.ts", "the parser is pure TypeScript, compared with R"],
    ["test/pool/pool_load.test.ts", "the load and fault test is Deno's and Bun's (issue 9)"],
    ["test/session/pid1_host.test.ts", "reaping is the backend's, the same on every runtime"],
    ["test/sandbox/unprivileged_host.test.ts", "its host runs on Node whatever runs the suite"],
    ["test/platform/deno_permissions.test.ts", "it runs Deno itself whatever runs the suite"],
  ],
  bun: [
    ["test/validate/differential.test.ts", "the parser is pure TypeScript, compared with R"],
    [
      "test/escapes/sandbox_memory.test.ts",
      "the kernel enforces the cgroup's limits; every sandboxed session here makes its cgroup",
    ],
    ["test/sandbox/unprivileged_host.test.ts", "its host runs on Node whatever runs the suite"],
    ["test/platform/deno_permissions.test.ts", "it runs Deno itself whatever runs the suite"],
  ],
};
const notRun = (runtime) =>
  (NOT_ON[runtime] ?? []).filter(([prefix]) => files.some((f) => f.startsWith(prefix)));
const filesFor = (runtime) =>
  files.filter((f) => !(NOT_ON[runtime] ?? []).some(([prefix]) => f.startsWith(prefix)));
/** Scratch space of this run: Deno's JUnit reports, Node's entry files. */
const scratch = mkdtempSync(join(tmpdir(), "securer-junit-"));
const junitPath = (job) => join(scratch, `deno-${job}.xml`);
/**
 * One entry file importing a job's test files, so Node runs them in one process, as Deno
 * and Bun do: `node --test` on each file would start a process (and load tsx and Effect) per
 * file, a second and more each.
 */
function nodeEntry(list, job) {
  const path = join(scratch, `node-${job}.test.mjs`);
  const lines = list.map((f) => `import ${JSON.stringify(pathToFileURL(join(root, f)).href)};`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}
/** How each runtime runs a list of test files (one job) and reads its counts. */
const plans = {
  deno: {
    cmd: bin("deno"),
    args: (list, job) => ["test", "-A", "--no-check", `--junit-path=${junitPath(job)}`, ...list],
    read(_text, job) {
      // Deno counts a node:test `describe` as a test and its `it`s as steps, so
      // its closing line cannot tell leaves apart: count the JUnit leaves instead.
      let xml;
      try {
        xml = readFileSync(junitPath(job), "utf8");
      } catch {
        return null;
      }
      const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)]
        .map((m) => ({ name: m[1], body: m[2] }));
      const isParent = (c) => cases.some((o) => o.name.startsWith(`${c.name} &gt; `));
      let passed = 0;
      const names = [];
      for (const c of cases) {
        const bad = /<failure|<error/.test(c.body);
        if (isParent(c)) {
          const childFailed = cases.some((o) =>
            o.name.startsWith(`${c.name} &gt; `) && /<failure|<error/.test(o.body)
          );
          if (bad && !childFailed) names.push(unescapeXml(c.name));
        } else if (bad) names.push(unescapeXml(c.name));
        else if (!/<skipped/.test(c.body)) passed += 1;
      }
      return { passed, failed: names.length, names };
    },
  },
  bun: {
    cmd: bin("bun"),
    args: (list) => ["test", "--timeout", "120000", ...list.map((f) => `./${f}`)],
    read(text) {
      const p = last(text, /^\s*(\d+) pass$/gm);
      const f = last(text, /^\s*(\d+) fail$/gm);
      const names = [...text.matchAll(/^\(fail\) (.*?)(?: \[[\d.]+m?s\])?$/gm)].map((m) => m[1]);
      return p && f ? { passed: Number(p[1]), failed: Number(f[1]), names } : null;
    },
  },
  node: {
    cmd: process.execPath,
    args: (list, job) => ["--import", "tsx", "--test", nodeEntry(list, job)],
    read(text) {
      const p = last(text, /^# pass (\d+)$/gm);
      const f = last(text, /^# fail (\d+)$/gm);
      // TAP prints subtests, indented, before their parent: a parent with failed
      // subtests names them (`parent > leaf`) instead of counting as one more.
      let open = [];
      for (const [, indent, name] of text.matchAll(/^( *)not ok \d+ - (.*)$/gm)) {
        const depth = indent.length;
        const inner = open.filter((o) => o.depth > depth);
        open = open.filter((o) => o.depth <= depth);
        if (inner.length === 0) open.push({ depth, name });
        else for (const o of inner) open.push({ depth, name: `${name} > ${o.name}` });
      }
      const names = open.map((o) => o.name);
      return p && f ? { passed: Number(p[1]), failed: Number(f[1]), names } : null;
    },
  },
};

/**
 * Wall seconds each test file took as a job of its own, the longest over the runtimes that ran
 * it (`test/durations.json`, written by `--record`): the weights the jobs are balanced by. A
 * file not listed weighs the median.
 */
const durationsPath = join(root, "test", "durations.json");
function weights() {
  let known = {};
  try {
    known = JSON.parse(readFileSync(durationsPath, "utf8"));
  } catch {
    // No record yet: every file weighs the same.
  }
  const listed = Object.values(known).sort((a, b) => a - b);
  const median = listed.length ? listed[Math.floor(listed.length / 2)] : 1;
  return (file) => known[file] ?? median;
}

/**
 * The runs as jobs: each runtime's files, heaviest first, packed into jobs of about
 * `JOB_SECONDS` (a heavier file is a job of its own), so a few processes per runtime start
 * their runtime once for many files, and the heavy files start early.
 */
const JOB_SECONDS = 45;
function jobsOf(runtimes, jobSeconds) {
  const weight = weights();
  const jobs = [];
  for (const runtime of runtimes) {
    if (!plans[runtime]) throw new Error(`Cannot run tests: unknown runtime "${runtime}"`);
    const mine = filesFor(runtime).sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
    let current = null;
    for (const file of mine) {
      if (current === null || current.weight + weight(file) > jobSeconds) {
        current = { runtime, files: [], weight: 0 };
        jobs.push(current);
      }
      current.files.push(file);
      current.weight += weight(file);
    }
  }
  // Heaviest first across runtimes, so the long jobs do not end the run alone.
  return jobs.sort((a, b) => b.weight - a.weight).map((j, id) => ({ ...j, id }));
}

/**
 * Runs the jobs, `parallel` at a time (the runtimes side by side: most of a test's time is
 * spent waiting on R). Each job's output is printed in one piece when it ends.
 */
async function runJobs(jobs, parallel) {
  const done = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const plan = plans[job.runtime];
      const started = performance.now();
      const { code, text } = await capture(plan.cmd, plan.args(job.files, job.id), false);
      const seconds = (performance.now() - started) / 1000;
      const label = `${job.runtime} job ${job.id + 1} of ${jobs.length}`;
      process.stdout.write(
        `\n=== ${label}: ${job.files.length} files in ${seconds.toFixed(0)} s ===\n` +
          `${job.files.join(" ")}\n${text}`,
      );
      done.push({ ...job, label, seconds, code, counts: plan.read(text, job.id) });
    }
  }));
  return done.sort((a, b) => a.id - b.id);
}

/** One runtime's summary lines and counts, from its jobs. */
function summary(name, runs) {
  const skipped = notRun(name).map(([prefix, why]) => `  not run on ${name}: ${prefix} (${why})`);
  if (runs.length === 0) {
    return { lines: [`${name}: nothing to run`, ...skipped], passed: 0, failed: 0 };
  }
  const lines = [];
  let passed = 0;
  let failed = 0;
  for (const { label, code, counts } of runs) {
    if (counts === null) {
      lines.push(`${label}: no summary found (exit code ${code}); counted as 1 failure`);
      failed += 1;
      continue;
    }
    if (code !== 0 && counts.failed === 0) {
      lines.push(`${label}: exit code ${code} with no failed test; counted as 1 failure`);
      counts.failed = 1;
    }
    passed += counts.passed;
    failed += counts.failed;
    for (const test of counts.names ?? []) lines.push(`  FAILED on ${label}: ${test}`);
  }
  lines.unshift(`${name}: ${passed} passed, ${failed} failed`);
  return { lines: [...lines, ...skipped], passed, failed };
}

/**
 * Writes `test/durations.json` from this run (`--record` runs each file as a job of its
 * own): the wall seconds of each file, the longest over the runtimes that ran it.
 */
function record(runs) {
  const seconds = {};
  for (const run of runs) {
    const [file] = run.files;
    seconds[file] = Math.max(seconds[file] ?? 0, Math.round(run.seconds * 10) / 10);
  }
  const sorted = Object.fromEntries(Object.entries(seconds).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(durationsPath, `${JSON.stringify(sorted, null, 2)}\n`);
  process.stdout.write(`\nwrote ${relative(root, durationsPath)} (${runs.length} files)\n`);
}

const runs = await runJobs(jobsOf(runtimes, values.record ? 0 : JOB_SECONDS), parallel);
if (values.record) record(runs);
// Removed whichever runtimes ran.
rmSync(scratch, { recursive: true, force: true });
const results = runtimes.map((name) => summary(name, runs.filter((r) => r.runtime === name)));
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const lines = results.flatMap((r) => r.lines);
process.stdout.write(`\n${lines.join("\n")}\n${passed} passed, ${failed} failed\n`);
// Not process.exit(): it would cut what is still queued for a piped stdout (the summary).
process.exitCode = failed === 0 ? 0 : 1;
