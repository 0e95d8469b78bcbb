/**
 * R's `print(df, max = m)` recomputed on the host, for the data frames it can reproduce
 * exactly: the reference formatted data frames with `print(max = 50)`, which prints only the
 * first 50 / (columns) rows, with column widths of those rows alone. A result carries the
 * full print (`text`, at most 2000 cells), so the head is rebuilt from the row values and
 * the rebuild is trusted only when the same renderer reproduces `text` exactly.
 *
 * Covered: default row names (1, 2, …), columns of integers, decimals in fixed notation,
 * logicals, printable ASCII strings and factors, `NA`, and frames no wider than 80
 * characters (R wraps wider ones). Anything else gives `null`.
 *
 * @module
 */

type Cell = string | number | boolean | null;

/** The text of `print(rows, max = max)`, or `null` when it cannot be reproduced exactly. */
export function printDataFrameHead(
  rows: readonly unknown[],
  text: string,
  max: number,
): string | null {
  const columns = toColumns(rows);
  if (columns === null) return null;
  const shown = (m: number) => {
    const k = columns.length;
    const n0 = Math.floor(m / k);
    if (n0 < 1) return null;
    if (n0 >= rows.length) return render(columns, rows.length);
    const head = render(columns, n0);
    if (head === null) return null;
    return `${head}\n [ reached 'max' / getOption("max.print") -- omitted ${
      rows.length - n0
    } rows ]`;
  };
  if (shown(2000) !== text) return null;
  return shown(max);
}

interface Column {
  readonly name: string;
  readonly kind: "number" | "string" | "boolean";
  readonly values: readonly Cell[];
}

function toColumns(rows: readonly unknown[]): Column[] | null {
  const first = rows[0];
  if (typeof first !== "object" || first === null) return null;
  const names = Object.keys(first);
  // JavaScript orders integer-like keys first, so R's column order would be lost.
  if (names.length === 0 || names.some((n) => /^\d+$/.test(n) || !printable(n))) return null;
  const columns: Column[] = [];
  for (const name of names) {
    const values: Cell[] = [];
    let kind: Column["kind"] | null = null;
    for (const row of rows) {
      if (typeof row !== "object" || row === null) return null;
      const keys = Object.keys(row);
      if (keys.length !== names.length) return null;
      const cell = (row as Record<string, unknown>)[name];
      if (cell === null) {
        values.push(null);
        continue;
      }
      const t = typeof cell;
      if (t !== "number" && t !== "string" && t !== "boolean") return null;
      if (kind !== null && kind !== t) return null;
      if (t === "string" && !printable(cell as string)) return null;
      if (t === "number" && !Number.isFinite(cell)) return null;
      kind = t as Column["kind"];
      values.push(cell as Cell);
    }
    columns.push({ name, kind: kind ?? "boolean", values });
  }
  return columns;
}

function printable(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

/** The first `n` rows printed as R prints a data frame, or `null` past 80 characters. */
function render(columns: readonly Column[], n: number): string | null {
  const rowNames = Array.from({ length: n }, (_, i) => String(i + 1));
  const rnWidth = String(n).length;
  const cells = columns.map((c) => formatColumn(c, n));
  const widths = columns.map((c, j) => Math.max(c.name.length, ...cells[j].map((s) => s.length)));
  const lines = [
    " ".repeat(rnWidth) + columns.map((c, j) => " " + c.name.padStart(widths[j])).join(""),
  ];
  for (let i = 0; i < n; i++) {
    lines.push(
      rowNames[i].padEnd(rnWidth) +
        cells.map((col, j) => " " + col[i].padStart(widths[j])).join(""),
    );
  }
  if (lines[0].length > 80) return null;
  return lines.join("\n");
}

function formatColumn(column: Column, n: number): string[] {
  const values = column.values.slice(0, n);
  if (column.kind === "string") return values.map((v) => v === null ? "<NA>" : String(v));
  if (column.kind === "boolean") {
    return values.map((v) => v === null ? "NA" : v ? "TRUE" : "FALSE");
  }
  const numbers = values.filter((v): v is number => v !== null);
  const decimals = Math.max(0, ...numbers.map(decimalsNeeded));
  return values.map((v) => v === null ? "NA" : (v as number).toFixed(decimals));
}

/** Decimals `x` needs in fixed notation at R's default 7 significant digits. */
function decimalsNeeded(x: number): number {
  if (Number.isInteger(x)) return 0;
  const fixed = Number(x.toPrecision(7)).toString();
  if (fixed.includes("e")) return 15;
  const dot = fixed.indexOf(".");
  return dot === -1 ? 0 : fixed.length - dot - 1;
}
