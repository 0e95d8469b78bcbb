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
      if (!is.complex(value) && !is.raw(value)) return(paste0("[1] ", format(value)))
    }
    old <- options(max.print = 2000L)
    on.exit(options(old))
    lines <- utils::capture.output(print(value))
    if (length(lines) > 2000L) lines <- c(lines[1:2000], "... (text truncated)")
    paste(lines, collapse = "\n")
  }
  result_message <- function(id, value, visible) {
    text <- tryCatch(value_text(value), error = function(e) "")
    encoded <- tryCatch(enc(value), error = function(e) enc_none(value))
    head <- paste0("{\"type\":\"result\",\"id\":", id, ",\"visible\":",
      if (visible) "true" else "false", ",\"text\":")
    msg <- paste0(head, jstr(text), ",\"value\":", encoded, "}")
    if (nchar(msg, type = "bytes") > max_bytes) {
      msg <- paste0(head, jstr(substr(text, 1L, 65536L)),
        ",\"value\":{\"t\":\"none\",\"cls\":\"too_large\"}}")
    }
    msg
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
  out_number <- as.integer(out)
  # Puts the sinks back if user code moved them, then ends the execution's output.
  finish_output <- function(id) {
    if (sink.number() != 1L || sink.number(type = "message") != out_number) {
      while (sink.number() > 0L) sink()
      sink(out)
      sink(out, type = "message")
    }
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

  sink(out)
  sink(out, type = "message")
  serve <- function() {
    repeat {
      tryCatch({
        msg <- read_msg()
        if (identical(msg[["type"]], "execute")) {
          id <- as.integer(msg[["id"]])
          reply <- run(id, msg[["code"]])
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
}, envir = new.env(parent = baseenv()))
`;
