/**
 * Grammar-driven generator of R programs for the differential test: every
 * construct of R 4.2's grammar, with random spacing, comments and newlines
 * in the places where R allows (and sometimes forbids) them. Most output is
 * valid; the R oracle decides.
 *
 * @module
 */

/** A small seeded PRNG (mulberry32) with helpers. */
export class Rng {
  private s: number;
  /** Starts the sequence for `seed`. */
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A random element. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

const NUMBERS = [
  "1",
  "42",
  "3.14",
  ".5",
  "5.",
  "1e5",
  "1e-3",
  "2E+10",
  "0x1F",
  "0XaB",
  "0x10L",
  "0xAp2",
  "0x1.8p3",
  "0x.8p-1",
  "1L",
  "100L",
  "1e5L",
  "1.5L",
  "1e-3L",
  "2i",
  "1.5e-2i",
  "0x1i",
  "TRUE",
  "FALSE",
  "NA",
  "NA_integer_",
  "NA_real_",
  "NA_character_",
  "NA_complex_",
  "Inf",
  "NaN",
  "NULL",
  "1.L",
  "0",
  "007",
  "1e+00",
  "123456789012L",
  "T",
  "F",
];
const SYMBOLS = [
  "x",
  "y",
  "df",
  ".x",
  "..1",
  "...",
  "a.b_c",
  "x1",
  "é",
  "日本",
  "naïve",
  "`x y`",
  "`if`",
  "`a\\`b`",
  "data",
  "f",
  "g",
  "mean",
  "print",
  "sum",
  "`_`",
  "._",
  "Δt",
  "x_",
  "ℕ",
  "ǅ",
  "ᾼ",
  "٣x",
];
const STRINGS = [
  `"a"`,
  `'b'`,
  `""`,
  `''`,
  `"a\\nb"`,
  `"tab\\t"`,
  `"q\\"uote"`,
  `'it\\'s'`,
  `"\\\\"`,
  `"\\x41"`,
  `"\\101"`,
  `"\\7"`,
  `"\\u00e9"`,
  `"\\u{1F600}"`,
  `"\\U0001F600"`,
  `"\\U{1F600}"`,
  `"é日本"`,
  `r"(raw \\ string)"`,
  `R"[a]b]"`,
  `r"---(x)--)---"`,
  `r'{brace}'`,
  `r"|bar|"`,
  `"multi\nline"`,
  `'a\\ b'`,
  `"\\a\\b\\f\\r\\v"`,
  `"\\\`"`,
  `"😀"`,
  `'\\ud800'`,
  `"%"`,
  `"#not a comment"`,
];
const BINARY = [
  "+",
  "-",
  "*",
  "/",
  "^",
  "**",
  "%%",
  "%/%",
  "%in%",
  "%o%",
  "%>%",
  "%||%",
  "<",
  ">",
  "<=",
  ">=",
  "==",
  "!=",
  "&",
  "&&",
  "|",
  "||",
  ":",
  "~",
  "<-",
  "<<-",
  "->",
  "->>",
  "|>",
  ":=",
  "?",
  "=",
];
const UNARY = ["-", "+", "!", "~", "?"];
const FUNCS = [
  "f",
  "g",
  "sum",
  "c",
  "list",
  "lapply",
  "paste0",
  "mean",
  "`+`",
  '"f"',
  "base::paste",
];

/** Generates random R source text. */
export class RGen {
  private readonly r: Rng;
  /** Uses `rng` for every choice. */
  constructor(rng: Rng) {
    this.r = rng;
  }

  /** Optional space (sometimes a tab, a unicode blank or several spaces). */
  sp(): string {
    const r = this.r;
    const x = r.next();
    if (x < 0.55) return " ";
    if (x < 0.8) return "";
    if (x < 0.9) return "  ";
    if (x < 0.95) return "\t";
    return r.pick(["\u3000", " \t ", "\f", "   "]);
  }

  /** A newline, sometimes after a comment or with blank lines. */
  nl(): string {
    const r = this.r;
    const x = r.next();
    if (x < 0.7) return "\n";
    if (x < 0.85) return ` # ${r.pick(["note", "x <- 1 'q", "é", "if (", "}"])}\n`;
    return "\n\n";
  }

  /** Whitespace where newlines are allowed (inside parentheses, after operators). */
  gap(): string {
    return this.r.chance(0.12) ? this.nl() + this.sp() : this.sp();
  }

  atom(): string {
    const r = this.r;
    const x = r.next();
    if (x < 0.35) return r.pick(SYMBOLS.slice(0, 8));
    if (x < 0.5) return r.pick(SYMBOLS);
    if (x < 0.75) return r.pick(NUMBERS);
    if (x < 0.95) return r.pick(STRINGS);
    return "_";
  }

