/**
 * Compares `validateCode()` with R's `parse()` over a corpus and tallies
 * the agreement figures the differential test checks and prints.
 *
 * @module
 */
import { validateCode } from "../../src/validate/validate_code.ts";
import type { RParseOutcome } from "./r_oracle.ts";

/** One snippet on which the two parsers differ. */
export interface Difference {
  /** The snippet. */
  readonly code: string;
  /** What `validateCode` said. */
  readonly ours: string;
  /** What R said. */
  readonly r: string;
}

/** Agreement figures for one corpus. */
export interface Agreement {
  /** Snippets compared. */
  total: number;
  /** Snippets R accepts. */
  valid: number;
  /** Snippets R rejects. */
  invalid: number;
  /** Snippets where valid/invalid differs (must be empty). */
  readonly validity: Difference[];
  /** Invalid snippets whose R message has a line and column. */
  located: number;
  /** ...of which ours has the same line and column. */
  locatedSame: number;
  /** Invalid snippets whose R message has only a line (`(line 3)`). */
  lined: number;
  /** ...of which ours has the same line. */
  linedSame: number;
  /** Invalid snippets with identical messages. */
  messageSame: number;
  /** Location differences. */
  readonly location: Difference[];
  /** Message differences (same location). */
  readonly message: Difference[];
}

/** Line and column in R's message, if it has them. */
export function rLocation(msg: string): { line: number; col?: number } | null {
  const first = msg.split("\n", 1)[0];
  const full = /^[^\n]*?:(\d+):(\d+): /.exec(first);
  if (full) return { line: Number(full[1]), col: Number(full[2]) };
  const line = /(?:\(line |on line |at line |string at line )(\d+)/.exec(msg);
  return line ? { line: Number(line[1]) } : null;
}

/** Runs `validateCode` on each snippet and compares with R's outcomes. */
export function compare(codes: readonly string[], rs: readonly RParseOutcome[]): Agreement {
  const a: Agreement = {
    total: 0,
    valid: 0,
    invalid: 0,
    validity: [],
    located: 0,
    locatedSame: 0,
    lined: 0,
    linedSame: 0,
    messageSame: 0,
    location: [],
    message: [],
  };
  codes.forEach((code, i) => {
    const r = rs[i];
    const ours = validateCode(code);
    a.total++;
    const oursText = ours.valid
      ? "valid"
      : `${ours.error!.line}:${ours.error!.column} ${ours.error!.message}`;
    if (ours.valid !== r.ok) {
      a.validity.push({ code, ours: oursText, r: r.ok ? "valid" : r.msg });
      return;
    }
    if (r.ok) {
      a.valid++;
      return;
    }
    a.invalid++;
    const err = ours.error!;
    const loc = rLocation(r.msg);
    let sameLoc = true;
    if (loc?.col !== undefined) {
      a.located++;
      sameLoc = loc.line === err.line && loc.col === err.column;
      if (sameLoc) a.locatedSame++;
    } else if (loc) {
      a.lined++;
      sameLoc = loc.line === err.line;
      if (sameLoc) a.linedSame++;
    }
    if (!sameLoc) a.location.push({ code, ours: oursText, r: r.msg });
    if (err.message === r.msg) a.messageSame++;
    else if (sameLoc) a.message.push({ code, ours: oursText, r: r.msg });
  });
  return a;
}

/** Percentage with two decimals. */
export function pct(part: number, whole: number): string {
  return whole === 0 ? "n/a" : `${(100 * part / whole).toFixed(2)}%`;
}

/** A short printable form of a difference. */
export function showDifference(d: Difference): string {
  const clip = (s: string) => (s.length > 400 ? s.slice(0, 400) + "…" : s);
  return `  code: ${JSON.stringify(clip(d.code))}\n  ours: ${
    JSON.stringify(clip(d.ours))
  }\n  R:    ${JSON.stringify(clip(d.r))}`;
}
