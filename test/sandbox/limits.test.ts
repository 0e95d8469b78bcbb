import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { limitsPrefix } from "../../backends/limits_prefix.ts";
import { DEFAULT_LIMITS, prlimitArgs, resolveLimits } from "../../src/sandbox/limits.ts";

describe("resolveLimits", () => {
  it("applies the defaults only when sandboxed and no limits are given", () => {
    assert.deepEqual(resolveLimits(undefined, true), DEFAULT_LIMITS);
    assert.deepEqual(resolveLimits(undefined, false), {});
    assert.deepEqual(resolveLimits({}, true), {});
    assert.deepEqual(DEFAULT_LIMITS, {
      cpu: 60,
      memory: 536870912,
      fsize: 52428800,
      nproc: 50,
      nofile: 256,
    });
  });
  it("rejects unknown names and non-positive values with the reference's messages", () => {
    assert.throws(
      () => resolveLimits({ foo: 1 }, false),
      /^TypeError: Unknown limit name\(s\): foo\. Valid names: cpu, memory, fsize, nproc, nofile, stack$/,
    );
    assert.throws(
      () => resolveLimits({ cpu: "a" }, false),
      /^TypeError: Limit 'cpu' must be a single positive number, got: "a"$/,
    );
    assert.throws(
      () => resolveLimits({ memory: 0 }, false),
      /Limit 'memory' must be a single positive number, got: 0/,
    );
    assert.throws(() => resolveLimits({ nproc: -1 }, false), /got: -1/);
  });
});

describe("prlimit arguments", () => {
  it("round up, keep the reference's order and give CPU one second of hard headroom", () => {
    assert.deepEqual(prlimitArgs({ cpu: 30, memory: 512 * 1024 * 1024, fsize: 10.5 }), [
      "--cpu=30:31",
      "--as=536870912:536870912",
      "--fsize=11:11",
    ]);
  });
  it("ignore SIGXFSZ only when a file size limit is set", () => {
    assert.deepEqual(limitsPrefix({}), []);
    assert.deepEqual(limitsPrefix({ nofile: 64 }), ["/usr/bin/prlimit", "--nofile=64:64", "--"]);
    assert.deepEqual(limitsPrefix({ fsize: 100 }), [
      "/usr/bin/env",
      "--ignore-signal=XFSZ",
      "/usr/bin/prlimit",
      "--fsize=100:100",
      "--",
    ]);
  });
});
