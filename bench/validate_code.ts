/**
 * Bench: `validateCode()` against R's own `parse(text=)` on the same
 * ~50-line snippet, in one run.
 *
 * R is measured twice through one warm R process: the parse time measured
 * inside R (the fair floor: what R's parser itself costs) and the round trip
 * from TypeScript (what a pre-check through R would cost the caller). Two
 * ratio columns: R's in-process p50 over ours (the fair comparison) and the
 * round-trip p50 over ours.
 *
 * Run: `node_modules/.bin/deno run -A bench/validate_code.ts`
 * (also `node --import tsx bench/validate_code.ts`, `bun bench/validate_code.ts`).
 *
 * @module
 */
import process from "node:process";
import { validateCode } from "../src/validate_code.ts";
import { ROracle, rUnavailableReason } from "../test/validate/r_oracle.ts";

const SNIPPET = `# Summarise sales by region and fit a simple model
library(stats)
sales <- data.frame(
  region = c("north", "south", "east", "west", "north", "south"),
  units = c(120L, 95L, 143L, 88L, 131L, 102L),
  price = c(9.99, 10.49, 9.79, 11.25, 9.89, 10.15),
  stringsAsFactors = FALSE
)
sales$revenue <- sales$units * sales$price

summarise_region <- function(df, region, digits = 2) {
  rows <- df[df$region == region, , drop = FALSE]
  if (nrow(rows) == 0L) {
    warning(sprintf("no rows for region '%s'", region))
    return(NULL)
  }
  list(
    region = region,
    units = sum(rows$units),
    revenue = round(sum(rows$revenue), digits),
    mean_price = round(mean(rows$price), digits)
  )
}

regions <- unique(sales$region)
summary_list <- lapply(regions, function(r) summarise_region(sales, r))
summary_df <- do.call(rbind, lapply(summary_list, as.data.frame))

top <- summary_df[order(-summary_df$revenue), ][1:2, ]
for (i in seq_len(nrow(top))) {
  msg <- paste0(top$region[i], ": ", format(top$revenue[i], nsmall = 2))
  if (top$revenue[i] > 1200) {
    message(msg, " (above target)")
  } else {
    message(msg)
  }
}

fit <- lm(revenue ~ units + price, data = sales)
coefs <- coef(summary(fit))
pred <- predict(fit, newdata = data.frame(units = 110L, price = 10))

result <- sales |>
  subset(units > 90) |>
  transform(share = revenue / sum(revenue)) |>
  within({ label <- sprintf("%s-%03d", region, units) })

stopifnot(is.numeric(pred), nrow(result) > 0)
invisible(list(summary = summary_df, model = coefs, prediction = pred))
`;

/** The same snippet with a syntax error near the end (a missing parenthesis on line 45). */
const BROKEN = SNIPPET.replace(
  "transform(share = revenue / sum(revenue)) |>",
  "transform(share = revenue / sum(revenue) |>",
);

const now = () => process.hrtime.bigint();

function quantiles(ns: number[]): { p50: number; p95: number } {
  const s = [...ns].sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length * 0.5)], p95: s[Math.floor(s.length * 0.95)] };
}

function timeLocal(code: string, warmup: number, reps: number): { p50: number; p95: number } {
  for (let i = 0; i < warmup; i++) validateCode(code);
  const ns: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    validateCode(code);
    ns.push(Number(now() - t0));
  }
  return quantiles(ns);
}

async function timeRoundTrip(r: ROracle, code: string, warmup: number, reps: number) {
  for (let i = 0; i < warmup; i++) await r.parseAll([code]);
  const ns: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    await r.parseAll([code]);
    ns.push(Number(now() - t0));
  }
  return quantiles(ns);
}

async function timeInR(r: ROracle, code: string, warmup: number, reps: number) {
  await r.request({ op: "bench", code, reps: warmup });
  const res = await r.request({ op: "bench", code, reps });
  return quantiles(res.ns as number[]);
}

const us = (ns: number) => (ns / 1000).toFixed(1).padStart(9);
const lines = SNIPPET.split("\n").length - 1;
const runtime = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined"
  ? "Deno"
  : typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"
  ? "Bun"
  : `Node ${process.version}`;

console.log(`validateCode bench: ${lines}-line snippet, ${SNIPPET.length} characters, ${runtime}`);
const broken = validateCode(BROKEN);
console.log(`broken variant: ${broken.error?.message.split("\n")[0]}`);

const rows: [string, { p50: number; p95: number }][] = [];
rows.push(["validateCode (valid)", timeLocal(SNIPPET, 3000, 20000)]);
rows.push(["validateCode (syntax error)", timeLocal(BROKEN, 3000, 20000)]);

const skip = rUnavailableReason();
let floor: number | null = null;
let trip: number | null = null;
if (skip) {
  console.log(`R not measured: ${skip}`);
} else {
  const r = new ROracle();
  try {
    const inR = await timeInR(r, SNIPPET, 300, 3000);
    floor = inR.p50;
    rows.push(["R parse(), timed inside R", inR]);
    const rt = await timeRoundTrip(r, SNIPPET, 200, 2000);
    trip = rt.p50;
    rows.push(["R parse(), round trip from TS", rt]);
  } finally {
    await r.close();
  }
}

console.log("");
console.log(
  `| ${"measure".padEnd(30)} | p50 (µs) | p95 (µs) | R in-R p50 / p50 | R round trip p50 / p50 |`,
);
console.log(
  `|${"-".repeat(32)}|----------|----------|------------------|------------------------|`,
);
for (const [name, q] of rows) {
  const a = floor === null ? "n/a" : `${(floor / q.p50).toFixed(1)}x`;
  const b = trip === null ? "n/a" : `${(trip / q.p50).toFixed(1)}x`;
  console.log(
    `| ${name.padEnd(30)} |${us(q.p50)} |${us(q.p95)} | ${a.padStart(16)} | ${b.padStart(22)} |`,
  );
}
console.log("");
console.log(
  "Fair floor: R's parse() timed inside R. The round trip adds JSON, pipes and R's reader loop.",
);
