/**
 * The R runtime's execution loop: `run` parses and evaluates one execution's code with
 * interrupts allowed, turning its value, warnings and errors into reply messages; output
 * ends with a nonce marker on the `out` FIFO; `serve` answers requests one at a time. It
 * ends by saying hello, locking the runtime's environment and serving.
 *
 * The last fragment of the `local()` block in `R_RUNTIME` (`r_runtime.ts`): it closes the block.
 *
 * @module
 */

/** R source of the execution loop and the closing of the runtime, part of the runtime. */
export const R_EXECUTION: string = String.raw`
  # ---- execution ------------------------------------------------------------------
  marker <- function(id) paste0("\036", nonce, ":", id, "\036\n")
  call_marker <- function(id, call) paste0("\036", nonce, ":", id, ".", call, "\036\n")
  eval_call <- quote(eval(expr, globalenv()))
  show_warning <- function(w) {
    call <- conditionCall(w)
    text <- if (is.null(call) || identical(call, eval_call)) {
      paste0("Warning: ", conditionMessage(w))
    } else {
      paste0("Warning in ", paste(deparse(call, nlines = 1L), collapse = ""), " : ",
        conditionMessage(w))
    }
    cat(text, "\n", sep = "", file = stderr())
  }
  user_frames <- function(calls) {
    k <- 0L
    for (i in seq_along(calls)) if (identical(calls[[i]], eval_call)) k <- i
    if (k == 0L) return(list())
    calls <- calls[-seq_len(k)]
    calls <- calls[-length(calls)]
    last <- length(calls)
    if (last > 0L && identical(calls[[last]][[1L]], as.name(".handleSimpleError"))) {
      calls <- calls[-last]
    }
    calls
  }
  calls_text <- function(calls) {
    n <- length(calls)
    if (n == 0L) return(character(0))
    keep <- rev(calls)[seq_len(min(n, 50L))]
    vapply(seq_along(keep), function(i) {
      substr(paste(deparse(keep[[i]], nlines = 1L), collapse = ""), 1L, 200L)
    }, "")
  }
  value_text <- function(value) {
    # Fast path: an unnamed, attribute-free scalar prints as "[1] " + format().
    if (is.atomic(value) && length(value) == 1L && is.null(attributes(value))) {
      if (is.character(value)) return(paste0("[1] ", encodeString(value, quote = "\"")))
      # format() without its R-level wrapper (match.arg, prettyNum): the same text for these
      # types, at a tenth of the cost, on every execution's value.
      if (!is.complex(value) && !is.raw(value)) {
        return(paste0("[1] ", .Internal(format(value, FALSE, NULL, 0L, NULL, 3L, TRUE, NA,
          getOption("OutDec")))))
      }
    }
    old <- options(max.print = 2000L)
    on.exit(options(old))
    lines <- utils::capture.output(print(value))
    if (length(lines) > 2000L) lines <- c(lines[1:2000], "... (text truncated)")
    paste(lines, collapse = "\n")
  }
  # The value and its printed text have budgets of their own (r_values.ts): the text is cut
  # to its budget ("textTruncated"); a value that cannot be sent is omitted, with the reason.
  result_message <- function(id, value, visible) {
    text <- tryCatch(value_text(value), error = function(e) "")
    cut <- endsWith(text, "\n... (text truncated)")
    text <- enc2utf8(text)
    if (!validUTF8(text)) text <- iconv(text, "UTF-8", "UTF-8", sub = "\ufffd")
    jtext <- jstr(text)
    while (nchar(jtext, type = "bytes") > text_budget) {
      cut <- TRUE
      text <- substr(text, 1L, nchar(text) - (nchar(jtext, type = "bytes") - text_budget))
      jtext <- jstr(text)
    }
    encoded <- tryCatch(enc_value(value), error = function(e) omitted(conditionMessage(e)))
    paste0("{\"type\":\"result\",\"id\":", id, ",\"visible\":",
      if (visible) "true" else "false", if (cut) ",\"textTruncated\":true", ",\"text\":",
      jtext, ",\"value\":", encoded, "}")
  }
  error_message <- function(id, e, trace, parsed) {
    call <- conditionCall(e)
    if (!parsed || identical(call, eval_call)) call <- NULL
    paste0("{\"type\":\"error\",\"id\":", id, ",\"message\":", jstr(conditionMessage(e)),
      ",\"call\":",
      if (is.null(call)) "null" else jstr(paste(deparse(call, nlines = 1L), collapse = "")),
      ",\"parse\":", if (parsed) "false" else "true",
      ",\"traceback\":", jarr(jstr(calls_text(trace))), "}")
  }
  # Runs one execution and returns the reply to send. Everything that user code drives
  # (parsing, evaluation, printing, encoding the value) is interruptible; nothing else is.
  run <- function(id, code) {
    st$exec <- id
    st$call <- 0L
    parsed <- FALSE
    trace <- list()
    tryCatch(allowInterrupts(withCallingHandlers({
      exprs <- parse(text = code, keep.source = FALSE, encoding = "UTF-8")
      parsed <- TRUE
      n <- length(exprs)
      value <- NULL
      visible <- FALSE
      for (i in seq_len(n)) {
        expr <- exprs[[i]]
        r <- withVisible(eval(expr, globalenv()))
        if (i < n && r$visible) print(r$value)
        if (i == n) {
          value <- r$value
          visible <- r$visible
        }
      }
      result_message(id, value, visible)
    }, warning = function(w) {
      # A write the kernel refused (past the file size limit, or a full /tmp) is only a
      # warning in R: make it the error it is, so code never goes on with a cut file.
      if (identical(conditionMessage(w), "problem writing to connection")) {
        stop(simpleError(paste0("cannot write all the data to the connection: the file ",
          "size limit or the size of /tmp was reached"), conditionCall(w)))
      }
      show_warning(w)
      invokeRestart("muffleWarning")
    }, error = function(e) {
      trace <<- user_frames(sys.calls())
    })), interrupt = function(e) {
      if (id %in% st$message_taken) st$message_taken <- setdiff(st$message_taken, id)
      else st$signal_taken <- c(st$signal_taken, id)
      paste0("{\"type\":\"error\",\"id\":", id, ",\"interrupted\":true,",
        "\"message\":\"interrupted\"}")
    }, error = function(e) error_message(id, e, trace, parsed))
  }
  # Puts the sinks back if user code moved them, sends the plots and files, then ends the
  # execution's output.
  finish_output <- function(id) {
    out <- channel("out")
    # sink.number() without its match.arg(): the output sinks' count, the message sink.
    if (.Internal(sink.number(TRUE)) != 1L || .Internal(sink.number(FALSE)) != as.integer(out)) {
      while (sink.number() > 0L) sink()
      sink(out)
      sink(out, type = "message")
    }
    check_open_sinks()
    tryCatch(capture_flush(id), error = function(e) {
      message("Cannot return the plots and files: ", conditionMessage(e))
    })
    flush(stdout())
    cat(marker(id), file = out)
  }
  absorb_interrupt <- function(id) {
    if (id %in% st$signal_taken) {
      st$signal_taken <- setdiff(st$signal_taken, id)
      return(invisible(NULL))
    }
    # The execution had already finished when the host gave up on it: its SIGINT is
    # pending or on its way. Take it here, outside any user code.
    tryCatch(allowInterrupts(Sys.sleep(0.5)), interrupt = function(e) NULL)
  }

  sink(st$out)
  sink(st$out, type = "message")
  serve <- function() {
    repeat {
      tryCatch({
        msg <- read_msg()
        if (identical(msg[["type"]], "execute")) {
          id <- as.integer(msg[["id"]])
          if (!is.null(msg[["capture"]])) st$cap <- msg[["capture"]]
          reply <- run(id, msg[["code"]])
          if (reap_strays) kill_strays()
          finish_output(id)
          send(reply)
        } else if (identical(msg[["type"]], "interrupt")) {
          absorb_interrupt(as.integer(msg[["id"]]))
        }
      }, interrupt = function(e) NULL)
    }
  }
  send(paste0("{\"type\":\"hello\",\"secret\":", jstr(init[["secret"]]), ",\"pid\":", Sys.getpid(),
    ",\"r\":", jstr(R.version.string), "}"))
  rm(list = intersect(c("init", "tool", "arg_names", "arg_types"), ls(rt)))
  lockEnvironment(rt, bindings = TRUE)
  suspendInterrupts(serve())
})
`;
