import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveExecuteOptions, resolveSessionOptions } from "../../src/session/options.ts";

describe("session options", () => {
  it("apply the documented defaults", () => {
    const o = resolveSessionOptions(undefined);
    assert.equal(o.sandbox, false);
    assert.equal(o.toolTimeout, 30_000);
    assert.equal(o.maxMessageBytes, 1_048_576);
    assert.deepEqual(o.limits, {});
    assert.deepEqual(resolveSessionOptions({ sandbox: true }).limits.cpu, 60);
  });
  it("reject wrong types with TypeError and bad numbers with RangeError", () => {
    assert.throws(() => resolveSessionOptions({ maxExecutions: 0 }), {
      name: "RangeError",
      message: "`maxExecutions` must be a positive integer, not 0.",
    });
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => resolveSessionOptions({ preExecuteHook: 5 as any }),
      { name: "TypeError", message: "`preExecuteHook` must be a function, not <number>." },
    );
    // deno-lint-ignore no-explicit-any
    assert.throws(() => resolveSessionOptions({ sandbox: "yes" as any }), TypeError);
    assert.throws(() => resolveSessionOptions({ toolTimeout: -1 }), RangeError);
    // deno-lint-ignore no-explicit-any
    assert.throws(() => resolveSessionOptions(5 as any), /Session options must be an object/);
  });
  it("only let `env` add plain variables, never ones securer manages", () => {
    assert.deepEqual(resolveSessionOptions({ env: { MY_VAR: "1" } }).env, { MY_VAR: "1" });
    const bad: unknown[] = [{ R_HOME: "/x" }, { LD_PRELOAD: "x.so" }, { "A-B": "1" }, { X: 1 }];
    for (const env of bad) {
      assert.throws(
        () => resolveSessionOptions({ env: env as Record<string, string> }),
        TypeError,
        JSON.stringify(env),
      );
    }
  });
});

describe("execute options", () => {
  it("apply the documented defaults", () => {
    const o = resolveExecuteOptions(undefined);
    assert.equal(o.timeout, 30_000);
    assert.equal(o.validate, true);
    assert.equal(o.maxCodeLength, 100_000);
    assert.equal(resolveExecuteOptions({ timeout: null }).timeout, null);
  });
  it("reject bad values", () => {
    assert.throws(() => resolveExecuteOptions({ timeout: 0 }), RangeError);
    // deno-lint-ignore no-explicit-any
    assert.throws(() => resolveExecuteOptions({ onOutput: 5 as any }), {
      name: "TypeError",
      message: "`onOutput` must be a function, not <number>.",
    });
    assert.throws(() => resolveExecuteOptions({ maxToolCalls: 1.5 }), RangeError);
    // deno-lint-ignore no-explicit-any
    assert.throws(() => resolveExecuteOptions({ signal: {} as any }), TypeError);
  });
});
