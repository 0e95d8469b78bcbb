/**
 * The R code of `resetBetweenUses: "state"`: a snapshot taken once when a session joins
 * the pool, and the reset run after each use, which puts back what the snapshot saw.
 *
 * The snapshot installs `.securer_reset()` in the global environment, locked like the tool
 * wrappers, with the baseline in its closure; its closure's parent is the base environment,
 * so definitions in the global environment cannot shadow what it calls. It is best effort,
 * not a boundary: code that unlocks bindings or edits base R can defeat it (use
 * `"process"` for requests that must not see each other at all). Any error in it makes the
 * pool replace the session instead.
 *
 * Reset: the global environment (all but the tool wrappers), options, attached packages and
 * environments, loaded namespaces (those R can unload), open connections (all but the
 * channel's, which the runtime may have opened again under new numbers), graphics devices,
 * task callbacks, the working directory, files in `tempdir()`, environment variables, the
 * random number generator (its kind, and a new seed from the kernel's random bytes). Sinks
 * are already reset after every execution by the runtime.
 *
 * @module
 */

/** What the reset returns when it ran to the end. */
export const RESET_DONE = "securer:reset-done";

/** Code run once per session: records the baseline and installs `.securer_reset()`. */
export const SNAPSHOT_CODE: string = String.raw`local({
  baseline <- new.env(parent = baseenv())
  baseline$keep <- c(ls(globalenv(), all.names = TRUE), ".securer_reset")
  baseline$opts <- options()
  baseline$search <- search()
  baseline$ns <- loadedNamespaces()
  baseline$wd <- getwd()
  baseline$env <- as.list(Sys.getenv())
  baseline$tmp <- list.files(tempdir(), all.files = TRUE, full.names = TRUE, no.. = TRUE)
  baseline$rng <- RNGkind()
  baseline$callbacks <- getTaskCallbackNames()
  # The runtime's own seeding from the kernel, and its channel's connections (its
  # environment is the tool wrappers').
  runtime <- environment(get(".securer_call_tool", globalenv()))
  baseline$kernel_seed <- runtime$kernel_seed
  baseline$channel <- runtime$channel_numbers
  # The connections open now, by identity: a number is reused once its connection closes.
  # getAllConnections(), not showConnections(all = TRUE), which runs a full gc() each time
  # (it was 94 % of the reset's time).
  baseline$conn_id <- function(i) attr(getConnection(i), "conn_id")
  environment(baseline$conn_id) <- baseline
  baseline$cons <- lapply(getAllConnections(), baseline$conn_id)
  reset <- function() {
    for (i in setdiff(getAllConnections(), c(0:2, channel()))) {
      id <- conn_id(i)
      if (!any(vapply(cons, identical, TRUE, id))) try(close(getConnection(i)), silent = TRUE)
    }
    grDevices::graphics.off()
    for (id in setdiff(getTaskCallbackNames(), callbacks)) removeTaskCallback(id)
    for (name in setdiff(search(), search)) {
      try(detach(name, character.only = TRUE), silent = TRUE)
    }
    for (round in 1:3) {
      for (n in setdiff(loadedNamespaces(), ns)) try(unloadNamespace(n), silent = TRUE)
    }
    added <- setdiff(names(options()), names(opts))
    if (length(added)) options(structure(rep(list(NULL), length(added)), names = added))
    for (n in names(opts)) try(options(opts[n]), silent = TRUE)
    setwd(wd)
    gone <- setdiff(names(Sys.getenv()), names(env))
    if (length(gone)) Sys.unsetenv(gone)
    if (length(env)) do.call(Sys.setenv, env)
    made <- setdiff(list.files(tempdir(), all.files = TRUE, full.names = TRUE, no.. = TRUE), tmp)
    unlink(made, recursive = TRUE, force = TRUE)
    do.call(RNGkind, as.list(rng))
    # A fresh seed from the kernel, as the runtime drew one at start: not the clock's.
    try(set.seed(kernel_seed()), silent = TRUE)
    rm(list = setdiff(ls(globalenv(), all.names = TRUE), keep), envir = globalenv())
    "securer:reset-done"
  }
  environment(reset) <- baseline
  assign(".securer_reset", reset, envir = globalenv())
  lockBinding(".securer_reset", globalenv())
  invisible(NULL)
})`;

/** Code run after each use. */
export const RESET_CODE = ".securer_reset()";
