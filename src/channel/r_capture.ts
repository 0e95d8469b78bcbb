/**
 * The R side of plot and file capture, part of the runtime (`r_runtime.ts`).
 *
 * Plots: R's `device` option is a function that opens the execution's device the first
 * time something draws — PNG through cairo, or SVG — writing one file per page into a
 * private plot directory under R's `tempdir()`. Nothing is opened for an execution that
 * draws nothing. A device writes a page's file when its next page starts (or the device
 * closes): the graphics hooks `plot.new` and `grid.newpage`, which run just after a new page
 * started, send the pages complete by then while the code still runs (`send_done_pages`).
 * When the execution ends, every open device is closed (which writes the page left open),
 * and the pages not sent yet are sent. Either way pages go in order, each once, within the
 * same caps, and a sent page's file is deleted.
 *
 * Files: `SECURER_OUTPUT_DIR` names the output directory (`<TMPDIR>/output`: `/tmp/output`
 * under bubblewrap), emptied after each execution; what code left there is sent. It is
 * listed only when it may have changed (`out_written()`, `r_output_check.ts`).
 *
 * Both directories live in R's temporary directory — under bubblewrap the sandbox's
 * private, size-bounded /tmp — so no host path is ever writable. Each file crosses the
 * channel as `blob` messages, base64 chunks that keep every message under the message cap;
 * one left out is announced by a `dropped` message with the reason. The caps applied here
 * only spare the channel: the host applies its own and trusts no size R states.
 *
 * Settings: the session's come in `init.json` (`capture`, `NULL` when both are off), an
 * execution's own in its `execute` message; `plots` or `files` is `NULL` where it is off.
 *
 * @module
 */

