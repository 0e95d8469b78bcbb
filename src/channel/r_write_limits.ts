/**
 * The R side of the file-size limit on the write paths R leaves silent, part of the runtime
 * (`r_runtime.ts`).
 *
 * Past `RLIMIT_FSIZE` the kernel refuses a write (SIGXFSZ is ignored, so R lives on). Most
 * of R's write paths then signal a condition (`writeLines`, `saveRDS`, `write.csv`) or a
 * warning the execution turns into an error (`writeBin`, a connection left open). But
 * `cat()`, `writeChar()` and `sink()` ignore the failed write: the file is cut at the limit
 * without a word. When a file-size limit is set, wrappers of those three — attached at
 * `securer:limits` on the search path, ahead of base — check the file after writing and
 * make a file that reached the limit an R error. A sink still open when the execution ends
 * is checked as the runtime closes it, with a message in the output. `base::cat()` called
 * explicitly, and package code, bypass the wrappers (the file is still never larger than
 * the limit).
 *
 * @module
 */

/** R source of the write-limit wrappers (nothing is attached without a file-size limit). */
export const R_WRITE_LIMITS: string = String.raw`
  # ---- the file-size limit on cat(), writeChar() and sink() -------------------------------
  fsize_limit <- local({
    lines <- tryCatch(readLines("/proc/self/limits", warn = FALSE), error = function(e) "")
    line <- grep("^Max file size", lines, value = TRUE)
    soft <- if (length(line)) strsplit(trimws(substring(line[[1L]], 14L)), " +")[[1L]][[1L]]
    v <- suppressWarnings(as.numeric(soft))
    if (length(v) == 1L && !is.na(v)) v else Inf
  })
  st$sinks <- character(0)
  # The path a write went to: a file name, or a file connection's description; NA otherwise.
  written_path <- function(f) {
    if (is.character(f) && length(f) == 1L && !is.na(f) && nzchar(f)) return(path.expand(f))
    if (inherits(f, "connection")) {
      s <- tryCatch(summary(f), error = function(e) NULL)
      if (!is.null(s) && identical(s[["class"]], "file")) {
        tryCatch(flush(f), error = function(e) NULL)
        return(path.expand(s[["description"]]))
      }
    }
    NA_character_
  }
  reached_limit <- function(path) {
    if (is.na(path)) return(FALSE)
    size <- suppressWarnings(file.size(path))
    !is.na(size) && size >= fsize_limit
  }
  limit_error <- function(path, call) {
    simpleError(paste0("File too large: the write to '", path, "' reached the file size ",
      "limit (", format(fsize_limit, scientific = FALSE), " bytes); the rest was not written"),
      call)
  }
  check_write <- function(f, call) {
    path <- written_path(f)
    if (reached_limit(path)) stop(limit_error(path, call))
    invisible(NULL)
  }
  # Called by the execution's end when it closes sinks user code left open.
  check_open_sinks <- function() {
    for (path in st$sinks) {
      if (reached_limit(path)) message("Error: ", conditionMessage(limit_error(path, NULL)))
    }
    st$sinks <- character(0)
  }
  if (is.finite(fsize_limit)) {
    limits_env <- new.env(parent = emptyenv())
    limits_env$cat <- function(..., file = "", sep = " ", fill = FALSE, labels = NULL,
                               append = FALSE) {
      base::cat(..., file = file, sep = sep, fill = fill, labels = labels, append = append)
      check_write(file, sys.call())
    }
    limits_env$writeChar <- function(object, con, ...) {
      r <- base::writeChar(object, con, ...)
      check_write(con, sys.call())
      invisible(r)
    }
    limits_env$sink <- function(file = NULL, append = FALSE, type = c("output", "message"),
                                split = FALSE) {
      type <- match.arg(type)
      if (type == "output" && is.null(file)) {
        base::sink(type = type)
        path <- st$sinks[length(st$sinks)]
        st$sinks <- st$sinks[-length(st$sinks)]
        if (length(path) == 1L && reached_limit(path)) stop(limit_error(path, sys.call()))
        return(invisible(NULL))
      }
      base::sink(file, append = append, type = type, split = split)
      if (type == "output") st$sinks <- c(st$sinks, written_path(file))
      invisible(NULL)
    }
    attach(limits_env, pos = 2L, name = "securer:limits", warn.conflicts = FALSE)
  }
`;
