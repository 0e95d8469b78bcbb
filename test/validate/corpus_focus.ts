/**
 * Focused snippet families for the differential test, each aimed at one
 * subtle part of R's lexer or grammar: number and escape spelling, `if` /
 * `else` across newlines in every bracket context, formals, pipes and
 * placeholders, `=` and `?` in every position, operator precedence soups,
 * newlines after every token, `#line` directives.
 *
 * @module
 */
import type { Rng } from "./corpus_grammar.ts";

const NUM_CHARS = "0123456789.eExXpPL+-abfi";
const ESCAPES = [
  "\\n",
  "\\t",
  "\\\\",
  "\\'",
  '\\"',
  "\\`",
  "\\ ",
  "\\\n",
  "\\a",
  "\\q",
  "\\8",
  "\\0",
  "\\1",
  "\\12",
  "\\123",
  "\\400",
  "\\777",
  "\\x",
  "\\x4",
  "\\x41",
  "\\xg",
  "\\x00",
  "\\u",
  "\\u4",
  "\\u41",
  "\\u00e9",
  "\\u{",
  "\\u{41}",
  "\\u{41",
  "\\u{}",
  "\\u{12345}",
  "\\u{0}",
  "\\ud800",
  "\\U",
  "\\U1F600",
  "\\U{1F600}",
  "\\U{110000}",
  "\\U{0}",
  "\\U{123456789}",
  "\\UFFFFFFFF",
  "\\z",
  "\\é",
  "\u202e",
  "\u2066",
  "é",
  "日",
  "😀",
  "\n",
  "\t",
];
const CONTEXTS: readonly [string, string][] = [
  ["", ""],
  ["{", "}"],
  ["{ ", "\n}"],
  ["(", ")"],
  ["f(", ")"],
  ["x[", "]"],
  ["x[[", "]]"],
  ["function() ", ""],
  ["{ y <- ", " }"],
  ["g(a, ", ", b)"],
];
const BREAKS = ["\n", " ", "\n\n", " # c\n", ";", ",", "\n;\n"];
const OPERANDS = ["a", "1", "'s'", "NULL", "f(x)", "(b)", "x[1]", "-c", "!d", "{e}"];
const OPS = [
  "+",
  "-",
  "*",
  "/",
  "^",
  "**",
  "<",
  "==",
  "!=",
  ">=",
  "&",
  "&&",
  "|",
  "||",
  "~",
  "?",
  "=",
  "<-",
  "<<-",
  "->",
  "->>",
  ":=",
  "|>",
  ":",
  "%in%",
  "$",
  "@",
  "::",
  "!",
  "=>",
];
const PIPE_RHS = [
  "f()",
  "f(y = _)",
  "f(_)",
  "f(y = _, z = _)",
  "f(g(y = _))",
  "f",
  "_$a",
  "_()",
  "(_)()",
  "`+`(1)",
  "`=>`(v, v)",
  "`=>`(1, v)",
  "function(x) x",
  "\\(x) _",
  "f()()",
  "f()$g",
  "f::g()",
  "f(y = _)$z",
  "'f'()",
  '"if"()',
  "f(...)",
  "(function(x) x)()",
  "x[1]",
  "-1",
  "1",
  "f(x = _) + 1",
];
const FORMALS = [
  "x",
  "y",
  "x = 1",
  "x = a ? b",
  "x = y = 1",
  "...",
  "..1",
  "`a b`",
  "_",
  "'s'",
  "x =",
  "x = _",
  "",
  "y = function(x) x",
  "z = if (a) b else c",
];

/** A number-like run of characters (NumericValue's corner cases). */
export function numberSpelling(r: Rng): string {
  let s = r.pick(["0", "1", ".", "0x", "1e", "9"]);
  const n = r.int(6);
  for (let i = 0; i < n; i++) s += NUM_CHARS[r.int(NUM_CHARS.length)];
  return r.pick(["", "x <- ", "f("]) + s + r.pick(["", " ", "\n", ")", "+1", "y"]);
}

