/**
 * Regenerates `src/validate/alpha_table.ts` from the installed R.
 *
 * R's lexer (gram.y) decides whether a non-ASCII character may start or
 * continue a name with the C library's `iswalpha()`/`iswalnum()` in the
 * session's UTF-8 locale (glibc's tables on Linux). No JavaScript Unicode
 * property matches those tables exactly (they trail the Unicode version and
 * add non-ASCII decimal digits), so the table is measured: R parses
 * `<char>b` and `a<char>` for every candidate code point and the ranges that
 * form a single name are recorded. Non-ASCII letters are always "alnum" too,
 * which the script checks.
 *
 * Run: `node_modules/.bin/deno run -A test/validate/gen_alpha_table.ts`
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";

const rCode = String.raw`
p <- function(s) tryCatch(parse(text = s, keep.source = FALSE), error = function(e) NULL)
isName <- function(s) { e <- p(s); !is.null(e) && length(e) == 1L && is.name(e[[1L]]) && as.character(e[[1L]]) == s }
cps <- c(0x80:0xD7FF, 0xE000:0xFFFD, 0x10000:0x3FFFD, 0xE0000:0xE01EF)
out <- integer(0); start <- -1L; prev <- -1L
for (cp in cps) {
  ch <- intToUtf8(cp)
  a <- isName(paste0(ch, "b"))
  if (a != isName(paste0("a", ch))) stop(sprintf("alpha and alnum differ at U+%X", cp))
  if (a) { if (prev == cp - 1L) prev <- cp else { if (start >= 0L) out <- c(out, start, prev); start <- cp; prev <- cp } }
}
if (start >= 0L) out <- c(out, start, prev)
cat(R.version.string, "\n", sep = "")
cat(out, sep = "\n")
`;

const run = spawnSync("Rscript", ["--vanilla", "-e", rCode], {
  encoding: "utf8",
  env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
  maxBuffer: 1 << 26,
});
if (run.status !== 0) {
  throw new Error(`Cannot build the alpha table: Rscript failed\n${run.stderr}`);
}
const [version, ...rest] = run.stdout.trim().split("\n");
const nums = rest.map(Number);
let prev = 0;
const parts: string[] = [];
for (let i = 0; i < nums.length; i += 2) {
  parts.push(`${(nums[i] - prev).toString(36)}.${(nums[i + 1] - nums[i]).toString(36)}`);
  prev = nums[i + 1];
}
const lines: string[] = [];
let line = "";
for (const p of parts) {
  if (line.length + p.length + 1 > 90) {
    lines.push(line);
    line = "";
  }
  line += (line ? " " : "") + p;
}
if (line) lines.push(line);

const file = `/**
 * Non-ASCII code points that R's lexer treats as letters in names
 * (\`iswalpha()\`, equal to \`iswalnum()\` outside ASCII), measured from
 * ${version.trim()} in a C.UTF-8 locale by \`test/validate/gen_alpha_table.ts\`.
 * Generated file: do not edit by hand.
 *
 * Encoding: space-separated \`gap.length\` pairs in base 36; each range starts
 * \`gap\` after the previous range's last code point and spans \`length + 1\`
 * code points.
 *
 * @module
 */

/** Encoded ranges (see the module doc). */
export const ALPHA_RANGES_ENCODED: string = [
${lines.map((l) => `  ${JSON.stringify(l)},`).join("\n")}
].join(" ");
`;
writeFileSync(new URL("../../src/validate/alpha_table.ts", import.meta.url), file);
console.log(`wrote ${nums.length / 2} ranges`);