/** R source of capture: the device, the output directory and `capture_flush(id)`. */
export const R_CAPTURE: string = String.raw`
  # ---- plots and files ------------------------------------------------------------
  session_capture <- init[["capture"]]
  st$cap <- session_capture
  st$devices <- 0L
  st$opened <- FALSE
  # This execution's devices: R's device number of each, named by its index in file names.
  st$devs <- integer(0)
  # The images sent so far in this execution, and their bytes (the caps count them all).
  st$img_used <- c(0, 0)
  plot_dir <- file.path(tempdir(), "securer-plots")
  out_dir <- file.path(dirname(tempdir()), "output")
  dir.create(plot_dir, showWarnings = FALSE, mode = "0700")
  dir.create(out_dir, showWarnings = FALSE, mode = "0700")
  Sys.setenv(SECURER_OUTPUT_DIR = out_dir)
  C_devcur <- grDevices:::C_devcur
  # Opens the device the first time the execution draws (R calls the "device" option
  # when no device is open). A device that cannot start is reported in the output, and
  # the plot goes to a device that writes nothing, so the code goes on.
  open_device <- function(...) {
    p <- st$cap[["plots"]]
    if (is.null(p)) return(invisible(grDevices::pdf(NULL)))
    st$devices <- st$devices + 1L
    st$opened <- TRUE
    svg <- identical(p[["format"]], "svg")
    file <- file.path(plot_dir, sprintf("plot-%03d-%%03d.%s", st$devices,
      if (svg) "svg" else "png"))
    ok <- tryCatch({
      if (svg) {
        grDevices::svg(file, width = p[["width"]] / p[["res"]], height = p[["height"]] / p[["res"]],
          onefile = FALSE)
      } else {
        grDevices::png(file, width = p[["width"]], height = p[["height"]], res = p[["res"]],
          type = "cairo")
      }
      TRUE
    }, error = function(e) {
      message("Cannot draw the plot: ", conditionMessage(e))
      FALSE
    })
    if (ok) st$devs[[as.character(st$devices)]] <- .External(C_devcur) else grDevices::pdf(NULL)
    invisible(NULL)
  }
  options(device = open_device)
  # The page files of plot_dir in drawing order: by device, then page, as numbers (a name
  # that is no page file of ours goes last).
  page_dev <- function(pages) {
    suppressWarnings(as.integer(sub("^plot-([0-9]+)-[0-9]+[.](png|svg)$", "\\1", pages)))
  }
  page_order <- function(pages) {
    num <- suppressWarnings(as.integer(sub("^plot-[0-9]+-([0-9]+)[.](png|svg)$", "\\1", pages)))
    pages[order(page_dev(pages), num, pages)]
  }
  # Sends one file as blob messages, or a dropped message (with the reason); returns the
  # bytes sent, or NA when it was dropped.
  send_file <- function(id, kind, dir, name, reason) {
    path <- file.path(dir, name)
    size <- suppressWarnings(file.size(path))
    if (!nzchar(reason) && is.na(size)) reason <- "it cannot be read"
    # A FIFO or a device has size 0 and is not read.
    data <- if (nzchar(reason) || size == 0) raw(0) else readBin(path, "raw", n = size)
    if (!nzchar(reason) && length(data) != size) reason <- "it changed while it was read"
    head <- paste0("{\"type\":\"", if (nzchar(reason)) "dropped" else "blob", "\",\"id\":", id,
      ",\"kind\":\"", kind, "\",\"name\":", jstr(substr(name, 1L, 256L)), ",\"size\":",
      if (is.na(size)) "null" else format(size, scientific = FALSE))
    if (nzchar(reason)) {
      send(paste0(head, ",\"reason\":", jstr(reason), "}"))
      return(NA_real_)
    }
    chunk <- 3 * floor((max_bytes - 2048) / 4)
    offset <- 0
    repeat {
      n <- min(chunk, size - offset)
      part <- if (n > 0) b64(data[offset + seq_len(n)]) else ""
      send(paste0(head, ",\"offset\":", format(offset, scientific = FALSE), ",\"data\":\"",
        part, "\"}"))
      offset <- offset + n
      if (offset >= size) break
    }
    size
  }
  # Sends the files named, in order, within the caps, counting from used (files and bytes
  # sent before); returns the new count.
  send_files <- function(id, kind, dir, names, most, largest, total, used = c(0, 0)) {
    count <- used[[1L]]
    bytes <- used[[2L]]
    noun <- if (kind == "image") "images" else "files"
    for (name in names) {
      size <- suppressWarnings(file.size(file.path(dir, name)))
      reason <- if (3 * floor((max_bytes - 2048) / 4) < 3) {
        "maxMessageBytes is too small to carry it"
      } else if (count >= most) {
        sprintf("more than %d %s", most, noun)
      } else if (!is.na(size) && size > largest) {
        sprintf("larger than %.0f bytes", largest)
      } else if (!is.na(size) && bytes + size > total) {
        sprintf("past %.0f bytes of %s in all", total, noun)
      } else if (nchar(name, type = "bytes") > 256L) {
        "its name is longer than 256 bytes"
      } else ""
      sent <- send_file(id, kind, dir, name, reason)
      if (!is.na(sent)) {
        count <- count + 1L
        bytes <- bytes + sent
      }
    }
    c(count, bytes)
  }
  # Sends the pages complete so far and deletes their files: the leading pages (in drawing
  # order) of which none is the newest page of a device of ours still open — that page is
  # still being drawn. Interrupts wait until it is done, so no image is sent in part. Called
  # by the graphics hooks: it does nothing unless this execution opened a device of ours.
  send_done_pages <- function() {
    if (!st$opened) return(invisible(NULL))
    suspendInterrupts(tryCatch({
      pages <- page_order(list.files(plot_dir, all.files = TRUE, no.. = TRUE))
      dev <- page_dev(pages)
      devs <- st$devs
      open <- as.integer(names(devs)[!duplicated(devs, fromLast = TRUE) &
        devs %in% grDevices::dev.list()])
      done <- !is.na(dev) & !(!duplicated(dev, fromLast = TRUE) & dev %in% open)
      n <- match(FALSE, done, nomatch = length(pages) + 1L) - 1L
      p <- st$cap[["plots"]]
      if (n > 0L && !is.null(p)) {
        sent <- pages[seq_len(n)]
        st$img_used <- send_files(st$exec, "image", plot_dir, sent, p[["maxImages"]],
          p[["maxImageBytes"]], p[["maxTotalBytes"]], st$img_used)
        unlink(file.path(plot_dir, sent), force = TRUE)
      }
    }, error = function(e) message("Cannot return the plots: ", conditionMessage(e))))
    invisible(NULL)
  }
  setHook("plot.new", send_done_pages)
  setHook("grid.newpage", send_done_pages)
  # Ends the execution's capture: closes the devices (writing the last page), sends the
  # pages and the output files, and empties both directories.
  capture_flush <- function(id) {
    cap <- st$cap
    st$cap <- session_capture
    if (is.null(cap)) {
      # Capture is off: only the devices are closed.
      if (.External(C_devcur) != 1L) try(grDevices::graphics.off(), silent = TRUE)
      return(invisible(NULL))
    }
    if (.External(C_devcur) != 1L) {
      withCallingHandlers(tryCatch(grDevices::graphics.off(), error = function(e) {
        message("Cannot finish the plot: ", conditionMessage(e))
      }), warning = function(w) {
        show_warning(w)
        invokeRestart("muffleWarning")
      })
    }
    if (st$opened) {
      st$opened <- FALSE
      pages <- page_order(list.files(plot_dir, all.files = TRUE, no.. = TRUE))
      p <- cap[["plots"]]
      if (!is.null(p)) {
        send_files(id, "image", plot_dir, pages, p[["maxImages"]], p[["maxImageBytes"]],
          p[["maxTotalBytes"]], st$img_used)
      }
      unlink(file.path(plot_dir, pages), force = TRUE)
      st$img_used <- c(0, 0)
      st$devs <- integer(0)
    }
    if (out_written()) {
      # Code may have replaced the directory with a link: only a real directory is read.
      if (!nzchar(Sys.readlink(out_dir)) && dir.exists(out_dir)) {
        f <- cap[["files"]]
        if (!is.null(f)) {
          files <- sort(list.files(out_dir, all.files = TRUE, recursive = TRUE))
          send_files(id, "file", out_dir, files, f[["maxFiles"]], f[["maxFileBytes"]],
            f[["maxTotalBytes"]])
        }
      }
      if (nzchar(Sys.readlink(out_dir))) unlink(out_dir)
      unlink(file.path(out_dir, list.files(out_dir, all.files = TRUE, no.. = TRUE)),
        recursive = TRUE, force = TRUE)
      dir.create(out_dir, showWarnings = FALSE, mode = "0700")
    }
  }
`;
