import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as v from "valibot";
import {
  isValidRName,
  securerTool,
  toolInfo,
  validateTools,
} from "../../src/tools/securer_tool.ts";

const fn = () => 1;

describe("securerTool", () => {
  it("creates a tool with its arguments in order", () => {
    const t = securerTool({ name: "add", description: "Add", args: { a: "numeric", b: null }, fn });
    assert.equal(t.name, "add");
    assert.deepEqual(t.args.map((a) => [a.name, a.rType]), [["a", "numeric"], ["b", null]]);
    assert.deepEqual(toolInfo(t), {
      name: "add",
      description: "Add",
      args: [{ name: "a", type: "numeric" }, { name: "b", type: null }],
    });
  });
  it("accepts valibot schemas as argument types", () => {
    const t = securerTool({ name: "pick", args: { n: v.pipe(v.number(), v.minValue(1)) }, fn });
    assert.equal(t.args[0].rType, null);
    assert.ok(t.args[0].schema !== null);
    assert.equal(toolInfo(t).args[0].type, "schema");
  });
  it("rejects bad definitions with the reference's messages", () => {
    const cases: [unknown, RegExp][] = [
      [{ name: "", fn }, /`name` must be a non-empty string, not <string>\.$/],
      [{ name: 5, fn }, /`name` must be a non-empty string, not <number>\.$/],
      [
        { name: "a", description: 5, fn },
        /`description` must be a character string, not <number>\.$/,
      ],
      [{ name: "a", fn: "x" }, /`fn` must be a function, not <string>\.$/],
      [{ name: "a", fn, args: [] }, /`args` must be an object, not <array>\.$/],
      [{ name: "1a", fn }, /Tool name must be a valid R identifier, not "1a"\.$/],
      [
        { name: "a", fn, args: { "b c": null } },
        /Argument names must be valid R identifiers: "b c"\.$/,
      ],
      [{ name: "a", fn, args: { x: "numbr" } }, /argument 'x' has unknown type "numbr"/],
    ];
    for (const [def, re] of cases) {
      // deno-lint-ignore no-explicit-any
      assert.throws(() => securerTool(def as any), re);
    }
  });
  it("accepts names with dots and underscores and refuses R's reserved words", () => {
    assert.equal(securerTool({ name: "my.tool_v2", fn }).name, "my.tool_v2");
    for (const bad of ["if", "TRUE", "function", "...", "..1", ".2x", "_x"]) {
      assert.equal(isValidRName(bad), false, bad);
    }
  });
});

describe("validateTools", () => {
  it("rejects duplicates and objects not made by securerTool", () => {
    const a = securerTool({ name: "a", fn });
    assert.throws(() => validateTools([a, a]), /^TypeError: Duplicate tool names: "a"\.$/);
    assert.throws(
      () => validateTools([{ name: "a", fn }]),
      /Each tool must be created with `securerTool\(\)`\./,
    );
    assert.deepEqual(validateTools(undefined), []);
  });
});
