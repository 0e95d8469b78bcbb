import assert from "node:assert/strict";
import { it } from "node:test";
import { SecureSession } from "../../mod.ts";
import { SLOW } from "../_helpers.ts";
import { conformance } from "../_conformance.ts";

conformance("output capture", {}, (ctx) => {
  const session = ctx.shareSession();

  it(
    "captures stdout, messages, warnings and stderr in the order they happen",
    SLOW,
    async () => {
      const r = await session().execute(
        'cat("a\\n"); message("b"); cat("c\\n"); warning("d"); f <- function() warning("e"); f(); ' +
          'cat("to stderr\\n", file = stderr()); print(1:2); invisible(7)',
      );
      assert.deepEqual(r.output, [
        "a",
        "b",
        "c",
        "Warning: d",
        "Warning in f() : e",
        "to stderr",
        "[1] 1 2",
      ]);
      assert.equal(r.value, 7);
      assert.equal(r.visible, false);
    },
  );
  it("captures what subprocesses write to the process's stdout and stderr", SLOW, async () => {
    const r = await session().execute(
      'cat("before\\n"); system("echo from-shell; echo to-fd2 >&2"); cat("after\\n")',
    );
    assert.deepEqual(r.output, ["before", "from-shell", "to-fd2", "after"]);
  });
  it("never lets output bleed into the next execution", SLOW, async () => {
    await session().execute('cat("first\\n"); cat("no newline at the end")');
    const r = await session().execute("1");
    assert.deepEqual(r.output, []);
  });
  it("keeps a last line that has no newline", SLOW, async () => {
    const r = await session().execute('cat("abc")');
    assert.deepEqual(r.output, ["abc"]);
  });
  it("works when code prints and then returns NULL", SLOW, async () => {
    const r = await session().execute('print("hello"); NULL');
    assert.deepEqual(r.output, ['[1] "hello"']);
    assert.equal(r.value, null);
    assert.equal(r.text, "NULL");
  });
  it("streams lines to onOutput while the code is still running", SLOW, async () => {
    let done = false;
    const seen: { line: string; done: boolean }[] = [];
    const p = session().execute('for (i in 1:3) { cat("line", i, "\\n"); Sys.sleep(0.15) }', {
      onOutput: (line) => seen.push({ line, done }),
    });
    const r = await p;
    done = true;
    assert.deepEqual(seen.map((s) => s.line), ["line 1 ", "line 2 ", "line 3 "]);
    assert.ok(seen.every((s) => !s.done), "every line arrived before the result");
    assert.deepEqual(r.output, ["line 1 ", "line 2 ", "line 3 "]);
  });
  it("survives an onOutput handler that throws", SLOW, async () => {
    const r = await session().execute('cat("x\\n"); 1', {
      onOutput: () => {
        throw new Error("handler bug");
      },
    });
    assert.deepEqual(r.output, ["x"]);
  });
  it("caps stored lines at maxOutputLines but streams them all", SLOW, async () => {
    let streamed = 0;
    const r = await session().execute("for (i in 1:10) cat(i, '\\n')", {
      maxOutputLines: 3,
      onOutput: () => streamed++,
    });
    assert.deepEqual(r.output, ["1 ", "2 ", "3 "]);
    assert.equal(r.outputTruncated, true);
    assert.equal(streamed, 10);
  });
  it(
    "ends an execution whose last line, unfinished, is cut where R's end marker begins",
    SLOW,
    async () => {
      // R's marker follows the unfinished line on the same line; the 64 KiB cut falls inside
      // it for every length here (the marker is 36 characters).
      for (const n of [65_500, 65_520, 65_530, 65_535, 131_062]) {
        const r = await session().execute(
          `cat(strrep("x", ${n})); cat("\\n"); cat(strrep("y", ${n})); 1`,
        );
        assert.equal(r.value, 1, `length ${n}`);
        assert.equal(r.output.join(""), "x".repeat(n) + "y".repeat(n), `length ${n}`);
      }
    },
  );
  it("splits a huge line into 64 KiB pieces instead of buffering it whole", SLOW, async () => {
    const r = await session().execute('cat(strrep("x", 200000), "\\n", sep = "")');
    assert.equal(r.output.join(""), "x".repeat(200000));
    assert.ok(r.output.length >= 4 && r.output.every((l) => l.length <= 65536));
  });
  it("restores its sinks when user code leaves its own sink open", SLOW, async () => {
    await session().execute('f <- tempfile(); sink(f); cat("hidden\\n")');
    const r = await session().execute('cat("visible\\n"); readLines(f)');
    assert.deepEqual(r.output, ["visible"]);
    assert.deepEqual(r.value, "hidden");
    const r2 = await session().execute(
      'sink(); sink(type = "message"); cat("still\\n"); message("here")',
    );
    assert.deepEqual(r2.output, ["still", "here"]);
  });
  it("passes R only the allowlisted environment and the caller's env", SLOW, async () => {
    process.env.SECURER_TEST_HOST_SECRET = "do-not-leak";
    try {
      await using s = await SecureSession.create(ctx.options({ env: { MY_SETTING: "on" } }));
      const r = await s.execute("Sys.getenv()");
      const env = r.value as Record<string, string>;
      assert.equal(env.MY_SETTING, "on");
      assert.ok(!Object.values(env).includes("do-not-leak"));
      assert.ok(!("SECURER_TEST_HOST_SECRET" in env));
      // R's Renviron turns an empty R_LIBS_USER into HOME's library: HOME is private.
      assert.ok(env.R_LIBS_USER === "" || env.R_LIBS_USER.startsWith(env.HOME), env.R_LIBS_USER);
      assert.equal(env.LC_ALL, "C.UTF-8");
    } finally {
      delete process.env.SECURER_TEST_HOST_SECRET;
    }
  });
  it("attaches the output so far to an R error", SLOW, async () => {
    await assert.rejects(session().execute('cat("partial\\n"); stop("bad")'), {
      output: ["partial"],
    });
  });
});
