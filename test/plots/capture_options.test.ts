import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SecureSession } from "../../mod.ts";
import {
  DEFAULT_FILES,
  DEFAULT_PLOTS,
  executionCapture,
  resolveCapture,
} from "../../src/plots/capture_options.ts";
import { noR } from "../_helpers.ts";

describe("plot and file options", () => {
  it("default to PNG at 672 × 480 px, 96 ppi, and bounded files", () => {
    const c = resolveCapture(undefined, undefined);
    assert.deepEqual(c.plots, DEFAULT_PLOTS);
    assert.deepEqual(c.files, DEFAULT_FILES);
    assert.equal(c.plots?.format, "png");
    assert.deepEqual([c.plots?.width, c.plots?.height, c.plots?.res], [672, 480, 96]);
  });
  it("turn capture off with false, or with format false", () => {
    assert.equal(resolveCapture(false, undefined).plots, null);
    assert.equal(resolveCapture({ format: false }, undefined).plots, null);
    assert.equal(resolveCapture(undefined, false).files, null);
  });
  it("apply an execution's settings over the session's, field by field", () => {
    const session = resolveCapture({ format: "svg", width: 300 }, { maxFiles: 2 });
    const c = executionCapture(session, { height: 200 }, undefined);
    assert.deepEqual(
      [c.plots?.format, c.plots?.width, c.plots?.height],
      ["svg", 300, 200],
    );
    assert.equal(c.files?.maxFiles, 2);
    assert.equal(executionCapture(session, false, false).plots, null);
    assert.equal(executionCapture(session, undefined, undefined), session);
    // An execution may turn plots back on where the session had them off.
    const off = resolveCapture(false, undefined);
    assert.equal(executionCapture(off, { res: 72 }, undefined).plots?.res, 72);
  });
  it("reject wrong types and out-of-range values, naming the option", () => {
    assert.throws(() => resolveCapture({ format: "jpeg" as "png" }, undefined), {
      name: "TypeError",
      message: '`plots.format` must be "png", "svg" or false, not "jpeg".',
    });
    assert.throws(() => resolveCapture({ width: 0 }, undefined), {
      name: "RangeError",
      message: "`plots.width` must be an integer from 1 to 10000, not 0.",
    });
    assert.throws(() => resolveCapture({ maxImages: "3" as unknown as number }, undefined), {
      name: "TypeError",
    });
    assert.throws(() => resolveCapture(true as unknown as false, undefined), {
      message: "`plots` must be an object or false, not <boolean>.",
    });
    assert.throws(() => resolveCapture(undefined, { maxfiles: 3 } as never), {
      message: /`files` has no option "maxfiles"/,
    });
  });
  it("are checked by SecureSession.create and execute()", { skip: noR }, async () => {
    await assert.rejects(SecureSession.create({ plots: { res: -1 } }), { name: "RangeError" });
    await using s = await SecureSession.create();
    await assert.rejects(s.execute("1", { files: { maxFileBytes: 1.5 } }), {
      name: "RangeError",
    });
    const r = await s.execute("1 + 1");
    assert.deepEqual([r.images, r.files, r.dropped], [[], [], []]);
  });
});
