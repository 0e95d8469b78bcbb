/**
 * `out_written()` (`r_output_check.ts`) against a simulated file system whose timestamps
 * move by whole seconds, as on file systems with coarse timestamps (the Linux kernels since
 * 6.13 give a changed directory a fine-grained ctime once its old one was read, which hides
 * the same-tick race on this kind of host): a file added in the same tick as the check before
 * it leaves the directory's state unchanged, and must still be found.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { R_OUTPUT_CHECK } from "../../src/channel/r_output_check.ts";
import { noR } from "../_helpers.ts";

/** Runs `script` after the fragment, with the file system simulated; returns R's output lines. */
function simulate(script: string): string[] {
  const program = `
st <- new.env()
out_dir <- "unused"
${R_OUTPUT_CHECK}
clock <- 100
fs <- list(entries = 0L, mtime = 100, ctime = 100, gone = FALSE)
listings <- 0L
out_state <- function() if (fs$gone) c(NA, NA, NA) else c(4096, fs$mtime, fs$ctime)
fs_now <- function() clock
out_entries <- function() { listings <<- listings + 1L; fs$entries }
# A change to the directory's entries: ctime and mtime take the clock's tick.
add <- function() { fs$entries <<- fs$entries + 1L; fs$mtime <<- clock; fs$ctime <<- clock }
empty <- function() { fs$entries <<- 0L; fs$mtime <<- clock; fs$ctime <<- clock }
check <- function(label) cat(label, out_written(), listings, "\n")
${script}
`;
  // The program on standard input (Node hands `input` over a socket, which /dev/stdin cannot open).
  const r = spawnSync("R", ["--vanilla", "-s"], {
    input: program,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n").map((l) => l.trim());
}

describe("out_written() on coarse timestamps", { skip: noR }, () => {
  it("finds a file added in the same tick as the check that found the directory empty", () => {
    const lines = simulate(`
check("empty")        # lists; the state's ctime is the current tick: not trusted
add()                 # same tick: size, mtime and ctime are unchanged
check("same tick")    # must list again, and find it
`);
    assert.deepEqual(lines, ["empty FALSE 1", "same tick TRUE 2"]);
  });

  it("skips the listing once the clock has passed the last change", () => {
    const lines = simulate(`
clock <- 101
check("settles")      # lists, and trusts the state from now on
check("quiet")        # no listing
check("quiet")
add()                 # a later tick: ctime moves
check("written")
`);
    assert.deepEqual(lines, [
      "settles FALSE 1",
      "quiet FALSE 1",
      "quiet FALSE 1",
      "written TRUE 2",
    ]);
  });

  it("lists again after the directory was emptied, until the clock passes the emptying", () => {
    const lines = simulate(`
clock <- 101
add()
check("written")
empty()               # capture empties it in the same tick
check("emptied")      # lists, not trusted yet
add()
check("same tick")
empty()
clock <- 102
check("later")        # trusted
check("quiet")
`);
    assert.deepEqual(lines, [
      "written TRUE 1",
      "emptied FALSE 2",
      "same tick TRUE 3",
      "later FALSE 4",
      "quiet FALSE 4",
    ]);
  });

  it("lists when the directory is gone or the clock cannot be read", () => {
    const lines = simulate(`
clock <- 101
fs$gone <- TRUE
check("gone")
check("gone")
fs$gone <- FALSE
clock <- NA_real_
check("no clock")
check("no clock")
`);
    assert.deepEqual(lines, [
      "gone FALSE 1",
      "gone FALSE 2",
      "no clock FALSE 3",
      "no clock FALSE 4",
    ]);
  });
});