/** A string with random escapes (StringValue's corner cases). */
export function escapeSpelling(r: Rng): string {
  const q = r.pick(['"', "'", "`"]);
  let body = "";
  for (let i = 0, n = 1 + r.int(4); i < n; i++) body += r.pick([...ESCAPES, "a", "b"]);
  return r.pick(["", "x <- ", "f("]) + q + body + (r.chance(0.9) ? q : "") +
    r.pick(["", ")", " 1", "\n"]);
}

/** `if`/`else` with newlines, comments and separators in a bracket context. */
export function ifElse(r: Rng): string {
  const [open, close] = r.pick(CONTEXTS);
  let s = `if (a)${r.pick([" ", "\n", " # c\n"])}${
    r.pick(["b", "{b}", "(b)", "if (c) d", "b = 1"])
  }`;
  if (r.chance(0.7)) {
    s += r.pick(BREAKS.concat(["", " "])) + "else" + r.pick([" ", "\n"]) +
      r.pick(["e", "{e}", "if (f) g"]);
  }
  if (r.chance(0.4)) s += r.pick(BREAKS) + r.pick(["else h", "z", "else", ")", "}"]);
  return open + s + close;
}

/** A function definition with random formals. */
export function formals(r: Rng): string {
  const fs: string[] = [];
  for (let i = 0, n = r.int(4); i < n; i++) fs.push(r.pick(FORMALS));
  const head = r.pick(["function", "\\", "function ", "function\n"]);
  return `${r.pick(["", "f <- ", "g("])}${head}(${fs.join(r.pick([", ", ",", ",\n"]))})${
    r.pick([" ", "\n"])
  }${r.pick(["x", "{x}", "x = 1", "NULL", "_"])}${r.pick(["", ")", " 1"])}`;
}

/** A pipe with one of the right-hand sides R treats specially. */
export function pipes(r: Rng): string {
  let s = r.pick(["x", "_", "1:3", "f(a)", "(x)"]);
  for (let i = 0, n = 1 + r.int(2); i < n; i++) {
    s += r.pick([" |> ", " |>\n", "|>"]) + r.pick(PIPE_RHS);
  }
  const [open, close] = r.pick(CONTEXTS);
  return open + s + close + r.pick(["", "\n1", " 1", "\n_"]);
}

/** Operands and operators in random order (precedence and associativity). */
export function operatorSoup(r: Rng): string {
  let s = r.chance(0.3) ? r.pick(["-", "!", "~", "?", "+"]) : "";
  s += r.pick(OPERANDS);
  for (let i = 0, n = 1 + r.int(4); i < n; i++) {
    s += r.pick([" ", ""]) + r.pick(OPS) + r.pick([" ", "", "\n"]);
    if (r.chance(0.25)) s += r.pick(["-", "!", "~", "?"]);
    s += r.pick(OPERANDS);
  }
  const [open, close] = r.pick(CONTEXTS);
  return open + s + close;
}

/** `program` with a newline after some tokens (R's EatLines rules). */
export function newlineAfterTokens(program: string, r: Rng): string {
  return program.replace(
    /([^\s\w'"`.]+|\b\w+\b)(?=[ \t]*[^\n])/gu,
    (m) => (r.chance(0.35) ? m + "\n" : m),
  );
}

/** A `#line` directive somewhere in `program`. */
export function lineDirective(program: string, r: Rng): string {
  const lines = program.split("\n");
  const d = r.pick([
    "#line 10",
    '#line 3 "f.R"',
    "#line 0",
    "  #line 5",
    "#line",
    "#linex 4",
    '#line 7 "é"',
  ]);
  lines.splice(r.int(lines.length + 1), 0, d);
  return lines.join("\n") + r.pick(["", "\n a b", " +", "\n)"]);
}
