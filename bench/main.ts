/**
 * Runs every bench in this folder, one after the other, each in its own process:
 * `deno task bench` (pass `--quick` for fewer iterations).
 *
 * - `session.ts`: cold start, warm execute and tool round trip, unsandboxed and (when a
 *   sandbox works here) sandboxed, against floors measured in the same run;
 * - `validate_code.ts`: `validateCode` against R's own `parse()`;
 * - `http.ts`: 1 000 HTTP executions at concurrency 8 against a pool of 4, beside the same
 *   pool's in-process throughput in the same run;
 * - `plots.ts`: what plot and file capture adds to an execution that draws nothing, and
 *   what a scatter plot costs, against capture turned off in the same run.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const quick = process.argv.includes("--quick") ? ["--quick"] : [];
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const benches: [string, string[]][] = [
  ["session.ts", ["--sandbox", ...quick]],
  ["validate_code.ts", []],
  ["http.ts", quick],
  ["plots.ts", ["--sandbox", ...quick]],
  ["pool.ts", quick],
];
let failed = 0;
for (const [file, args] of benches) {
  const r = spawnSync(process.execPath, ["run", "-A", here(file), ...args], { stdio: "inherit" });
  if (r.status !== 0) failed++;
  console.log();
}
process.exit(failed === 0 ? 0 : 1);