  /** An expression of nesting budget `d`. */
  expr(d: number): string {
    const r = this.r;
    if (d <= 0 || r.chance(0.25)) return this.atom();
    const x = r.next();
    if (x < 0.25) {
      return this.expr(d - 1) + this.sp() + r.pick(BINARY) + this.gap() + this.expr(d - 1);
    }
    if (x < 0.33) return r.pick(UNARY) + this.sp() + this.expr(d - 1);
    if (x < 0.45) return this.call(d);
    if (x < 0.5) return `${this.expr(d - 1)}[${this.args(d)}]`;
    if (x < 0.53) return `${this.expr(d - 1)}[[${this.args(d)}]]`;
    if (x < 0.57) {
      return this.expr(d - 1) + r.pick(["$", "@", "$ ", "@\n"]) +
        r.pick(["a", "`b c`", '"s"', "name", "1", "NULL"]);
    }
    if (x < 0.6) {
      return r.pick(["base", "stats", '"pkg"', "a"]) + r.pick(["::", ":::"]) +
        r.pick(["f", "x", '"g"', "`h`"]);
    }
    if (x < 0.66) return `(${this.gap()}${this.stmt(d - 1)}${this.gap()})`;
    if (x < 0.71) return this.braces(d);
    if (x < 0.77) return this.fun(d);
    if (x < 0.84) return this.ifExpr(d);
    if (x < 0.88) {
      return `for${this.sp()}(${this.gap()}${r.pick(["i", "`j`", "x"])} in ${
        this.expr(d - 1)
      })${this.bodyGap()}${this.stmt(d - 1)}`;
    }
    if (x < 0.91) {
      return `while${this.sp()}(${this.expr(d - 1)})${this.bodyGap()}${this.stmt(d - 1)}`;
    }
    if (x < 0.93) return `repeat${this.bodyGap()}${this.braces(d)}`;
    if (x < 0.95) return r.pick(["break", "next"]);
    return this.pipe(d);
  }

  private bodyGap(): string {
    return this.r.chance(0.15) ? this.nl() : this.sp();
  }

  call(d: number): string {
    const r = this.r;
    const fn = r.chance(0.8) ? r.pick(FUNCS) : this.expr(d - 1);
    return `${fn}(${this.args(d)})`;
  }

  args(d: number): string {
    const r = this.r;
    const n = r.pick([0, 1, 1, 2, 2, 3, 4]);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (x < 0.55) parts.push(this.expr(d - 1));
      else if (x < 0.85) {
        parts.push(
          r.pick(["a", "na.rm", "`x y`", '"s"', "NULL", "..."]) + this.sp() + "=" + this.sp() +
            (r.chance(0.9) ? this.expr(d - 1) : ""),
        );
      } else if (x < 0.9) parts.push("");
      else parts.push(this.stmt(d - 1));
    }
    return parts.map((p) => this.gap() + p).join(",");
  }

  fun(d: number): string {
    const r = this.r;
    const names = ["x", "y", "z", "...", "n", "x"];
    const n = r.int(4);
    const formals: string[] = [];
    for (let i = 0; i < n; i++) {
      const nm = r.pick(names);
      formals.push(r.chance(0.3) ? `${nm}${this.sp()}=${this.sp()}${this.expr(d - 1)}` : nm);
    }
    const head = r.chance(0.7) ? "function" : "\\";
    return `${head}(${formals.join(", ")})${this.bodyGap()}${
      r.chance(0.5) ? this.braces(d) : this.stmt(d - 1)
    }`;
  }

  ifExpr(d: number): string {
    const r = this.r;
    let s = `if${this.sp()}(${this.expr(d - 1)})${this.bodyGap()}${this.stmt(d - 1)}`;
    if (r.chance(0.5)) {
      s += (r.chance(0.25) ? this.nl() : this.sp()) + "else" + this.bodyGap() + this.stmt(d - 1);
    }
    return s;
  }

  pipe(d: number): string {
    const r = this.r;
    const rhs = r.pick([
      () => this.call(d),
      () => `f(y = _)`,
      () => `g(${this.expr(d - 1)}, data = _)`,
      () => `f(_)`,
      () => `h`,
      () => `(\\(x) x)()`,
      () => `f(a = _, b = _)`,
      () => `\`=>\`(v, v + 1)`,
      () => `f()$g(y = _)`,
      () => `x[1]`,
    ])();
    return `${this.expr(d - 1)}${this.sp()}|>${this.gap()}${rhs}`;
  }

  braces(d: number): string {
    const r = this.r;
    const n = r.int(4);
    let s = "{";
    for (let i = 0; i < n; i++) {
      s += (r.chance(0.8) ? this.nl() : r.pick([";", " ; ", ""])) + this.sp() + this.stmt(d - 1);
    }
    return s + (r.chance(0.7) ? this.nl() : this.sp()) + "}";
  }

  /** A statement: an expression or an `=` assignment. */
  stmt(d: number): string {
    const r = this.r;
    if (r.chance(0.15)) {
      return `${r.pick(["x", "y", "`z`", '"s"'])}${this.sp()}=${this.sp()}${this.expr(d)}`;
    }
    return this.expr(d);
  }

  /** A program of one to six statements. */
  program(): string {
    const r = this.r;
    const n = 1 + r.int(6);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.stmt(1 + r.int(4)));
    let s = "";
    for (const st of out) s += (s ? (r.chance(0.85) ? this.nl() : "; ") : "") + st;
    return s;
  }
}
