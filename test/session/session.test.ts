import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CodeTooLongError,
  MaxExecutionsError,
  PreExecuteHookError,
  RExecutionError,
  RSyntaxError,
  securerTool,
  SecureSession,
  SessionBusyError,
  SessionClosedError,
} from "../../mod.ts";
import type { Backend } from "../../src/sandbox/backend.ts";
import { noR, processAlive, SLOW } from "../_helpers.ts";

describe("SecureSession basics", { skip: noR }, () => {
  let session: SecureSession;
  before(async () => {
    session = await SecureSession.create();
  });
  after(async () => {
    await session?.close();
  });

  it("executes code and returns the value, its visibility and its printed text", SLOW, async () => {
    const r = await session.execute("1 + 1");
    assert.equal(r.value, 2);
    assert.equal(r.visible, true);
    assert.equal(r.text, "[1] 2");
    assert.deepEqual(r.output, []);
  });
  it(
    "prints a scalar value as R's print() does, under the options that change it",
    SLOW,
    async () => {
      // The value's text takes a shortcut for one-element values: it must match print().
      const cases = [
        "pi",
        "1e-20",
        "123456789012",
        "-0",
        "NaN",
        "-Inf",
        "NA",
        "NA_integer_",
        "5L",
        "TRUE",
        "NA_character_",
        "'plain'",
        "'a\"b'",
        "'\u00e9'",
      ];
      // One at a time: a session runs one execution at once.
      const printed = async () => {
        const seen: { text: string | undefined; print: string }[] = [];
        for (const c of cases) {
          const text = (await session.execute(c)).text;
          const print = (await session.execute(`capture.output(print(${c}))`)).value as string;
          seen.push({ text, print });
        }
        return seen;
      };
      for (
        const options of [
          "digits = 7, OutDec = '.', scipen = 0",
          "digits = 3, OutDec = ',', scipen = -5",
        ]
      ) {
        await session.execute(`options(${options})`);
        for (const { text, print } of await printed()) assert.equal(text, print, options);
      }
      await session.execute("options(digits = 7, OutDec = '.', scipen = 0)");
    },
  );
  it("keeps state between executions in the global environment", SLOW, async () => {
    const r = await session.execute("x <- 40");
    assert.equal(r.visible, false);
    assert.equal((await session.execute("x + 2")).value, 42);
  });
  it("prints intermediate visible values to the output, like Rscript", SLOW, async () => {
    const r = await session.execute("1 + 1\ny <- 3\ny * 2");
    assert.deepEqual(r.output, ["[1] 2"]);
    assert.equal(r.value, 6);
  });
  it("returns NULL for empty code and comments", SLOW, async () => {
    const r = await session.execute("# nothing\n");
    assert.equal(r.value, null);
    assert.equal(r.visible, false);
  });
  it(
    "rejects R errors with RExecutionError, R's call and traceback, and stays usable",
    SLOW,
    async () => {
      await assert.rejects(
        session.execute('f <- function() stop("boom"); g <- function() f(); cat("before\\n"); g()'),
        (e: unknown) => {
          assert.ok(e instanceof RExecutionError);
          assert.equal(e.message, "boom");
          assert.equal(e.call, "f()");
          assert.deepEqual(e.traceback, ['stop("boom")', "f()", "g()"]);
          assert.deepEqual(e.output, ["before"]);
          return true;
        },
      );
      assert.equal((await session.execute("1")).value, 1);
    },
  );
  it("sanitizes R's error messages only when sanitizeErrors is set", SLOW, async () => {
    await assert.rejects(
      session.execute('stop("cannot open /home/alice/secret.csv for process 4242")'),
      { message: "cannot open /home/alice/secret.csv for process 4242" },
    );
    await using s = await SecureSession.create({ sanitizeErrors: true });
    await assert.rejects(
      s.execute('stop("cannot open /home/alice/secret.csv for process 4242")'),
      { name: "RExecutionError", message: "cannot open [path] for process [pid]" },
    );
  });
  it("reports no call for a top-level stop()", SLOW, async () => {
    await assert.rejects(session.execute('stop("top")'), {
      name: "RExecutionError",
      message: "top",
      call: null,
    });
  });
  it("reports isAlive, info and tools", SLOW, () => {
    assert.equal(session.isAlive(), true);
    const info = session.info();
    assert.match(info.id, /^sess_[0-9a-f]{12}$/);
    assert.equal(info.backend, "unsandboxed");
    assert.equal(info.sandboxed, false);
    assert.ok(info.pid !== null && processAlive(info.pid));
    assert.match(info.rVersion ?? "", /^R version 4/);
    assert.ok(info.executions > 0);
    assert.deepEqual(session.tools(), []);
  });
  it("uses a UTF-8 locale, so non-ASCII text survives both ways", SLOW, async () => {
    const r = await session.execute('s <- "héllo ✓"; cat(s, "\\n"); s');
    assert.equal(r.value, "héllo ✓");
    assert.deepEqual(r.output, ["héllo ✓ "]);
    assert.equal((await session.execute("nchar(s)")).value, 7);
  });
});

