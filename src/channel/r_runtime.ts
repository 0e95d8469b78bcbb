/**
 * The R side of securer: the program the child R process runs.
 *
 * R starts with `--file=boot.R --args <session dir>` ({@linkcode R_BOOT}), which loads it. It reads `init.json` from the
 * session directory (the per-session secret, the output nonce, the tools) and deletes it,
 * opens the three FIFOs the host created (`req` host→child, `res` child→host, `out` for
 * output), says hello, installs the tool wrappers in the global environment, and then
 * serves requests one at a time until the host closes the channel.
 *
 * Wire format: newline-delimited JSON both ways. Values travel in the tagged form of
 * `values.ts` (doubles written with 17 significant digits, so they round-trip exactly).
 * R's stdout and stderr are the `out` FIFO, and R's own output and messages are sunk into
 * it through an unbuffered fifo connection, so everything arrives in one ordered stream;
 * each execution ends with a marker line there, so the host knows it has all of an
 * execution's output before it answers.
 *
 * Interrupts: they are suspended everywhere except while user code runs. The host sends an
 * `interrupt` message *before* each SIGINT, so a SIGINT that lands while R is idle is
 * absorbed when that message is read, and can never hit the next execution.
 *
 * The runtime's own functions live in an environment whose parent is the base
 * environment, so user definitions in the global environment cannot shadow what it calls.
 * User code can still reach that environment (R has no private memory); nothing in it is
 * trusted by the host, which validates every message.
 *
 * @module
 */

/**
 * The script R is started with (`--file=boot.R`): it parses `runtime.R` with `parse()` and
 * evaluates it. R's file reader parses one huge top-level expression about 50 times more
 * slowly than `parse()` does (measured: 110 ms against 2 ms), so the runtime is not given
 * to `--file` directly.
 */
export const R_BOOT: string =
  'eval(parse(file.path(commandArgs(trailingOnly = TRUE)[[1L]], "runtime.R"), keep.source = FALSE, encoding = "UTF-8")[[1L]], globalenv())\n';

