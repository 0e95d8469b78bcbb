/**
 * The R runtime's value codec, the R half of `wire_value.ts`: `enc` writes an R value as the
 * tagged JSON form (doubles with 17 significant digits, so they round-trip exactly; what has
 * no wire form becomes `{"t":"none"}` with its class), and `dec` turns a tagged value from
 * the host back into R.
 *
 * A fragment of the `local()` block in `R_RUNTIME` (`r_runtime.ts`); it uses nothing from the
 * other parts.
 *
 * @module
 */

/** R source of the value codec (`jstr`, `jdbl`, `enc`, `dec`, ...), part of the runtime. */
export const R_VALUES: string = String.raw`
  # ---- values: R -> JSON ----------------------------------------------------------
  # The budgets of one result message (protocol.ts computes the same): the printed text gets
  # a sixteenth of the message, the value the rest but a head of 256 bytes.
  text_budget <- floor(max_bytes / 16)
  value_budget <- max_bytes - text_budget - 256
  max_depth <- 100L
  # What the value being encoded lost: at most 20 notes, each once.
  note <- function(what) {
    if (length(st$lost) < 20L && !(what %in% st$lost)) st$lost <- c(st$lost, substr(what, 1L, 300L))
  }
  quoted <- function(x, max = 5L) {
    s <- paste0("\"", x[seq_len(min(length(x), max))], "\"", collapse = ", ")
    if (length(x) > max) paste0(s, ", ...") else s
  }
  jstr <- function(x) {
    # The common case, one printable ASCII string without quotes or backslashes, as is.
    if (length(x) == 1L && is.character(x) && !is.na(x) &&
      !grepl("[^ -~]|[\"\\\\]", x, useBytes = TRUE)) {
      return(paste0("\"", x, "\""))
    }
    if (length(x) == 0L) return(character(0))
    na <- is.na(x)
    x <- enc2utf8(as.character(x))
    bad <- !validUTF8(x)
    if (any(bad)) {
      note("invalid UTF-8 was replaced by U+FFFD")
      x[bad] <- iconv(x[bad], "UTF-8", "UTF-8", sub = "\ufffd")
    }
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
  # Bytes in base64. jsonlite breaks its base64 into lines; JSON strings may not hold newlines.
  b64 <- function(x) gsub("\n", "", jsonlite::base64_enc(x), fixed = TRUE)
  # ISO 8601 years: four digits, or a sign and six digits outside 0-9999 (as JavaScript).
  iso_year <- function(y) ifelse(y >= 0L & y <= 9999L, sprintf("%04d", y), sprintf("%+07d", y))
  iso_date <- function(x) {
    lt <- as.POSIXlt(x)
    out <- paste0(iso_year(lt$year + 1900L), sprintf("-%02d-%02d", lt$mon + 1L, lt$mday))
    out[is.na(x) | is.na(lt$year)] <- NA_character_
    out
  }
  # UTC with the shortest of 3, 6 or 9 fractional digits that gives back the same double
  # (9 when none does: to the nanosecond).
  iso_time <- function(x) {
    s <- as.numeric(unclass(as.POSIXct(x)))
    ok <- is.finite(s)
    sec <- floor(s)
    frac <- s - sec
    k <- rep(9L, length(s))
    for (d in c(6L, 3L)) k[ok & sec + round(frac * 10^d) / 10^d == s] <- d
    f <- round(frac * 10^k)
    carry <- ok & f >= 10^k
    sec[carry] <- sec[carry] + 1
    f[carry] <- 0
    lt <- as.POSIXlt(.POSIXct(sec, tz = "UTC"))
    out <- paste0(iso_year(lt$year + 1900L),
      sprintf("-%02d-%02dT%02d:%02d:%02d.", lt$mon + 1L, lt$mday, lt$hour, lt$min,
        as.integer(lt$sec)), sprintf("%0*.0f", k, f), "Z")
    out[!ok] <- NA_character_
    out
  }
  jcplx <- function(x) {
    s <- sprintf("%.17g%+.17gi", Re(x), Im(x))
    s[is.na(x) & !is.nan(x)] <- NA_character_
    s
  }
  # Notes the attributes the encoding of x drops (kept: those in keep).
  dropped_attrs <- function(x, keep) {
    a <- setdiff(names(attributes(x)), keep)
    if (!length(a)) return(invisible())
    shown <- vapply(a, function(n) {
      v <- attr(x, n, exact = TRUE)
      if (n %in% c("class", "units") && is.character(v)) paste0(n, " ", quoted(v)) else n
    }, "")
    note(paste0("attributes dropped: ", paste(shown, collapse = ", ")))
  }
  # Notes what nested arrays of rows cannot show: an empty extent before the last one.
  check_dim <- function(d) {
    if (length(d) >= 2L && any(d[-length(d)] == 0L)) {
      note(paste0("a ", paste(d, collapse = " x "), " array comes back as nested empty arrays: ",
        "its dimensions are lost"))
    }
  }
  # A raw vector: its bytes in base64; a Uint8Array has no names or dimensions.
  enc_raw <- function(x) {
    if (!is.null(attributes(x))) dropped_attrs(x, character(0))
    paste0("{\"t\":\"raw\",\"b\":\"", b64(x), "\"}")
  }
  # The wire text of each element of x, a vector of the type tag stands for.
  atom_text <- function(tag, x) {
    switch(tag,
      d = jdbl(as.double(x)),
      i = { s <- as.character(as.integer(x)); s[is.na(x)] <- "null"; s },
      l = { s <- c("false", "true")[as.logical(x) + 1L]; s[is.na(x)] <- "null"; s },
      s = jstr(if (is.complex(x)) jcplx(x) else as.character(x)))
  }
  atom_tags <- c(double = "d", integer = "i", logical = "l", character = "s", complex = "s")
  enc_atomic <- function(x) {
    # The common case, one element and no attributes: nothing to keep, drop or convert.
    if (length(x) == 1L && is.null(attributes(x)) && !is.raw(x)) {
      tag <- atom_tags[[typeof(x)]]
      return(paste0("{\"t\":\"", tag, "\",\"v\":[", atom_text(tag, x), "]}"))
    }
    if (is.raw(x)) return(enc_raw(x))
    nm <- names(x)
    d <- dim(x)
    keep <- c("names", "dim")
    if (length(d) == 1L) {
      nm <- dimnames(x)[[1L]]
      d <- NULL
      keep <- c(keep, "dimnames")
    }
    convert <- if (is.factor(x)) {
      keep <- c(keep, "class", "levels")
      as.character
    } else if (inherits(x, "Date")) {
      keep <- c(keep, "class")
      iso_date
    } else if (inherits(x, "POSIXct")) {
      keep <- c(keep, "class", "tzone")
      iso_time
    }
    if (!is.null(attributes(x))) dropped_attrs(x, keep)
    if (!is.null(convert)) x <- convert(x)
    tag <- unname(atom_tags[typeof(x)])
    if (is.na(tag)) return(enc_none(x))
    if (length(x) == 0L && is.null(d)) {
      note(paste0("an empty ", typeof(x), " vector comes back as []: its type is lost"))
    }
    if (!is.null(d)) check_dim(d)
    paste0("{\"t\":\"", tag, "\",\"v\":", jarr(atom_text(tag, x)),
      if (!is.null(d)) paste0(",\"dim\":", jarr(as.integer(d))),
      if (is.null(d) && !is.null(nm)) paste0(",\"n\":", jarr(jstr(nm))),
      "}")
  }
  enc_none <- function(x) paste0("{\"t\":\"none\",\"cls\":", jstr(class(x)[1L]), "}")
  too_deep <- function() {
    stop(sprintf("the value is nested more than %d levels deep", max_depth), call. = FALSE)
  }
  # The keys of a data frame's row objects: unique and non-empty, "_row" taken by row names.
  df_keys <- function(n, named_rows) {
    n[is.na(n)] <- "NA"
    n[n == ""] <- paste0("V", which(n == ""))
    keys <- make.unique(c(if (named_rows) "_row", n))
    if (named_rows) keys <- keys[-1L]
    keys
  }
  # JavaScript objects put integer-like keys first, in ascending order.
  keeps_order <- function(keys) {
    int <- grepl("^(0|[1-9][0-9]{0,9})$", keys) & suppressWarnings(as.numeric(keys)) < 4294967295
    if (!any(int)) return(TRUE)
    k <- sum(int)
    all(int[seq_len(k)]) && !is.unsorted(as.numeric(keys[int]), strictly = TRUE)
  }
  enc_df <- function(x, depth) {
    if (depth >= max_depth) too_deep()
    dropped_attrs(x, c("names", "class", "row.names"))
    n <- nrow(x)
    rn <- if (.row_names_info(x) > 0L) {
      r <- row.names(x)
      if (!identical(r, as.character(seq_len(n)))) r
    }
    old <- names(x)
    keys <- df_keys(if (is.null(old)) rep("", length(x)) else old, !is.null(rn))
    changed <- is.na(old) | old != keys
    if (any(changed)) {
      note(paste0("data frame column names changed to be unique object keys: ",
        paste0(quoted(old[changed]), " -> ", quoted(keys[changed]), collapse = ", ")))
    }
    if (!keeps_order(keys)) {
      note("data frame columns with integer-like names come first in each row object")
    }
    if (n == 0L && length(x) > 0L) {
      note(paste0("a data frame with 0 rows comes back as []: its columns ", quoted(keys),
        " are lost"))
    }
    before <- st$lost
    cols <- vapply(x, enc, "", depth = depth + 1L, USE.NAMES = FALSE)
    if (n == 0L) st$lost <- before # not the columns' own "empty vector" notes
    paste0("{\"t\":\"df\",\"nrow\":", n, ",\"n\":", jarr(jstr(keys)), ",\"v\":", jarr(cols),
      if (!is.null(rn)) paste0(",\"rn\":", jarr(jstr(rn))), "}")
  }
  enc <- function(x, depth = 0L) {
    if (is.null(x)) return("null")
    if (inherits(x, "POSIXlt")) x <- as.POSIXct(x)
    if (is.data.frame(x)) return(enc_df(x, depth))
    if (is.atomic(x)) return(enc_atomic(x))
    if (is.list(x) || is.pairlist(x)) {
      if (depth >= max_depth) too_deep()
      d <- dim(x)
      keep <- c("names", "dim")
      if (length(d) < 2L) d <- NULL else check_dim(d)
      x <- as.list(x) # a pairlist; as.list() keeps a list's attributes
      if (!is.null(attributes(x))) dropped_attrs(x, keep)
      v <- vapply(x, enc, "", depth = depth + 1L, USE.NAMES = FALSE)
      nm <- names(x)
      return(paste0("{\"t\":\"list\",\"v\":", jarr(v),
        if (!is.null(d)) paste0(",\"dim\":", jarr(as.integer(d))),
        if (is.null(d) && !is.null(nm)) paste0(",\"n\":", jarr(jstr(nm))), "}"))
    }
    enc_none(x)
  }
  # A value's wire form with what it lost ("lost"); an error when it is nested too deeply or
  # its wire form is over the value budget.
  enc_value <- function(x) {
    st$lost <- character(0)
    s <- enc(x)
    if (length(st$lost) && s != "null") {
      s <- paste0(substr(s, 1L, nchar(s) - 1L), ",\"lost\":", jarr(jstr(st$lost)), "}")
    }
    bytes <- nchar(s, type = "bytes")
    if (bytes > value_budget) {
      stop(sprintf("the value is too large (%.0f bytes, max %.0f)", bytes, value_budget),
        call. = FALSE)
    }
    s
  }
  omitted <- function(why) paste0("{\"t\":\"omitted\",\"why\":", jstr(why), "}")

  # ---- values: JSON -> R ----------------------------------------------------------
  # Messages are parsed without simplification (jsonlite's recursive simplification
  # overflowed R's C stack for values nested about 100 levels deep): arrays are lists here,
  # with NULL for null.
  flat <- function(v, na) {
    if (!length(v)) return(na[0L])
    if (!is.list(v)) return(v)
    empty <- lengths(v) == 0L
    if (any(empty)) v[empty] <- list(na)
    unlist(v, use.names = FALSE)
  }
  dec <- function(w) {
    if (is.null(w)) return(NULL)
    v <- w[["v"]]
    x <- switch(w[["t"]],
      d = {
        x <- as.double(flat(v, NA_real_))
        if (length(w[["nan"]])) x[flat(w[["nan"]], 0L)] <- NaN
        if (length(w[["inf"]])) x[flat(w[["inf"]], 0L)] <- Inf
        if (length(w[["ninf"]])) x[flat(w[["ninf"]], 0L)] <- -Inf
        if (length(w[["nz"]])) x[flat(w[["nz"]], 0L)] <- -0
        x
      },
      i = as.integer(flat(v, NA_integer_)),
      l = as.logical(flat(v, NA)),
      s = { x <- as.character(flat(v, NA_character_)); if (length(x)) Encoding(x) <- "UTF-8"; x },
      raw = jsonlite::base64_dec(w[["b"]]),
      time = .POSIXct(as.double(flat(v, NA_real_)), tz = "UTC"),
      list = lapply(v, dec),
      df = {
        cols <- lapply(v, dec)
        names(cols) <- dec_names(w[["n"]])
        df <- structure(cols, class = "data.frame", row.names = .set_row_names(as.integer(w[["nrow"]])))
        if (!is.null(w[["rn"]])) row.names(df) <- dec_names(w[["rn"]])
        return(df)
      },
      stop("unknown value tag from host: ", w[["t"]]))
    if (!is.null(w[["dim"]])) dim(x) <- as.integer(flat(w[["dim"]], 0L))
    else if (!is.null(w[["n"]])) names(x) <- dec_names(w[["n"]])
    x
  }
  dec_names <- function(n) {
    x <- as.character(flat(n, NA_character_))
    if (length(x)) Encoding(x) <- "UTF-8"
    x
  }
`;