describe("execute() pre-checks, in the reference's order and wording", { skip: noR }, () => {
  it("refuses a closed session", SLOW, async () => {
    const s = await SecureSession.create();
    await s.close();
    await assert.rejects(
      s.execute("1"),
      (e: unknown) => e instanceof SessionClosedError && e.message === "Session is not running.",
    );
    assert.equal(s.isAlive(), false);
    await s.close(); // twice is fine
  });
  it("refuses a concurrent call", SLOW, async () => {
    await using s = await SecureSession.create();
    const first = s.execute("Sys.sleep(0.3); 1");
    await assert.rejects(s.execute("2"), (e: unknown) =>
      e instanceof SessionBusyError &&
      e.message ===
        "<SecureSession> does not support concurrent `execute()` calls; wait for the current execution to complete.");
    assert.equal((await first).value, 1);
  });
  it("stops at maxExecutions", SLOW, async () => {
    await using s = await SecureSession.create({ maxExecutions: 2 });
    await s.execute("1");
    await s.execute("2");
    await assert.rejects(
      s.execute("3"),
      (e: unknown) =>
        e instanceof MaxExecutionsError &&
        e.message === "Maximum executions (2) reached for this session.",
    );
  });
  it(
    "runs the pre-execute hook: a throw fails, false blocks, anything else proceeds",
    SLOW,
    async () => {
      const seen: string[] = [];
      await using s = await SecureSession.create({
        preExecuteHook: (code) => {
          seen.push(code);
          if (code.includes("forbidden")) return false;
          if (code.includes("explode")) throw new Error("hook exploded");
          return undefined;
        },
      });
      await assert.rejects(
        s.execute("forbidden()"),
        (e: unknown) =>
          e instanceof PreExecuteHookError && e.blocked &&
          e.message === "Execution blocked by `preExecuteHook`.",
      );
      await assert.rejects(
        s.execute("explode()"),
        (e: unknown) =>
          e instanceof PreExecuteHookError && !e.blocked &&
          e.message === "`preExecuteHook` error: hook exploded",
      );
      assert.equal((await s.execute("1 + 1")).value, 2);
      assert.deepEqual(seen, ["forbidden()", "explode()", "1 + 1"]);
    },
  );
  it("refuses code longer than maxCodeLength, counting characters", SLOW, async () => {
    await using s = await SecureSession.create();
    await assert.rejects(
      s.execute("12345", { maxCodeLength: 3 }),
      (e: unknown) =>
        e instanceof CodeTooLongError && e.message === "Code too long (5 chars, max 3).",
    );
    assert.equal((await s.execute('"✓✓"', { maxCodeLength: 4 })).value, "✓✓");
    assert.equal((await s.execute("123", { maxCodeLength: 3 })).value, 123);
  });
  it(
    "rejects a syntax error before running it, or from R when validate is false",
    SLOW,
    async () => {
      await using s = await SecureSession.create();
      await assert.rejects(s.execute("x <- 1 +"), (e: unknown) =>
        e instanceof RSyntaxError &&
        e.message.startsWith("Code has a syntax error and was not executed:"));
      await assert.rejects(s.execute("cat('ran')\nx <- (", { validate: false }), (e: unknown) => {
        assert.ok(e instanceof RSyntaxError);
        assert.match(e.message, /^<text>:3:0: unexpected end of input/);
        assert.equal(e.line, 3);
        return true;
      });
    },
  );
  it("rejects invalid options and non-string code", SLOW, async () => {
    await using s = await SecureSession.create();
    await assert.rejects(s.execute("1", { timeout: -5 }), RangeError);
    // deno-lint-ignore no-explicit-any
    await assert.rejects(s.execute(5 as any), {
      name: "TypeError",
      message: "`code` must be a single character string.",
    });
  });
});

describe("restart()", { skip: noR }, () => {
  it("gives a new R process, keeps the tools and loses the state", SLOW, async () => {
    const t = securerTool({ name: "three", fn: () => 3 });
    await using s = await SecureSession.create({ tools: [t] });
    await s.execute("x <- 1");
    const pid = s.info().pid!;
    await s.restart();
    assert.notEqual(s.info().pid, pid);
    assert.ok(!processAlive(pid));
    await assert.rejects(s.execute("x"), /object 'x' not found/);
    assert.equal((await s.execute("three()")).value, 3);
  });
  it("is refused while an execution is running", SLOW, async () => {
    await using s = await SecureSession.create();
    const running = s.execute("Sys.sleep(0.3)");
    await assert.rejects(
      s.restart(),
      (e: unknown) =>
        e instanceof SessionBusyError &&
        e.message === "Cannot restart while an execution is in progress.",
    );
    await running;
  });
});

describe("limits a backend cannot enforce", { skip: noR }, () => {
  it("are reported in info() and in a warning, never silently dropped", SLOW, async () => {
    const lines: string[] = [];
    const lax: Backend = {
      name: "lax",
      probe: () =>
        Promise.resolve({
          ok: true,
          capabilities: {
            filesystem: false,
            network: false,
            processes: false,
            env: true,
            limits: ["cpu"],
          },
        }),
      wrap: (command) => ({ argv: command.argv, env: command.env }),
    };
    await using s = await SecureSession.create({
      backend: lax,
      limits: { cpu: 30, stack: 8_000_000 },
      verbose: (l) => lines.push(l),
    });
    assert.deepEqual(s.info().unenforcedLimits, ["stack"]);
    assert.ok(
      lines.includes(
        "[securer] warning: the lax backend does not enforce these limits here: stack",
      ),
    );
  });
});
