/**
 * Differential test: `validateCode()` against the installed R's `parse()`
 * over a generated corpus, all snippets through one R process.
 *
 * - fixed seed (`FIXED_SEED`): 6000 snippets, edge cases first;
 * - random seed: 1500 snippets; the seed is printed, and `VALIDATE_SEED`
 *   sets it to reproduce a failure.
 *
 * Valid/invalid must agree on every snippet (a disagreement fails the test
 * and prints the snippet); line:column must agree on at least 99% of the
 * invalid snippets; the syntax tree of every snippet R accepts must equal
 * R's (operator precedence and associativity, pipe rewriting). Message
 * agreement is printed.
 *
 * @module
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { type Agreement, compare, pct, showDifference } from "./compare.ts";
import { ourTrees, theirs } from "./compare_tree.ts";
import { FIXED_SEED, generateCorpus } from "./corpus.ts";
import { ROracle, rUnavailableReason } from "./r_oracle.ts";

const FIXED_COUNT = 6000;
const RANDOM_COUNT = 1500;
const skip = rUnavailableReason();
const envSeed = process.env.VALIDATE_SEED;
const randomSeed = envSeed ? Number(envSeed) : Math.floor(Math.random() * 2 ** 31);

function report(label: string, a: Agreement): void {
  const lines = [
    `[differential] ${label}: ${a.total} snippets, R valid ${a.valid}, invalid ${a.invalid}`,
    `  valid/invalid agreement: ${pct(a.total - a.validity.length, a.total)}`,
    `  line:col agreement (R reports line:col): ${a.locatedSame}/${a.located} = ${
      pct(a.locatedSame, a.located)
    }`,
    `  line agreement (R reports only a line): ${a.linedSame}/${a.lined} = ${
      pct(a.linedSame, a.lined)
    }`,
    `  identical messages: ${a.messageSame}/${a.invalid} = ${pct(a.messageSame, a.invalid)}`,
  ];
  for (const d of a.location.slice(0, 5)) lines.push("  location differs:\n" + showDifference(d));
  for (const d of a.message.slice(0, 5)) lines.push("  message differs:\n" + showDifference(d));
  console.log(lines.join("\n"));
}

/** Compares syntax trees on every snippet R accepts and reports the count. */
async function checkTrees(r: ROracle, codes: readonly string[]): Promise<void> {
  const trees = await r.trees(codes);
  const diffs: string[] = [];
  let compared = 0;
  codes.forEach((code, i) => {
    const t = trees[i];
    if (t === null) return; // R rejects it (or its tree is too deep to walk in R)
    compared++;
    const want = JSON.stringify(t.map(theirs));
    const got = JSON.stringify(ourTrees(code));
    if (want !== got) {
      diffs.push(`  code: ${JSON.stringify(code)}\n  ours: ${got}\n  R:    ${want}`);
    }
  });
  console.log(`  syntax trees equal to R's: ${compared - diffs.length}/${compared}`);
  assert.deepEqual(diffs.slice(0, 10), [], "syntax trees differ from R's");
}

function check(a: Agreement): void {
  if (a.validity.length > 0) {
    assert.fail(
      `valid/invalid differs from R on ${a.validity.length} snippet(s):\n` +
        a.validity.slice(0, 20).map(showDifference).join("\n"),
    );
  }
  const located = a.located + a.lined;
  const same = a.locatedSame + a.linedSame;
  assert.ok(
    located === 0 || same / located >= 0.99,
    `line:column agrees on only ${pct(same, located)} of invalid snippets`,
  );
}

describe("validateCode agrees with R's parse()", { skip: skip ?? false }, () => {
  let r: ROracle;
  before(() => {
    r = new ROracle();
  });
  after(async () => {
    await r?.close();
  });

  it(
    `agrees on the fixed-seed corpus (seed ${FIXED_SEED}, ${FIXED_COUNT} snippets)`,
    { timeout: 120_000 },
    async () => {
      const codes = generateCorpus(FIXED_SEED, FIXED_COUNT);
      const a = compare(codes, await r.parseAll(codes));
      report(`seed ${FIXED_SEED}`, a);
      check(a);
      await checkTrees(r, codes);
    },
  );

  it(
    `agrees on a random-seed corpus (seed ${randomSeed}, ${RANDOM_COUNT} snippets; VALIDATE_SEED=${randomSeed} reproduces)`,
    { timeout: 120_000 },
    async () => {
      const codes = generateCorpus(randomSeed, RANDOM_COUNT);
      const a = compare(codes, await r.parseAll(codes));
      report(`seed ${randomSeed}`, a);
      check(a);
      await checkTrees(r, codes);
    },
  );
});
