#!/usr/bin/env node
// Runs the one test suite on Deno, Bun and Node 20 (via tsx), then prints a
// single closing line `N passed, N failed` summed over the three runtimes.
// A runtime whose summary cannot be read counts as one failure.
//
// Usage: node scripts/test.mjs [--only deno,bun,node] [--serial] [test files or dirs...]
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const bin = (name) => join(root, "node_modules", ".bin", name);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { only: { type: "string" }, serial: { type: "boolean", default: false } },
});
const runtimes = (values.only ?? "deno,bun,node").split(",");
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
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'")
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
  ],
  bun: [
    ["test/sandbox/unprivileged_host.test.ts", "its host runs on Node whatever runs the suite"],
  ],
};
const notRun = (runtime) =>
  (NOT_ON[runtime] ?? []).filter(([prefix]) => files.some((f) => f.startsWith(prefix)));
const filesFor = (runtime) =>
  files.filter((f) => !(NOT_ON[runtime] ?? []).some(([prefix]) => f.startsWith(prefix)));
const junitDir = mkdtempSync(join(tmpdir(), "securer-junit-"));
const junitPath = (shard) => join(junitDir, `deno-${shard}.xml`);
/**
 * How each runtime runs a list of test files and reads its counts. `shards`: how many
 * processes share the runtime's files (Deno, the slowest, runs two side by side).
 */
const plans = {
  deno: {
    cmd: bin("deno"),
    shards: 2,
    args: (list, shard) => [
      "test",
      "-A",
      "--no-check",
      `--junit-path=${junitPath(shard)}`,
      ...list,
    ],
    read(_text, shard) {
      // Deno counts a node:test `describe` as a test and its `it`s as steps, so
      // its closing line cannot tell leaves apart: count the JUnit leaves instead.
      let xml;
      try {
        xml = readFileSync(junitPath(shard), "utf8");
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
    args: (list) => ["--import", "tsx", "--test", "--test-concurrency=1", ...list],
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
 * Runs one runtime's suite and returns its summary lines and counts. The runtimes run side by
 * side (most of a test's time is spent waiting on R, so two cores keep up); `--serial` runs
 * them one after another. The first streams its output; the others print theirs when done.
 */
async function runtimeSuite(name, live) {
  const plan = plans[name];
  if (!plan) throw new Error(`Cannot run tests: unknown runtime "${name}"`);
  const skipped = notRun(name).map(([prefix, why]) => `  not run on ${name}: ${prefix} (${why})`);
  const mine = filesFor(name);
  if (mine.length === 0) {
    return { lines: [`${name}: nothing to run`, ...skipped], passed: 0, failed: 0 };
  }
  // Files dealt out in turn, so each shard gets a share of every folder.
  const count = Math.min(plan.shards ?? 1, mine.length);
  const shards = Array.from({ length: count }, (_, i) => mine.filter((_, j) => j % count === i));
  const runs = await Promise.all(shards.map(async (list, i) => {
    const label = count > 1 ? `${name} (${i + 1} of ${count})` : name;
    const streams = live && i === 0;
    if (streams) process.stdout.write(`\n=== ${label} ===\n`);
    const { code, text } = await capture(plan.cmd, plan.args(list, i), streams);
    if (!streams) process.stdout.write(`\n=== ${label} ===\n${text}`);
    return { label, code, counts: plan.read(text, i) };
  }));

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

const results = [];
if (values.serial) {
  for (const name of runtimes) results.push(await runtimeSuite(name, true));
} else {
  results.push(...await Promise.all(runtimes.map((name, i) => runtimeSuite(name, i === 0))));
}
// Removed whichever runtimes ran (an --only without Deno left it behind before).
rmSync(junitDir, { recursive: true, force: true });
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const lines = results.flatMap((r) => r.lines);
process.stdout.write(`\n${lines.join("\n")}\n${passed} passed, ${failed} failed\n`);
// Not process.exit(): it would cut what is still queued for a piped stdout (the summary).
process.exitCode = failed === 0 ? 0 : 1;
