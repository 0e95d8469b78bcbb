/**
 * Attack: read facts about the host from the sandbox's own /proc and from /sys — the kernel's
 * boot command line (it may carry secrets), its configuration and symbols, loaded modules,
 * keys, hardware, disks, interrupt counts and host-wide pressure and locks.
 *
 * Defence: a private /proc whose host-describing files are covered by an unreadable node
 * and whose host-describing directories by an empty read-only tmpfs; no /sys at all.
 *
 * Positive control: the host's own /proc/cmdline is readable and not empty, so an empty or
 * refused read inside is the mask's doing.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { it } from "node:test";
import { PROC_MASK_DIRS, PROC_MASK_FILES } from "../../backends/host_layout.ts";
import { conformance } from "../_conformance.ts";
import { onlyOnLinux, SLOW } from "../_helpers.ts";

const READ = `function(p) tryCatch({
  con <- file(p, "rb"); on.exit(close(con)); length(readBin(con, "raw", 65536))
}, error = function(e) -1L, warning = function(w) -1L)`;

conformance("escape: host facts in /proc and /sys", {
  needs: ["filesystem"],
  skip: onlyOnLinux("reads /proc"),
}, (ctx) => {
  const s = ctx.shareSession();

  it("cannot read the host's kernel command line", SLOW, async () => {
    assert.ok(
      fs.readFileSync("/proc/cmdline", "utf8").length > 0,
      "control: the host's is readable",
    );
    const r = await s().execute(`(${READ})("/proc/cmdline")`);
    assert.ok((r.value as number) <= 0, `read ${r.value} bytes of /proc/cmdline`);
  });

  it("reads nothing from any masked file or directory of /proc", SLOW, async () => {
    const files = PROC_MASK_FILES.filter((f) => fs.existsSync(`/proc/${f}`));
    const sizes = (await s().execute(
      `sapply(c(${files.map((f) => `"/proc/${f}"`).join(", ")}), ${READ})`,
    )).value as Record<string, number>;
    const readable = Object.entries(sizes).filter(([, n]) => n > 0);
    assert.deepEqual(readable, []);
    const dirs = PROC_MASK_DIRS.filter((d) => fs.existsSync(`/proc/${d}`));
    const listed = (await s().execute(
      `sum(sapply(c(${
        dirs.map((d) => `"/proc/${d}"`).join(", ")
      }), function(d) length(list.files(d, recursive = TRUE))))`,
    )).value;
    assert.equal(listed, 0);
  });

  it("has no /sys", SLOW, async () => {
    const r = await s().execute('length(list.files("/sys", recursive = TRUE))');
    assert.equal(r.value, 0);
  });

  it("still reads what R uses: its own process, cpuinfo, meminfo", SLOW, async () => {
    const r = await s().execute(
      `c(self = (${READ})("/proc/self/status") > 0, cpu = (${READ})("/proc/cpuinfo") > 0, ` +
        `mem = (${READ})("/proc/meminfo") > 0)`,
    );
    assert.deepEqual(r.value, { self: true, cpu: true, mem: true });
  });
});
