import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { doctor, formatDoctorReport } from "../../mod.ts";
import { noR, SLOW } from "../_helpers.ts";

describe("doctor()", { skip: noR }, () => {
  it("reports R, jsonlite, every backend's probe and the choice", SLOW, async () => {
    const report = await doctor();
    assert.ok(report.r.ok);
    assert.match(report.r.ok ? report.r.version : "", /^R version 4\./);
    assert.match(report.jsonlite ?? "", /^\d+\.\d+/);
    const names = report.backends.map((b) => b.name);
    if (process.platform === "linux") assert.deepEqual(names, ["bubblewrap"]);
    const ok = report.backends.filter((b) => b.ok);
    assert.equal(report.chosen, ok[0]?.name ?? null);
    for (const b of report.backends) {
      if (b.ok) assert.ok(b.capabilities);
      else assert.ok(b.reason && report.problems.some((p) => p.problem.startsWith(`${b.name}:`)));
    }
    const text = formatDoctorReport(report);
    assert.match(text, /^securer doctor \(/);
    assert.match(text, new RegExp(`sandbox: true would use: ${report.chosen ?? "nothing"}`));
  });
  it("names the problem and its fix when R is not where it is said to be", SLOW, async () => {
    const report = await doctor({ rHome: "/nonexistent/R" });
    assert.equal(report.r.ok, false);
    assert.ok(report.problems.some((p) => /R not found/.test(p.problem) && p.fix.length > 0));
  });
});
