/**
 * `validateCode()`'s contract, including the reference implementation's
 * validate tests (securer-reference.md §4 "validate"; the execute() ones
 * belong to the engine's tests).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateCode } from "../../src/validate/validate_code.ts";

const warningFor = (name: string) =>
  `Code contains call to \`${name}()\` which may be restricted by the sandbox`;

describe("validateCode (reference validate tests)", () => {
  it("accepts valid code with no warnings", () => {
    assert.deepEqual(validateCode("x <- 1 + 1"), { valid: true, warnings: [] });
  });

  it("accepts multi-line code", () => {
    const r = validateCode("f <- function(x) {\n  x + 1\n}\nf(2)");
    assert.equal(r.valid, true);
    assert.equal(r.error, undefined);
  });

  it("rejects a syntax error with R's 'unexpected' message", () => {
    const r = validateCode("x <- 1 +* 2");
    assert.equal(r.valid, false);
    assert.match(r.error!.message, /unexpected/);
    assert.deepEqual(r.warnings, []);
  });

  it("rejects an unmatched brace", () => {
    const r = validateCode("f <- function() {\n  1");
    assert.equal(r.valid, false);
    assert.equal(
      r.error!.message,
      "<text>:3:0: unexpected end of input\n1: f <- function() {\n2:   1\n  ^",
    );
  });

  it("accepts empty code", () => {
    assert.deepEqual(validateCode(""), { valid: true, warnings: [] });
  });

  it("accepts whitespace-only code", () => {
    assert.deepEqual(validateCode("  \n\t \n"), { valid: true, warnings: [] });
  });

  it("rejects null with R's wording", () => {
    assert.throws(() => validateCode(null as unknown as string), {
      name: "TypeError",
      message: "`code` must be a single character string",
    });
  });

  it("rejects a number and an array of strings with R's wording", () => {
    for (const bad of [42, ["a", "b"], undefined]) {
      assert.throws(() => validateCode(bad as unknown as string), {
        name: "TypeError",
        message: "`code` must be a single character string",
      });
    }
  });

  const patterns: [string, string][] = [
    ["system", 'system("ls")'],
    ["system2", 'system2("ls", "-l")'],
    ["shell", 'shell("dir")'],
    [".Internal", ".Internal(inspect(x))"],
    ["Sys.setenv", 'Sys.setenv(HOME = "/tmp")'],
    [".Call", '.Call("C_fn", x)'],
    [".C", '.C("fn", 1L)'],
    [".Fortran", '.Fortran("fn", 1)'],
    [".External", '.External("fn", 1)'],
    ["dyn.load", 'dyn.load("lib.so")'],
    ["pipe", 'readLines(pipe("ls"))'],
    ["processx::run", 'processx::run("ls")'],
    ["callr::r", "callr::r(function() 1)"],
    ["socketConnection", 'socketConnection("localhost", 80)'],
    ["url", 'readLines(url("https://example.com"))'],
    ["do.call", 'do.call("sum", list(1, 2))'],
  ];
  for (const [name, code] of patterns) {
    it(`flags a call to ${name}`, () => {
      const r = validateCode(code);
      assert.equal(r.valid, true);
      assert.ok(r.warnings.includes(warningFor(name)), JSON.stringify(r.warnings));
    });
  }

  it("has no warnings for safe code", () => {
    const r = validateCode(
      "x <- c(1, 2, 3)\ny <- mean(x)\nz <- lapply(1:3, function(i) i^2)\nprint(paste('done', y))",
    );
    assert.deepEqual(r.warnings, []);
  });
});

describe("validateCode results", () => {
  it("returns R's line, column and message for an error", () => {
    assert.deepEqual(validateCode("function(x{"), {
      valid: false,
      error: {
        message: "<text>:1:11: unexpected '{'\n1: function(x{\n              ^",
        line: 1,
        column: 11,
      },
      warnings: [],
    });
  });

  it("points at the offending character for errors R 4.2 words without a position", () => {
    const r = validateCode("x <- 1\ny <- 'a\\qb'");
    assert.equal(
      r.error!.message,
      "'\\q' is an unrecognized escape in character string starting \"'a\\q\"",
    );
    assert.deepEqual([r.error!.line, r.error!.column], [2, 9]);
  });

  it("reports code nested too deeply for this parser instead of overflowing", () => {
    const r = validateCode("if (a) ".repeat(2000) + "1");
    assert.equal(r.valid, false);
    assert.match(r.error!.message, /^Cannot parse: code nested more than 1000 levels deep/);
  });

  it("reports R's parser stack limit for long chains of unary operators", () => {
    assert.equal(validateCode("-".repeat(9997) + "1").valid, true);
    assert.equal(
      validateCode("-".repeat(9998) + "1").error?.message,
      "out of memory while parsing",
    );
  });
});
