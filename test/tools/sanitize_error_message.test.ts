import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sanitizeErrorMessage } from "../../src/tools/sanitize_error_message.ts";

describe("sanitizeErrorMessage", () => {
  it("replaces file paths", () => {
    assert.equal(
      sanitizeErrorMessage("cannot open file '/home/alice/secret.csv': No such file"),
      "cannot open file '[path]': No such file",
    );
    assert.equal(sanitizeErrorMessage("see C:\\Users\\bob\\x.txt now"), "see [path] now");
  });
  it("replaces process ids", () => {
    assert.equal(sanitizeErrorMessage("process '12345' died"), "process '[pid]' died");
    assert.equal(sanitizeErrorMessage("process 4242 exited"), "process [pid] exited");
    assert.equal(sanitizeErrorMessage("worker PID: 77 failed"), "worker PID [pid] failed");
  });
  it("replaces addresses and host names", () => {
    assert.equal(sanitizeErrorMessage("refused by 10.0.0.5:5432"), "refused by [host]");
    assert.equal(
      sanitizeErrorMessage("cannot connect to db.internal.example.com"),
      "cannot connect to [host]",
    );
  });
  it("drops stack traces", () => {
    assert.equal(sanitizeErrorMessage("boom\nTraceback:\n  at x\n  at y"), "boom");
    assert.equal(sanitizeErrorMessage("Error: boom\n    at f (file.js:1:2)"), "Error: boom");
  });
  it("truncates to 500 characters and handles non-strings", () => {
    const s = sanitizeErrorMessage("x".repeat(1000));
    assert.equal(s.length, 500);
    assert.ok(s.endsWith("..."));
    assert.equal(sanitizeErrorMessage(""), "Unknown error");
    assert.equal(sanitizeErrorMessage(42), "Unknown error");
    assert.equal(sanitizeErrorMessage("plain message"), "plain message");
  });
});
