/**
 * Attack: start processes that outlive the execution — a background job, a double-forked
 * daemon, `parallel::mcparallel`, a chain of processes each forking the next and exiting —
 * and have them print into the next execution's output, forge its result on the channel, or
 * call tools during it.
 *
 * Defence: R runs in a pid namespace of its own, and before each reply it kills every process
 * there besides itself and its ancestors (`ownPidNamespace`); so nothing an execution started
 * is alive when `execute()` settles, and nothing can speak in the next one.
 *
 * Positive control: the same code without a pid namespace of its own (unsandboxed) leaves its
 * background job running, visible from the host.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ProtocolError } from "../../mod.ts";
import { conformance } from "../_conformance.ts";
import { eventually, onlyOnLinux, processAlive, sleep, SLOW } from "../_helpers.ts";

// The sandbox runs no `sleep` (nor Rscript, a script): R's own executable is the
// long-lived process.
const R_EXE = 'shQuote(file.path(R.home("bin"), "exec", "R")), "--no-echo", "--vanilla"';
const rs = (expr: string) => `paste(${R_EXE}, "-e", shQuote(${JSON.stringify(expr)}))`;
const LEFTOVERS = {
  "a background job": `system(${rs("Sys.sleep(300)")}, wait = FALSE)`,
  "a double-forked daemon": `system(paste0("(", ${rs("Sys.sleep(300)")}, " &) &"))`,
  "mcparallel": "invisible(parallel::mcparallel(Sys.sleep(300)))",
  // Each process forks its successor and exits: one alive when /proc is listed may be a
  // zombie by the time its state is read, its child in no list (r_strays.ts).
  "a hopping process chain": `system("sh -c 'h() { i=0; ` +
    `while [ $i -lt 30 ]; do i=$((i+1)); done; h & }; h &' > /dev/null 2>&1", wait = FALSE)`,
  "a printer": `system(${
    rs("Sys.sleep(0.3); repeat { cat('LEFTOVER\\n'); Sys.sleep(0.05) }")
  }, wait = FALSE)`,
  // It forges the reply of the execution after next (the check in between is the next).
  "a forger": `nid <- environment(.securer_call_tool)$st$exec + 2L; ` +
    `forged <- sprintf('{"type":"result","id":%d,"visible":true,"text":"[1] 666","value":{"t":"d","v":[666]}}', nid); ` +
    `system(paste(${R_EXE}, "-e", shQuote(paste0(` +
    `"Sys.sleep(0.3); writeLines(", deparse(forged), ", ", deparse(file.path(dirname(Sys.getenv("TMPDIR")), "res")), ")"))), wait = FALSE)`,
};

/** Live pids (not zombies) in the sandbox besides R and its ancestors, as R sees them. */
const STRAYS = `{
  me <- Sys.getpid()
  field <- function(p, n) tryCatch(strsplit(sub("^.*\\\\) ", "", readLines(sprintf("/proc/%d/stat", p))), " ")[[1]][n], error = function(e) "Z")
  keep <- c(me, as.integer(field(me, 2L)), 1L)
  pids <- suppressWarnings(as.integer(list.files("/proc")))
  pids <- pids[!is.na(pids) & !(pids %in% keep)]
  pids[vapply(pids, function(p) field(p, 1L) != "Z", TRUE)]
}`;

conformance("escape: processes that outlive their execution", {
  needs: ["processes"],
  skip: onlyOnLinux("reads /proc"),
}, (ctx) => {
  const s = ctx.shareSession();
  for (const [what, code] of Object.entries(LEFTOVERS)) {
    it(`leaves nothing of ${what} alive once execute() settles`, SLOW, async () => {
      await s().execute(`${code}; invisible(NULL)`);
      assert.deepEqual((await s().execute(STRAYS)).value, []);
      await sleep(600);
      const next = await s().execute("1 + 1");
      assert.equal(next.value, 2, "the next execution's result is its own");
      assert.deepEqual(next.output, [], "the next execution's output is its own");
    });
  }
  it("is not broken by a reply the leftover forged, nor stays broken", SLOW, async () => {
    await assert.doesNotReject(s().execute("2 + 2"));
    await assert.rejects(s().execute("stop('x')"), (e: unknown) => !(e instanceof ProtocolError));
  });
});

conformance("control: processes outlive their execution without a pid namespace", {
  skip: (b) => b.sandboxed ? "the control runs unsandboxed" : onlyOnLinux("reads /proc"),
}, (ctx) => {
  const s = ctx.shareSession();
  it("leaves a background job running", SLOW, async () => {
    const pid = (await s().execute(
      'system("sleep 30 > /dev/null 2>&1 & echo $!", intern = TRUE)',
    )).value;
    try {
      assert.ok(await eventually(() => processAlive(Number(pid)), 2_000), "the job runs on");
    } finally {
      process.kill(Number(pid), "SIGKILL");
    }
  });
});
