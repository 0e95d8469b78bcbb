/**
 * The differential test's corpus: hand-picked edge cases, grammar-driven
 * programs (`corpus_grammar.ts`) and mutations of them — deleted, inserted,
 * duplicated and swapped tokens, unbalanced brackets, stray `else`, bad
 * escapes, odd newlines and odd characters, truncations.
 *
 * `generateCorpus(seed, n)` is deterministic for a seed. CI runs
 * {@link FIXED_SEED} and a random seed (set `VALIDATE_SEED` to reproduce).
 *
 * @module
 */
import { EDGE_CASES } from "./corpus_edge_cases.ts";
import {
  escapeSpelling,
  formals,
  ifElse,
  lineDirective,
  newlineAfterTokens,
  numberSpelling,
  operatorSoup,
  pipes,
} from "./corpus_focus.ts";
import { RGen, Rng } from "./corpus_grammar.ts";

/** Seed of the corpus CI always runs. */
export const FIXED_SEED = 20250214;

const TOKEN_RE = new RegExp(
  [
    String.raw`\s+`,
    String.raw`#[^\n]*`,
    String.raw`[rR]"(-*)\((?:.|\n)*?\)\1"`,
    String.raw`"(?:\\.|[^"\\])*"`,
    String.raw`'(?:\\.|[^'\\])*'`,
    "`(?:\\\\.|[^`\\\\])*`",
    String.raw`%[^%\n]*%`,
    String.raw`0[xX][0-9a-fA-F.]*(?:[pP][+-]?\d+)?[Li]?`,
    String.raw`\.?\d[\d.]*(?:[eE][+-]?\d+)?[Li]?`,
    String.raw`[\p{L}.][\p{L}\p{N}._]*`,
    String.raw`<<-|->>|\|>|:::|::|<-|->|<=|>=|==|!=|&&|\|\||\*\*|\[\[|:=|=>`,
    String.raw`[\s\S]`,
  ].join("|"),
  "gu",
);

/** Splits R text into rough tokens (for mutation only). */
function tokens(src: string): string[] {
  return src.match(TOKEN_RE) ?? [];
}

const INSERTS = [
  "(",
  ")",
  "{",
  "}",
  "[",
  "]",
  "[[",
  "]]",
  ",",
  ";",
  "\n",
  "else",
  "if",
  "function",
  "for",
  "in",
  "while",
  "repeat",
  "=",
  "<-",
  "->",
  "+",
  "-",
  "*",
  "^",
  "!",
  "~",
  "?",
  "$",
  "@",
  "::",
  "|>",
  "=>",
  "%%",
  "%in%",
  "_",
  "x",
  "1",
  "'s'",
  "NULL",
  "...",
  "\\",
  "`",
  "'",
  '"',
  "%",
  "break",
  "next",
  "TRUE",
  "1L",
  "0x",
  "1e",
  "é",
  "\u00a0",
  "\r",
  "\u202e",
  "€",
  "&&",
  "==",
  "<",
  ">=",
  ":",
  "**",
  "#",
  "\t",
  "\u3000",
  "@x",
  "$`a`",
  "(1)",
  "{}",
  "f()",
  "[1]",
];

const BAD_STRINGS = [
  `"\\q"`,
  `"\\x"`,
  `"\\xg"`,
  `"\\u{110000}"`,
  `"\\0"`,
  `"\\400"`,
  `"\\u{12"`,
  `'\\U{FFFFFFFF}'`,
  `"\\u00e9\\x41"`,
  `"\\ug"`,
  `'\\UFFFFFFFF'`,
  `"\\u{}"`,
  `"\\12\\q"`,
  `"\\1\\q"`,
  "`\\u0041`",
  "``",
  `r"abc"`,
  `r"(unclosed`,
  `"\u202e"`,
  `"a\\é"`,
  `'\\U{0}'`,
  `"\\x0"`,
  `"\\8"`,
];

