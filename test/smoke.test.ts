import { describe, it, test } from "node:test";
import assert from "node:assert/strict";

describe("smoke", () => {
  it("adds", () => assert.equal(1 + 1, 2));
  it("skips visibly", { skip: "reason here" }, () => {});
  it("adds again", () => assert.equal(2 + 2, 4));
});
test("top-level", () => assert.ok(true));
