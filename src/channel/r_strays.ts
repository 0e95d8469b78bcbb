/**
 * The R runtime's containment of the processes an execution starts: none outlives it.
 *
 * In a pid namespace of its own (`reapStrays`), every process besides R and its ancestors was
 * started by R's code. Before each reply `kill_strays()` kills them all — with one
 * `kill(-1, SIGKILL)`, which no fork can slip past, or one by one where that is not available
 * — in rounds, until a round finds none left (a forking process is caught by a later round).
 * A zombie is already dead; its parent reaps it.
 *
 * A round lists the processes, then reads the state of each. A process alive at the listing
 * may fork and exit before its state is read: it then shows as a zombie, and its child,
 * created after the listing, is in no list. Taking "nothing alive" for "nothing left" let a
 * chain of processes that each fork their successor and exit outlive the execution, now and
 * then (3 executions in 310 of such a chain, measured in the sandbox). So a round counts as
 * clean only if nothing in it is alive *and* every zombie in it was already listed by the
 * round before — dead by then, or killed then: a process with a SIGKILL pending can no longer
 * fork. An execution that started processes costs one round more than the rounds that kill.
 *
 * Where the processes cannot all be ended within 2 seconds, the rounds stop and the reply
 * goes out; what still runs is met by the next execution's rounds. This happens to a fork
 * bomb at its process limit on a loaded machine: new short-lived processes showed up in every
 * round even after `kill(-1)` (four bombs at once on this 2-core host). Making R exit there
 * instead, as tried, ended the session of code that had only hit its process limit.
 *
 * A fragment of the `local()` block in `R_RUNTIME` (`r_runtime.ts`): it uses `init` and `st`.
 * `proc_pids`, `proc_state`, `kill_all`, `kill_pids`, `round_pause`, `stray_clock` and
 * `give_up` are its only contact with the system, so a test can run `kill_strays` against a
 * simulated one.
 *
 * @module
 */

/** R source of `kill_strays()` and what it needs. */
export const R_STRAYS: string = String.raw`
  # ---- processes an execution started must not outlive it ---------------------------
  reap_strays <- isTRUE(init[["reapStrays"]])
  proc_field <- function(pid, n) {
    stat <- tryCatch(readLines(sprintf("/proc/%d/stat", pid), warn = FALSE), error = function(e) "")
    if (length(stat) != 1L || !nzchar(stat)) return(NA_character_)
    strsplit(sub("^.*\\) ", "", stat), " ", fixed = TRUE)[[1L]][n]
  }
  keep <- local({
    pid <- Sys.getpid()
    kept <- pid
    for (i in 1:16) {
      parent <- suppressWarnings(as.integer(proc_field(pid, 2L)))
      if (is.na(parent) || parent < 1L) break
      kept <- c(kept, parent)
      if (parent == 1L) break
      pid <- parent
    }
    kept
  })
  # The backend's claim is checked before anything is killed: in a pid namespace of its own,
  # R is one of its first processes and a child of its init, and never root. Where any of
  # this does not hold (a backend that claims the capability wrongly), nothing is killed.
  if (reap_strays) {
    status <- tryCatch(readLines("/proc/self/status", warn = FALSE), error = function(e) "")
    uid <- suppressWarnings(as.integer(strsplit(sub("^Uid:\\s*", "",
      grep("^Uid:", status, value = TRUE)[1L]), "\\s+")[[1L]][1L]))
    reap_strays <- Sys.getpid() <= 3L && identical(keep[2L], 1L) && !is.na(uid) && uid != 0L
  }
  # The fast path: pids in a namespace are handed out in increasing order, and the kernel
  # shows the last one handed out: when it has not moved since the last check, no process
  # was created at all (one small read; the full scan of /proc costs several times more).
  last_pid_file <- "/proc/sys/kernel/ns_last_pid"
  fast_path <- reap_strays && file.exists(last_pid_file)
  last_pid <- function() suppressWarnings(as.integer(rawToChar(readBin(last_pid_file, "raw", 32L))))
  st$last_pid <- if (fast_path) last_pid() else NA_integer_

  # The contact with the system.
  proc_pids <- function() {
    pids <- suppressWarnings(as.integer(list.files("/proc")))
    pids[!is.na(pids)]
  }
  proc_state <- function(pid) proc_field(pid, 1L)
  kill_pids <- function(pids) tools::pskill(pids, tools::SIGKILL)
  # kill(-1, SIGKILL): every process of the namespace but R and its init, in one step no fork
  # slips past (the kernel signals them all under the lock a fork takes to add its child), so
  # a fork bomb dies in one round. Base R's pskill() skips pids below 1; parallel's mc_kill
  # passes them on. Only where R and its init are all there is to keep; FALSE where it cannot.
  kill_all <- function() {
    if (length(keep) != 2L) return(FALSE)
    if (is.null(st$mc_kill)) {
      st$mc_kill <- tryCatch(getFromNamespace("C_mc_kill", "parallel"), error = function(e) FALSE)
    }
    isTRUE(tryCatch(.Call(st$mc_kill, -1L, 9L), error = function(e) FALSE))
  }
  round_pause <- function() Sys.sleep(0.001)
  stray_clock <- function() proc.time()[[3L]]
  # Out of time: the reply goes out, and what still runs is met by the next execution's rounds.
  give_up <- function() invisible(FALSE)

  kill_strays <- function() {
    if (fast_path && identical(last_pid(), st$last_pid)) return(invisible(TRUE))
    known <- integer(0)
    deadline <- stray_clock() + 2
    repeat {
      pids <- proc_pids()
      pids <- pids[!(pids %in% keep)]
      live <- pids[vapply(pids, function(p) !identical(proc_state(p), "Z"), TRUE)]
      if (length(live) == 0L && all(pids %in% known)) {
        # Nothing is left that could fork: the next process will be new.
        if (fast_path) st$last_pid <- last_pid()
        return(invisible(TRUE))
      }
      if (stray_clock() > deadline) return(give_up())
      if (length(live) && !kill_all()) kill_pids(live)
      known <- pids
      round_pause()
    }
  }
`;
