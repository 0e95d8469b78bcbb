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
 * `wire_value.ts` (doubles written with 17 significant digits, so they round-trip exactly).
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
import { R_CAPTURE } from "./r_capture.ts";
import { R_EXECUTION } from "./r_execution.ts";
import { R_OUTPUT_CHECK } from "./r_output_check.ts";
import { R_STRAYS } from "./r_strays.ts";
import { R_TOOLS } from "./r_tools.ts";
import { R_VALUES } from "./r_values.ts";
import { R_WRITE_LIMITS } from "./r_write_limits.ts";

/**
 * The script R is started with (`--file=boot.R`): it evaluates the compiled runtime
 * (`runtime.rds`, see `compiled_runtime.ts`) if the session directory has a readable one,
 * else parses `runtime.R` with `parse()` and evaluates its `local()` block's body, in an
 * environment whose parent is the base environment either way. R's file reader parses one
 * huge top-level expression about 50 times more slowly than `parse()` does (measured:
 * 110 ms against 2 ms), so the runtime is not given to `--file` directly.
 */
export const R_BOOT: string = String.raw`(function(dir) {
  code <- tryCatch(readRDS(file.path(dir, "runtime.rds")), error = function(e) NULL,
    warning = function(w) NULL)
  if (!identical(typeof(code), "bytecode")) {
    code <- parse(file.path(dir, "runtime.R"), keep.source = FALSE, encoding = "UTF-8")[[1L]][[2L]]
  }
  eval(code, new.env(parent = baseenv()))
})(commandArgs(trailingOnly = TRUE)[[1L]])
`;

/**
 * The opening of the runtime: reads and deletes `init.json`, opens the three FIFOs, sets up
 * the mutable state, and defines the channel (`send` and `read_msg`).
 */
const R_CHANNEL: string = String.raw`
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
  # The channel's connections live in st: user code can close them (closeAllConnections()
  # closes every connection), and they are then opened again (channel()). The host holds
  # both ends of every FIFO, so nothing written to them is lost in between, and opening
  # never blocks.
  modes <- c(req = "rb", res = "wb", out = "w")
  for (name in names(modes)) {
    st[[name]] <- fifo(file.path(dir, name), open = modes[[name]], blocking = TRUE)
  }
  # The channel connection called name, opened again if code closed it. A closed connection's
  # number may belong to another connection by now: only its identity (conn_id) counts.
  channel <- function(name) {
    con <- st[[name]]
    n <- as.integer(con)
    if (!(n %in% .Internal(getAllConnections())) ||
      !identical(attr(.Internal(getConnection(n)), "conn_id"), attr(con, "conn_id"))) {
      con <- fifo(file.path(dir, name), open = modes[[name]], blocking = TRUE)
      st[[name]] <- con
    }
    con
  }
  # The channel's connection numbers now (the pool's state reset keeps them open).
  channel_numbers <- function() vapply(names(modes), function(name) as.integer(channel(name)), 0L)
  st$buf <- raw(0)
  st$exec <- 0L
  st$call <- 0L
  # Each timeout sends an "interrupt" message, then a SIGINT. Whichever of the two is
  # consumed first is remembered here by execution id until the other one is.
  st$signal_taken <- integer(0)
  st$message_taken <- integer(0)
  # R seeds its generator from the clock and its pid when code first draws a number, and
  # every sandboxed R is pid 2: sessions started in the same instant drew the same numbers.
  # The kernel's random bytes seed it here instead, before any user code runs.
  kernel_seed <- function() {
    con <- file("/dev/urandom", "rb", raw = TRUE)
    on.exit(close(con))
    seed <- readBin(con, "integer", 1L)
    if (is.na(seed)) 0L else seed
  }
  try(set.seed(kernel_seed()), silent = TRUE)

  # ---- channel --------------------------------------------------------------------
  send <- function(json) {
    suspendInterrupts(writeBin(charToRaw(paste0(json, "\n")), channel("res")))
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
      req <- channel("req")
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
    st$line_bytes <- i - 1L
    Encoding(line) <- "UTF-8"
    # Not simplified: jsonlite's recursive simplification overflows R's C stack for values
    # nested about 100 levels deep (dec() takes lists).
    jsonlite::parse_json(line, simplifyVector = FALSE)
  }
`;

/**
 * R source of the child runtime: one `local()` block, assembled from its parts in order.
 * The parts are not R expressions on their own: this file's part opens the block and
 * {@linkcode R_EXECUTION}'s closes it. No `${` or backticks appear in them (template literals).
 */
export const R_RUNTIME: string = R_CHANNEL + R_VALUES + R_TOOLS + R_CAPTURE + R_OUTPUT_CHECK +
  R_WRITE_LIMITS + R_STRAYS + R_EXECUTION;
