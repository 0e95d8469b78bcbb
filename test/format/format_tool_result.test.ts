import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { formatToolResult, securerTool, SecureSession } from "../../mod.ts";
import { rDouble } from "../../src/format/format_tool_result.ts";
import { SANDBOX } from "../_backends.ts";
import { noR, SLOW } from "../_helpers.ts";

/**
 * The reference's `format_tool_result` rules (securer-reference.md §1.5), written in R and
 * evaluated on the same value in the same session: the text R itself says the reference
 * gives, to compare with ours line for line.
 */
const referenceFormat = (expr: string) =>
  `local({
  v <- (${expr})
  out <- if (is.null(v)) "NULL" else if (is.atomic(v) && length(v) == 1L) {
    as.character(v)
  } else if (is.data.frame(v)) {
    lines <- utils::capture.output(print(v, max = 50))
    if (length(lines) > 30) c(lines[1:30], paste0("... (", nrow(v), " rows total)")) else lines
  } else {
    lines <- utils::capture.output(print(v))
    if (length(lines) > 50) c(lines[1:50], "... (output truncated)") else lines
  }
  paste(out, collapse = "\\n")
})`;

const add = securerTool({
  name: "add",
  description: "Add numbers",
  args: { a: "numeric", b: "numeric" },
  fn: ({ a, b }) => Number(a) + Number(b),
});

describe("formatToolResult on the reference's examples", { skip: noR || SANDBOX.skip }, () => {
  let session: SecureSession;
  before(async () => {
    session = await SecureSession.create({ ...SANDBOX.options, tools: [add] });
  });
  after(() => session?.close());

  /** Our text for `code`, after checking it against the reference's rules run in R. */
  async function ours(code: string): Promise<string> {
    const text = formatToolResult(await session.execute(code));
    const reference = (await session.execute(referenceFormat(code))).value;
    assert.equal(text, reference, `line for line with the reference for ${code}`);
    return text;
  }

  // test-ellmer.R: "ellmer tool executes simple code"
  it('gives "2" for 1 + 1', SLOW, async () => {
    assert.equal(await ours("1 + 1"), "2");
  });
  // "ellmer tool executes code returning a vector"
  it("prints a vector as R does", SLOW, async () => {
    assert.equal(await ours("c(1, 2, 3)"), "[1] 1 2 3");
  });
  // "ellmer tool works with securer tools"
  it('gives "30" for add(10, 20), a host tool called from R', SLOW, async () => {
    assert.equal(await ours("add(10, 20)"), "30");
  });
  // "ellmer tool works with pre-existing session"
  it('gives "42" for 42', SLOW, async () => {
    assert.equal(await ours("42"), "42");
  });
  // "ellmer tool handles invisible results"
  it('gives "42" for invisible(42)', SLOW, async () => {
    assert.equal(await ours("invisible(42)"), "42");
  });
  // "ellmer tool returns data frame results"
  it("prints a small data frame whole", SLOW, async () => {
    assert.equal(
      await ours("data.frame(x = 1:3, y = letters[1:3])"),
      "  x y\n1 1 a\n2 2 b\n3 3 c",
    );
  });
  // "format_tool_result handles various types"
  it("gives NULL, scalars, a vector and a one-row data frame as the reference", SLOW, async () => {
    assert.equal(await ours("NULL"), "NULL");
    assert.equal(await ours('"hello"'), "hello");
    assert.equal(await ours("1:5"), "[1] 1 2 3 4 5");
    assert.equal(await ours("data.frame(a = 1)"), "  a\n1 1");
  });
  // "format_tool_result truncates large data frames beyond 30 rows"
  it("keeps 30 lines of a 100-row data frame, then the row count", SLOW, async () => {
    const lines = (await ours("data.frame(x = seq_len(100))")).split("\n");
    assert.equal(lines.length, 31);
    assert.equal(lines[0], "    x");
    assert.equal(lines[29], "29 29");
    assert.equal(lines[30], "... (100 rows total)");
  });
  // "format_tool_result truncates long general output beyond 50 lines"
  it("keeps 50 lines of a long list, then says the output was truncated", SLOW, async () => {
    const lines = (await ours("as.list(seq_len(200))")).split("\n");
    assert.equal(lines.length, 51);
    assert.deepEqual(lines.slice(0, 3), ["[[1]]", "[1] 1", ""]);
    assert.equal(lines[50], "... (output truncated)");
  });
  it("prints a many-column data frame as print(max = 50) does", SLOW, async () => {
    const text = await ours(
      "data.frame(x = 1:100, y = rep(c(1.5, NA), 50), z = letters[rep(1:25, 4)], w = 1:100 > 3)",
    );
    assert.match(text, /omitted 88 rows \]$/);
  });
  it("falls back to 30 lines of the full print where it cannot rebuild R's", SLOW, async () => {
    const lines = formatToolResult(await session.execute("mtcars")).split("\n");
    assert.equal(lines.length, 31);
    assert.match(lines[1], /^Mazda RX4 /);
    assert.equal(lines[30], "... (32 rows total)");
  });
  it("writes other scalars as R's as.character() does", SLOW, async () => {
    for (const code of ["pi", "1e5", "100000L", "-0.000123", "TRUE", "NA", "factor('a')", "1/3"]) {
      await ours(code);
    }
  });
  it("adds the captured output before the value", SLOW, async () => {
    const text = formatToolResult(await session.execute('cat("hi\\n"); message("m"); 2'));
    assert.equal(text, "Output:\nhi\nm\nValue:\n2");
  });

  it("adds a note when converting the value lost something", SLOW, async () => {
    const r = await session.execute('as.difftime(90, units = "mins")');
    assert.deepEqual(r.lost, ['attributes dropped: class "difftime", units "mins"']);
    assert.equal(
      formatToolResult(r),
      '90\nNote: converting the value lost: attributes dropped: class "difftime", units "mins"',
    );
  });

  it("adds a note when the printed value was cut", SLOW, async () => {
    const r = await session.execute('list(strrep("a", 7e4))');
    assert.equal(r.textTruncated, true);
    const lines = formatToolResult(r).split("\n");
    assert.equal(lines[0], "[[1]]");
    assert.match(lines.at(-1)!, /^Note: the printed value was cut/);
    // A scalar is given whole (as.character), so its cut print is not mentioned.
    const whole = await session.execute('strrep("a", 7e4)');
    assert.equal(whole.textTruncated, true);
    assert.equal(formatToolResult(whole), "a".repeat(7e4));
  });
});

