/**
 * The R runtime's tool side: `call_tool` sends a `tool_call` message and waits for its
 * reply (absorbing an `interrupt` message that arrives meanwhile by raising the SIGINT inside
 * user code), and one wrapper per tool from `init.json` is installed, locked, in the global
 * environment, with the generic `.securer_call_tool`.
 *
 * A fragment of the `local()` block in `R_RUNTIME` (`r_runtime.ts`); it uses the channel and the
 * value codec defined before it.
 *
 * @module
 */

/** R source of the tool calls and tool wrappers, part of the runtime. */
export const R_TOOLS: string = String.raw`
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
    encoded <- character(length(args))
    for (i in seq_along(args)) {
      what <- sprintf("Tool '%s': argument '%s': ", tool, names(args)[[i]])
      encoded[[i]] <- tryCatch(enc_value(args[[i]]),
        error = function(e) stop(tool_error(paste0(what, conditionMessage(e)), call)))
      for (lost in st$lost) warning(paste0(what, lost), call. = FALSE)
    }
    msg <- paste0("{\"type\":\"tool_call\",\"id\":", st$exec, ",\"call\":", id,
      ",\"tool\":", jstr(tool), ",\"args\":{",
      if (length(args)) paste0(jstr(names(args)), ":", encoded, collapse = ","), "}}")
    if (nchar(msg, type = "bytes") > max_bytes) {
      stop(tool_error(sprintf("Tool '%s': arguments too large (%.0f bytes, max %.0f)", tool,
        nchar(msg, type = "bytes"), max_bytes), call))
    }
    # The output so far goes first: the host hands the call on once this marker arrives.
    flush(stdout())
    cat(call_marker(st$exec, id), file = channel("out"))
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
    # The reply is {"type":"tool_reply","id":..,"call":..,"value":...}: the value's bytes
    # are the line's but the rest, held to the budget values from R are held to.
    bytes <- st$line_bytes - nchar(sprintf("{\"type\":\"tool_reply\",\"id\":%d,\"call\":%d,\"value\":}",
      st$exec, id), type = "bytes")
    if (bytes > value_budget) {
      stop(tool_error(sprintf("Tool '%s' returned a value R cannot receive: the value is too large (%.0f bytes, max %.0f)",
        tool, bytes, value_budget), call))
    }
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
`;