/** R source of the child runtime. No `${` or backticks appear in it (template literal). */
export const R_RUNTIME: string = String.raw`
local({
  rt <- environment()
  st <- new.env(parent = emptyenv())
  dir <- commandArgs(trailingOnly = TRUE)[[1L]]
  init_path <- file.path(dir, "init.json")
  init <- jsonlite::parse_json(paste(readLines(init_path, warn = FALSE, encoding = "UTF-8"),
    collapse = ""), simplifyVector = TRUE, simplifyDataFrame = FALSE, simplifyMatrix = FALSE)
  # The host deletes it too once R has said hello: inside a sandbox the directory is
  # read-only.
  invisible(suppressWarnings(try(file.remove(init_path), silent = TRUE)))
  max_bytes <- as.numeric(init[["maxMessageBytes"]])
  nonce <- init[["nonce"]]
  req <- fifo(file.path(dir, "req"), open = "rb", blocking = TRUE)
  res <- fifo(file.path(dir, "res"), open = "wb", blocking = TRUE)
  out <- fifo(file.path(dir, "out"), open = "w", blocking = TRUE)
  st$buf <- raw(0)
  st$exec <- 0L
  st$call <- 0L
  # Each timeout sends an "interrupt" message, then a SIGINT. Whichever of the two is
  # consumed first is remembered here by execution id until the other one is.
  st$signal_taken <- integer(0)
  st$message_taken <- integer(0)

  # ---- channel --------------------------------------------------------------------
  send <- function(json) {
    suspendInterrupts(writeBin(charToRaw(paste0(json, "\n")), res))
    invisible(NULL)
  }
  # Reads one line. Only each new chunk is searched for the newline, and the chunks of a
  # long line are joined once: searching the whole growing buffer on every read made a
  # 2 MB tool reply take seconds.
  nl <- as.raw(10L)
  read_msg <- function() {
    i <- if (length(st$buf)) which(st$buf == nl)[1L] else NA_integer_
    if (is.na(i)) {
      parts <- list(st$buf)
      repeat {
        chunk <- readBin(req, "raw", 65536L)
        if (length(chunk) == 0L) quit(save = "no", status = 0L, runLast = FALSE)
        parts[[length(parts) + 1L]] <- chunk
        j <- which(chunk == nl)[1L]
        if (!is.na(j)) break
      }
      before <- sum(lengths(parts)) - length(chunk)
      st$buf <- unlist(parts, use.names = FALSE)
      i <- before + j
    }
    line <- rawToChar(st$buf[seq_len(i - 1L)])
    st$buf <- st$buf[-seq_len(i)]
    Encoding(line) <- "UTF-8"
    jsonlite::parse_json(line, simplifyVector = TRUE, simplifyDataFrame = FALSE,
      simplifyMatrix = FALSE)
  }

  # ---- values: R -> JSON ----------------------------------------------------------
  jstr <- function(x) {
    if (length(x) == 0L) return(character(0))
    na <- is.na(x)
    x <- enc2utf8(as.character(x))
    x <- gsub("\\", "\\\\", x, fixed = TRUE, useBytes = TRUE)
    x <- gsub("\"", "\\\"", x, fixed = TRUE, useBytes = TRUE)
    if (any(grepl("[\001-\037\177]", x, useBytes = TRUE))) {
      for (code in c(1:31, 127L)) {
        x <- gsub(rawToChar(as.raw(code)), sprintf("\\u%04x", code), x, fixed = TRUE,
          useBytes = TRUE)
      }
    }
    x <- paste0("\"", x, "\"")
    x[na] <- "null"
    x
  }
  jdbl <- function(x) {
    s <- sprintf("%.17g", x)
    if (anyNA(x) || any(is.infinite(x))) {
      s[is.na(x)] <- "null"
      s[is.nan(x)] <- "\"NaN\""
      s[!is.na(x) & x == Inf] <- "\"Inf\""
      s[!is.na(x) & x == -Inf] <- "\"-Inf\""
    }
    s
  }
  jarr <- function(v) paste0("[", paste(v, collapse = ","), "]")
  iso_time <- function(x) {
    s <- as.numeric(unclass(as.POSIXct(x)))
    ms <- round(s * 1000)
    sec <- floor(ms / 1000)
    out <- paste0(format(.POSIXct(sec, tz = "UTC"), "%Y-%m-%dT%H:%M:%S", tz = "UTC"),
      sprintf(".%03dZ", as.integer(ms - sec * 1000)))
    out[is.na(s)] <- NA_character_
    out
  }
  enc_atomic <- function(x) {
    nm <- names(x)
    d <- dim(x)
    if (length(d) == 1L) {
      nm <- dimnames(x)[[1L]]
      d <- NULL
    }
    if (is.factor(x)) x <- as.character(x)
    else if (inherits(x, "Date")) x <- format(x, "%Y-%m-%d")
    else if (inherits(x, "POSIXct")) x <- iso_time(x)
    tag <- switch(typeof(x), double = "d", integer = "i", logical = "l", character = "s",
      complex = "s", raw = "raw", NULL)
    if (is.null(tag)) return(enc_none(x))
    v <- switch(tag,
      d = jdbl(as.double(x)),
      i = { s <- as.character(as.integer(x)); s[is.na(x)] <- "null"; s },
      l = { s <- ifelse(as.logical(x), "true", "false"); s[is.na(x)] <- "null"; s },
      s = jstr(as.character(x)),
      raw = as.character(as.integer(x)))
    paste0("{\"t\":\"", tag, "\",\"v\":", jarr(v),
      if (!is.null(d)) paste0(",\"dim\":", jarr(as.integer(d))),
      if (is.null(d) && !is.null(nm)) paste0(",\"n\":", jarr(jstr(nm))),
      "}")
  }
  enc_none <- function(x) paste0("{\"t\":\"none\",\"cls\":", jstr(class(x)[1L]), "}")
  enc <- function(x, depth = 0L) {
    if (depth > 100L) stop("the value is nested more than 100 levels deep", call. = FALSE)
    if (is.null(x)) return("null")
    if (inherits(x, "POSIXlt")) x <- as.POSIXct(x)
    if (is.data.frame(x)) {
      cols <- vapply(x, enc, "", depth = depth + 1L, USE.NAMES = FALSE)
      rn <- if (.row_names_info(x) > 0L) paste0(",\"rn\":", jarr(jstr(row.names(x))))
      return(paste0("{\"t\":\"df\",\"nrow\":", nrow(x), ",\"n\":", jarr(jstr(names(x))),
        ",\"v\":", jarr(cols), rn, "}"))
    }
    if (is.atomic(x)) return(enc_atomic(x))
    if (is.list(x) || is.pairlist(x)) {
      x <- as.list(x)
      v <- vapply(x, enc, "", depth = depth + 1L, USE.NAMES = FALSE)
      nm <- names(x)
      return(paste0("{\"t\":\"list\",\"v\":", jarr(v),
        if (!is.null(nm)) paste0(",\"n\":", jarr(jstr(nm))), "}"))
    }
    enc_none(x)
  }

  # ---- values: JSON -> R ----------------------------------------------------------
  dec <- function(w) {
    if (is.null(w)) return(NULL)
    v <- w[["v"]]
    x <- switch(w[["t"]],
      d = {
        x <- as.double(if (is.list(v)) unlist(v) else v)
        if (length(w[["nan"]])) x[w[["nan"]]] <- NaN
        if (length(w[["inf"]])) x[w[["inf"]]] <- Inf
        if (length(w[["ninf"]])) x[w[["ninf"]]] <- -Inf
        if (length(w[["nz"]])) x[w[["nz"]]] <- -0
        x
      },
      i = as.integer(if (is.list(v)) unlist(v) else v),
      l = as.logical(if (is.list(v)) unlist(v) else v),
      s = { x <- as.character(if (is.list(v)) unlist(v) else v); if (length(x)) Encoding(x) <- "UTF-8"; x },
      raw = as.raw(if (is.list(v)) unlist(v) else v),
      time = .POSIXct(as.double(if (is.list(v)) unlist(v) else v), tz = "UTC"),
      list = if (is.list(v)) lapply(v, dec) else rep(list(NULL), length(v)),
      df = {
        cols <- if (is.list(v)) lapply(v, dec) else rep(list(NULL), length(v))
        names(cols) <- w[["n"]]
        df <- structure(cols, class = "data.frame", row.names = .set_row_names(as.integer(w[["nrow"]])))
        if (!is.null(w[["rn"]])) row.names(df) <- w[["rn"]]
        return(df)
      },
      stop("unknown value tag from host: ", w[["t"]]))
    if (!is.null(w[["dim"]])) dim(x) <- as.integer(w[["dim"]])
    else if (!is.null(w[["n"]])) names(x) <- w[["n"]]
    x
  }

  # ---- tools ----------------------------------------------------------------------
  tool_error <- function(message, call) {
    structure(class = c("securer_tool_error", "error", "condition"),
      list(message = message, call = call))
  }
  call_tool <- function(tool, args, call = NULL) {
    if (length(args) > 0L && (is.null(names(args)) || any(names(args) == ""))) {
      stop(tool_error("tool arguments must be named", call))
    }
    st$call <- st$call + 1L
    id <- st$call
    encoded <- vapply(args, enc, "", USE.NAMES = FALSE)
    msg <- paste0("{\"type\":\"tool_call\",\"id\":", st$exec, ",\"call\":", id,
      ",\"tool\":", jstr(tool), ",\"args\":{",
      if (length(args)) paste0(jstr(names(args)), ":", encoded, collapse = ","), "}}")
    if (nchar(msg, type = "bytes") > max_bytes) {
      stop(tool_error(sprintf("Tool '%s': arguments too large (%.0f bytes, max %.0f)", tool,
        nchar(msg, type = "bytes"), max_bytes), call))
    }
    send(msg)
    repeat {
      reply <- suspendInterrupts(read_msg())
      if (identical(reply[["type"]], "tool_reply") && identical(as.integer(reply[["call"]]), id)) break
      if (identical(reply[["type"]], "interrupt")) {
        # The host gave up on this execution while the tool ran: raise its SIGINT here,
        # inside user code, where it unwinds like any interrupt.
        st$message_taken <- c(st$message_taken, as.integer(reply[["id"]]))
        allowInterrupts(Sys.sleep(5))
      }
    }
    if (!is.null(reply[["error"]])) stop(tool_error(reply[["error"]], call))
    dec(reply[["value"]])
  }
  type_checks <- list(numeric = "is.numeric", character = "is.character",
    logical = "is.logical", integer = "is.integer", list = "is.list",
    data.frame = "is.data.frame")
  make_tool <- function(name, arg_names, arg_types) {
    checks <- lapply(seq_along(arg_names), function(i) {
      check <- type_checks[[arg_types[[i]]]]
      if (is.null(check)) return(NULL)
      a <- as.name(arg_names[[i]])
      prefix <- sprintf("Tool '%s': argument '%s' must be %s, got ", name, arg_names[[i]],
        arg_types[[i]])
      bquote(if (!.(as.name(check))(.(a))) stop(.(prefix), class(.(a))[1L], call. = FALSE))
    })
    arg_list <- as.call(c(as.name("list"),
      structure(lapply(arg_names, as.name), names = arg_names)))
    body <- as.call(c(as.name("{"), Filter(Negate(is.null), checks),
      list(bquote(call_tool(.(name), .(arg_list), sys.call())))))
    f <- function() NULL
    formals(f) <- structure(rep(list(quote(expr = )), length(arg_names)), names = arg_names)
    body(f) <- body
    environment(f) <- rt
    f
  }
  for (tool in init[["tools"]]) {
    arg_names <- as.character(unlist(tool[["argNames"]]))
    arg_types <- as.character(unlist(tool[["argTypes"]]))
    assign(tool[["name"]], make_tool(tool[["name"]], arg_names, arg_types), envir = globalenv())
    lockBinding(tool[["name"]], globalenv())
  }
  generic_call <- function(tool, args = list()) call_tool(tool, args, sys.call())
  assign(".securer_call_tool", generic_call, envir = globalenv())
  lockBinding(".securer_call_tool", globalenv())

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
