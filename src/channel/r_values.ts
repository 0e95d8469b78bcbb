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
`;