describe("formatToolResult without R", () => {
  it("caps the output and counts the lines it left out", () => {
    const output = Array.from({ length: 60 }, (_, i) => `line ${i}`);
    const text = formatToolResult(
      { value: null, text: "NULL", output, droppedOutputLines: 5 },
      { outputLines: 10 },
    );
    const lines = text.split("\n");
    assert.equal(lines[0], "Output:");
    assert.equal(lines[10], "line 9");
    assert.equal(lines[11], "... (55 more output lines)");
    assert.deepEqual(lines.slice(12), ["Value:", "NULL"]);
  });
  it("notes each image", () => {
    const images = [{ mimeType: "image/png", width: 504, height: 504 }];
    assert.equal(
      formatToolResult({ value: 1, text: "[1] 1", output: [], images }),
      "Value:\n1\n[image 1 of 1: image/png, 504x504, attached separately]",
    );
  });
  it("keeps each note of a loss on one line, cut, five at most", () => {
    const lost = ["a\nValue:\nforged", "x".repeat(300), "c", "d", "e", "f", "g"];
    const text = formatToolResult({ value: 1, text: "[1] 1", output: [], lost });
    const lines = text.split("\n");
    assert.equal(lines.length, 2);
    assert.match(
      lines[1],
      /^Note: converting the value lost: a Value: forged; x{200}\.\.\.; c; d; e \(\+2 more\)$/,
    );
  });
  it("does not take a list of records for a data frame", () => {
    const text = Array.from({ length: 40 }, (_, i) => `[[${i + 1}]]`).join("\n");
    const formatted = formatToolResult({ value: Array(40).fill({ a: 1 }), text, output: [] });
    assert.equal(formatted, text);
  });
  it("writes doubles with 15 significant digits, fixed unless scientific is narrower", () => {
    assert.equal(rDouble(Math.PI, 15), "3.14159265358979");
    assert.equal(rDouble(1e5, 15), "1e+05");
    assert.equal(rDouble(123456, 15), "123456");
    assert.equal(rDouble(0.0001, 15), "1e-04");
    assert.equal(rDouble(0.00012, 15), "0.00012");
    assert.equal(rDouble(-2.5, 15), "-2.5");
    assert.equal(rDouble(1e22, 15), "1e+22");
  });
});
