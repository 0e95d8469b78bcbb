/**
 * R runs under `SCHED_BATCH` (`sched_batch.ts`): waking it never preempts the host. Read from
 * inside R, in every backend: the scheduling policy of R's own process (field 41 of
 * `/proc/self/stat`: 0 normal, 3 batch), and of the shell `system()` starts, which inherits it.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { SecureSession } from "../../mod.ts";
import { BACKENDS } from "../_backends.ts";
import { SLOW } from "../_helpers.ts";

/** The policy field of a `/proc/<pid>/stat` line (the fields after the command's `)`). */
const policyOf = (stat: string) => stat.slice(stat.lastIndexOf(")") + 2).split(" ")[38];

const noChrt = process.platform !== "linux"
  ? "SCHED_BATCH is Linux's"
  : !["/usr/bin/chrt", "/bin/chrt"].some((p) => fs.existsSync(p))
  ? "this host has no chrt (util-linux), so R runs under the normal policy"
  : false;

for (const backend of BACKENDS) {
  describe(`scheduling [${backend.name}]`, { skip: backend.skip || noChrt }, () => {
    it(
      "runs R and what R starts under SCHED_BATCH; the host keeps the normal policy",
      SLOW,
      async () => {
        assert.equal(
          policyOf(fs.readFileSync("/proc/self/stat", "utf8")),
          "0",
          "control: the host",
        );
        const s = await SecureSession.create(backend.options);
        try {
          const r = await s.execute(`c(
          readLines("/proc/self/stat"),
          system('read -r line < /proc/self/stat; echo "$line"', intern = TRUE))`);
          const [own, child] = r.value as string[];
          assert.equal(policyOf(own), "3", own);
          assert.equal(policyOf(child), "3", child);
        } finally {
          await s.close();
        }
      },
    );
  });
}
