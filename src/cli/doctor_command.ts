/**
 * `securer doctor`: what securer finds on this machine (R, jsonlite, every sandbox
 * backend, cgroups) and the fix for each problem. Exits 1 when a problem was found.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { doctor, formatDoctorReport } from "../doctor/doctor.ts";
import type { Command } from "./command.ts";
import { UsageError } from "./flags.ts";

const USAGE = `Usage: securer doctor [--json]

Shows the R securer would run, jsonlite, every sandbox backend's probe, whether limits
hold per sandbox or per process, and the fix for each problem. Exits 1 when there is one.

  --json       print the report as JSON
  -h, --help   print this help`;

async function run(argv: readonly string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }).values;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const report = await doctor();
  console.log(values.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
  return report.problems.length === 0 ? 0 : 1;
}

/** The `doctor` subcommand. */
export const doctorCommand: Command = {
  name: "doctor",
  summary: "check R, jsonlite and the sandbox on this machine",
  usage: USAGE,
  run,
};