/** Applies one random mutation. */
export function mutate(src: string, r: Rng): string {
  const toks = tokens(src);
  const n = toks.length;
  const at = n === 0 ? 0 : r.int(n);
  const x = r.next();
  const splice = (i: number, del: number, ...add: string[]) => {
    const t = toks.slice();
    t.splice(i, del, ...add);
    return t.join("");
  };
  if (x < 0.16) return splice(at, 1); // delete a token
  if (x < 0.32) return splice(at, 0, r.pick(INSERTS)); // insert a token
  if (x < 0.4 && n > 1) { // swap neighbours
    const i = r.int(n - 1);
    return splice(i, 2, toks[i + 1], toks[i]);
  }
  if (x < 0.46) return splice(at, 0, toks[at] ?? ""); // duplicate
  if (x < 0.52) return splice(at, 1, r.pick(INSERTS)); // replace
  if (x < 0.6) { // unbalance brackets
    const idx = toks.map((t, i) => (/^[()[\]{}]$|^\[\[$/.test(t) ? i : -1)).filter((i) => i >= 0);
    if (idx.length > 0) return splice(r.pick(idx), 1);
    return src + r.pick([")", "}", "]", "(", "{", "["]);
  }
  if (x < 0.66) { // stray else at a line start
    const lines = src.split("\n");
    const i = r.int(lines.length + 1);
    lines.splice(i, 0, r.pick(["else 1", "else", "  else {2}", "} else {"]));
    return lines.join("\n");
  }
  if (x < 0.74) return splice(at, 0, r.pick(BAD_STRINGS)); // bad strings and escapes
  if (x < 0.84) { // odd newlines
    const t = toks.slice();
    for (let k = 0; k < 1 + r.int(3); k++) {
      t.splice(r.int(t.length + 1), 0, r.pick(["\n", "\n\n", " \n "]));
    }
    return t.join("");
  }
  if (x < 0.9) return [...src].slice(0, r.int([...src].length + 1)).join(""); // truncate
  if (x < 0.95) { // break a number
    const idx = toks.map((t, i) => (/^\.?\d/.test(t) ? i : -1)).filter((i) => i >= 0);
    const bad = r.pick([
      "0x",
      "1e",
      "0x1.8",
      "1.2.3",
      "0xp1",
      "1e+",
      ".5e",
      "0x1G",
      "12L5",
      "1..2",
      "00x1",
    ]);
    return idx.length > 0 ? splice(r.pick(idx), 1, bad) : src + " " + bad;
  }
  return splice(at, 0, r.pick(["\r", "\u00a0", "\u2003", "\v", "\u0001", "\u200b", "😀", "§"]));
}

const SOUP = [
  ...INSERTS.filter((t) => !/^[\r\u00a0\u202e\u3000€é]$/.test(t)),
  "a",
  "b",
  "f",
  "(",
  ")",
  "{",
  "}",
  "\n",
  "\n",
  "else",
  "if (a)",
  "function(x)",
  "1",
  "'s'",
];
const SEPARATORS = ["", " ", " ", " ", "\n", "  ", "\t", " \n ", "\n\n"];
const OPENERS = [
  "",
  "",
  "{",
  "(",
  "f(",
  "x[",
  "x[[",
  "function(x) ",
  "if (a) ",
  "{ if (a) b\n",
  "{\n",
];

/** A short random sequence of tokens, often inside brackets. */
function soup(r: Rng): string {
  let s = r.pick(OPENERS);
  const n = 1 + r.int(10);
  for (let i = 0; i < n; i++) s += r.pick(SOUP) + r.pick(SEPARATORS);
  if (r.chance(0.5)) s += r.pick(["}", ")", "]", "]]", "\n}", ")\n"]);
  return s;
}

/** A program on long lines: R's error context keeps only 256 bytes and 192 per line. */
function longLines(gen: RGen, r: Rng): string {
  const items: string[] = [];
  const len = 100 + r.int(500);
  let line = r.pick(["x <- c(", "y <- paste0(", "z <- list(", "f("]);
  while (line.length < len) {
    line += r.pick(["1, ", "'é日本', ", "a + b, ", "\t, ", '"long string", ']);
  }
  items.push(line + r.pick(["0)", "0", "0))", "0) 1", "é)"]));
  for (let i = 0; i < 1 + r.int(3); i++) items.push(gen.program().replace(/\n/g, "; "));
  return items.join(r.pick(["\n", "; ", "\n\t"]));
}

/** One snippet from a focused family. */
function focused(gen: RGen, r: Rng): string {
  switch (r.int(8)) {
    case 0:
      return numberSpelling(r);
    case 1:
      return escapeSpelling(r);
    case 2:
      return ifElse(r);
    case 3:
      return formals(r);
    case 4:
      return pipes(r);
    case 5:
      return operatorSoup(r);
    case 6:
      return newlineAfterTokens(gen.program(), r);
    default:
      return lineDirective(gen.program(), r);
  }
}

/** `n` snippets for `seed`: edge cases first, then programs and their mutations. */
export function generateCorpus(seed: number, n: number): string[] {
  const r = new Rng(seed);
  const gen = new RGen(r);
  const out: string[] = seed === FIXED_SEED ? EDGE_CASES.slice(0, n) : [];
  while (out.length < n) {
    const x = r.next();
    if (x < 0.3) out.push(focused(gen, r));
    else if (x < 0.4) out.push(soup(r));
    else if (x < 0.47) {
      const p = longLines(gen, r);
      out.push(r.chance(0.5) ? p : mutate(p, r));
    } else {
      const p = gen.program();
      const y = r.next();
      if (y < 0.4) out.push(p);
      else if (y < 0.85) out.push(mutate(p, r));
      else out.push(mutate(mutate(p, r), r));
    }
  }
  return out;
}
