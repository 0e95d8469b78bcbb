import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateCode } from "../../src/validate/validate_code.ts";

const direct = (name: string) =>
  `Code contains call to \`${name}()\` which may be restricted by the sandbox`;
const indirect = (name: string, via: string) =>
  `Code contains indirect call to \`${name}()\` via \`${via}()\` which may be restricted by the sandbox`;
const warnings = (code: string) => validateCode(code).warnings;

describe("warnings come from the syntax tree", () => {
  it("never come from strings or comments", () => {
    assert.deepEqual(warnings('x <- "system(\'ls\')" # system("rm")'), []);
    assert.deepEqual(warnings("msg <- 'call .Internal( here'"), []);
  });

  it("ignore a name that is not called, an argument name and a list element", () => {
    assert.deepEqual(warnings("url <- 'https://x'; f(url = url); x$system('ls'); x@pipe()"), []);
  });

  it("catch backticked, quoted, parenthesised and base:: calls", () => {
    assert.deepEqual(warnings("`system`('ls')"), [direct("system")]);
    assert.deepEqual(warnings('"system2"("ls")'), [direct("system2")]);
    assert.deepEqual(warnings("(system)('ls')"), [direct("system")]);
    assert.deepEqual(warnings("base::system('ls'); base:::pipe('x')"), [
      direct("system"),
      direct("pipe"),
    ]);
  });

  it("catch a call made by a pipe", () => {
    assert.deepEqual(warnings('"ls" |> system()'), [direct("system")]);
  });

  it("catch calls nested in functions, defaults and conditions", () => {
    assert.deepEqual(warnings("f <- function(x = dyn.load('a')) if (x) .Call('g')"), [
      direct("dyn.load"),
      direct(".Call"),
    ]);
  });

  it("report each function once, in order of first appearance", () => {
    assert.deepEqual(warnings("system('a'); url('b'); system('c')"), [
      direct("system"),
      direct("url"),
    ]);
  });

  it("catch any function of processx or callr, and loading them", () => {
    assert.deepEqual(warnings("processx::process$new('ls')"), [
      "Code uses `processx::process` which may be restricted by the sandbox",
    ]);
    assert.deepEqual(warnings("callr::r_bg(f); processx::run('ls')"), [
      direct("callr::r_bg"),
      direct("processx::run"),
    ]);
    assert.deepEqual(warnings("library(processx); requireNamespace('callr')"), [
      "Code loads package `processx` which may be restricted by the sandbox",
      "Code loads package `callr` which may be restricted by the sandbox",
    ]);
  });
});

describe("warnings name indirect calls", () => {
  it("catch get() and match.fun() with a restricted name", () => {
    assert.deepEqual(warnings('get("system")("ls")'), [indirect("system", "get")]);
    assert.deepEqual(warnings('f <- match.fun("system2")'), [indirect("system2", "match.fun")]);
    assert.deepEqual(warnings("f <- match.fun(system)"), [indirect("system", "match.fun")]);
    assert.deepEqual(warnings('get0(x = "pipe"); mget(c("a", "url"))'), [
      indirect("pipe", "get0"),
      indirect("url", "mget"),
    ]);
  });

  it("catch do.call with a restricted function, by name or by value", () => {
    assert.deepEqual(warnings('do.call("system", list("ls"))'), [
      direct("do.call"),
      indirect("system", "do.call"),
    ]);
    assert.deepEqual(warnings("do.call(what = system2, args = list('ls'))"), [
      direct("do.call"),
      indirect("system2", "do.call"),
    ]);
  });

  it("catch getExportedValue on a restricted name", () => {
    assert.deepEqual(warnings('getExportedValue("base", "system")("ls")'), [
      indirect("system", "getExportedValue"),
    ]);
  });

  it("leave get() of ordinary names alone", () => {
    assert.deepEqual(warnings('get("mean")(1:3); match.fun("sum")'), []);
  });

  it("give no warnings for code that does not parse", () => {
    assert.deepEqual(validateCode("system('ls'").warnings, []);
  });
});
