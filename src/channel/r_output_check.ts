/**
 * The R runtime's check of the output directory, part of plot and file capture
 * (`r_capture.ts`): `out_written()` says whether the directory may hold anything, so that an
 * execution that writes nothing pays one `stat` instead of a listing.
 *
 * The listing is skipped while the directory's size, mtime and ctime are those it had when a
 * listing last found it empty, provided the file system's clock had already passed that
 * ctime before that listing. Every change to the directory's entries (a file or subdirectory
 * added, a rename into it) sets its ctime to the clock's current tick, and so does replacing
 * the directory (a new one, or one renamed there); code cannot set a ctime back. Timestamps
 * are coarse — a clock tick of a few milliseconds, or a second or two on some file systems —
 * so a directory changed in the tick of the check could change again in that same tick with
 * no visible difference: such a state is not trusted, and the next execution lists again.
 * The clock is read from the file system itself (the ctime a `chmod` of R's temporary
 * directory, on the same file system, receives), never from R's clock, which runs ahead of
 * the file system's by up to a tick. After anything was found, the directory is emptied and
 * the next execution lists it again.
 *
 * A fragment of the `local()` block in `R_RUNTIME` (`r_runtime.ts`): it uses `out_dir` and
 * `st`. `out_state`, `fs_now` and `out_entries` are its only contact with the file system,
 * so a test can run `out_written` against a simulated one.
 *
 * @module
 */

/** R source of `out_written()` and the three file-system reads it makes. */
export const R_OUTPUT_CHECK: string = String.raw`
  # ---- has the output directory changed? -------------------------------------------
  # The output directory's size, mtime and ctime (NA when it is gone).
  out_state <- function() {
    i <- .Internal(file.info(out_dir, FALSE))
    c(i[["size"]], i[["mtime"]], i[["ctime"]])
  }
  # The file system's clock: the ctime a chmod gives R's temporary directory (NA on failure).
  fs_now <- function() {
    ok <- suppressWarnings(Sys.chmod(tempdir(), "700", use_umask = FALSE))
    if (!isTRUE(ok)) return(NA_real_)
    .Internal(file.info(tempdir(), FALSE))[["ctime"]]
  }
  out_entries <- function() {
    length(.Internal(list.files(out_dir, NULL, TRUE, FALSE, FALSE, FALSE, FALSE, TRUE)))
  }
  st$out_empty <- NULL
  # Whether the output directory may hold anything: FALSE without a listing while it is as a
  # listing found it empty, once the file system's clock was past its ctime. In this order:
  # the state, then the clock, then the listing (anything added after the listing gets a ctime
  # at least that clock, later than the state's).
  out_written <- function() {
    state <- out_state()
    if (identical(state, st$out_empty)) return(FALSE)
    st$out_empty <- NULL
    now <- fs_now()
    if (out_entries() > 0L) return(TRUE)
    if (!anyNA(state) && !is.na(now) && now > state[[3L]]) st$out_empty <- state
    FALSE
  }
`;
