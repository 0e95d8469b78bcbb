/**
 * `kill_strays()` (`r_strays.ts`) against a simulated process table, where the race it must
 * survive happens every time: a process alive when a round lists the processes forks its
 * successor and exits before its state is read. Taking that round's "nothing alive" for
 * "nothing left" lets the successor outlive the execution (in the real sandbox, 3 executions
 * in 310 of a process chain did); the rounds must go on until a round lists no process it
 * had not listed before. And where processes cannot be ended, R gives up: it must not reply.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { R_STRAYS } from "../../src/channel/r_strays.ts";
import { noR } from "../_helpers.ts";

/** Runs `script` after the fragment, with the process table simulated; R's output lines. */
function simulate(script: string): string[] {
  const program = `
st <- new.env()
init <- list(reapStrays = FALSE)
${R_STRAYS}
keep <- c(2L, 1L)
fast_path <- FALSE
# The simulated table: pid -> state ("S" alive, "Z" zombie); absent pids do not exist.
procs <- c("1" = "S", "2" = "S")
on_read <- list()   # pid -> function run when the state of that pid is read
rounds <- 0L
proc_pids <- function() { rounds <<- rounds + 1L; as.integer(names(procs)) }
proc_state <- function(pid) {
  f <- on_read[[as.character(pid)]]
  if (!is.null(f)) { on_read[[as.character(pid)]] <<- NULL; f() }
  unname(procs[as.character(pid)])
}
kill_pids <- function(pids) for (p in pids) procs[as.character(p)] <<- "Z"
kill_all <- function() FALSE   # one by one, unless a test says otherwise
round_pause <- function() NULL
t <- 0
stray_clock <- function() { t <<- t + 0.01; t }
give_up <- function() { cat("gave up\\n"); invisible(FALSE) }
alive <- function() names(procs)[procs == "S" & !(names(procs) %in% c("1", "2"))]
report <- function(...) {
  cat(sprintf("alive:[%s] rounds:%d", paste(alive(), collapse = ","), rounds), ..., "\n")
}
${script}
`;
  const r = spawnSync("R", ["--vanilla", "-s"], { input: program, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n").map((l) => l.trim());
}

describe("kill_strays() against a simulated process table", { skip: noR }, () => {
  it("kills what it finds, and ends once a round finds nothing", () => {
    const lines = simulate(`
procs[c("10", "11")] <- "S"
kill_strays()
report()
`);
    assert.deepEqual(lines, ["alive:[] rounds:2"]);
  });

  it("finds the child a process forked between the listing and the reading of its state", () => {
    const lines = simulate(`
procs["10"] <- "S"
# Read as it forks 11 and exits: a zombie now, its child not in this round's list.
on_read[["10"]] <- function() { procs["10"] <<- "Z"; procs["11"] <<- "S" }
kill_strays()
report()
`);
    // Round 1 kills nothing (10 reads as a zombie), round 2 kills 11, round 3 is clean.
    assert.deepEqual(lines, ["alive:[] rounds:3"]);
  });

  it("outlasts a chain whose every process forks its successor and exits as it is read", () => {
    const lines = simulate(`
procs["10"] <- "S"
hop <- function(p) function() {
  procs[as.character(p)] <<- "Z"
  procs[as.character(p + 1L)] <<- "S"
  if (p < 30L) on_read[[as.character(p + 1L)]] <<- hop(p + 1L)
}
on_read[["10"]] <- hop(10L)
kill_strays()
report()
`);
    // Each round finds the next link only: 21 links, then the round that kills 31, then one clean.
    assert.deepEqual(lines, ["alive:[] rounds:23"]);
  });

  it("gives up, and does not report success, when a process cannot be ended", () => {
    const lines = simulate(`
procs["10"] <- "S"
kill_pids <- function(pids) NULL   # stuck: SIGKILL never takes effect
r <- kill_strays()
report("result:", r)
`);
    assert.deepEqual(lines, ["gave up", "alive:[10] rounds:200 result: FALSE"]);
  });

  it("ends a fork bomb in one kill of everything, where kill(-1) is available", () => {
    const lines = simulate(`
procs[as.character(10:40)] <- "S"
# Each process read forks another, as long as any lives (a bomb at its process limit).
bomb <- function() {
  if (any(procs[as.character(10:99)] %in% "S")) {
    n <- max(as.integer(names(procs))) + 1L
    if (n < 99L) procs[as.character(n)] <<- "S"
  }
}
proc_state <- function(pid) { bomb(); unname(procs[as.character(pid)]) }
kills <- 0L
kill_all <- function() {
  kills <<- kills + 1L
  procs[!(names(procs) %in% c("1", "2"))] <<- "Z"
  TRUE
}
kill_strays()
report("kills:", kills)
`);
    // Round 1 kills all at once; round 2 meets the zombies forked meanwhile; round 3 is clean.
    assert.deepEqual(lines, ["alive:[] rounds:3 kills: 1"]);
  });
});
