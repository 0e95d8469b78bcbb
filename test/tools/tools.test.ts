import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as v from "valibot";
import { RExecutionError, securerTool, SecureSession, ToolCallLimitError } from "../../mod.ts";
import { ADD_TOOL, noR, sleep, SLOW } from "../_helpers.ts";
import { conformance } from "../_conformance.ts";

conformance("tool calls", {}, (ctx) => {
  const calls: unknown[] = [];
  let aborted = 0;
  const session = ctx.shareSession({
    // Values are held to the same size in every direction: big() needs more than 1 MiB.
    maxMessageBytes: 8 * 1_048_576,
    tools: [
      ADD_TOOL,
      securerTool({
        name: "slow_add",
        args: { a: "numeric", b: "numeric" },
        fn: async ({ a, b }) => {
          await sleep(20);
          return (a as number) + (b as number);
        },
      }),
      securerTool({ name: "now", fn: () => "tick" }),
      securerTool({ name: "big", fn: () => new Uint8Array(1_500_000).fill(127) }),
      securerTool({ name: "echo", args: { x: null }, fn: ({ x }) => (calls.push(x), x) }),
      securerTool({
        name: "fail",
        args: { why: "character" },
        fn: ({ why }) => {
          throw new Error(`${why} at /home/alice/app/db.ts:12`);
        },
      }),
      securerTool({
        name: "hang",
        timeout: 200,
        fn: (_args, { signal }) =>
          new Promise((resolve) => {
            signal.addEventListener("abort", () => (aborted++, resolve("late")));
          }),
      }),
      securerTool({
        name: "pick",
        args: { n: v.pipe(v.number(), v.integer(), v.minValue(1)) },
        fn: ({ n }) => n * 2,
      }),
      securerTool({
        name: "typed",
        args: { i: "integer", l: "logical", s: "character", df: "data.frame", li: "list" },
        fn: () => true,
      }),
    ],
  });

  it("calls a synchronous tool", SLOW, async () => {
    assert.equal((await session().execute("add(1, 2)")).value, 3);
  });
  it("calls an async tool", SLOW, async () => {
    assert.equal((await session().execute("slow_add(2, 3) * 10")).value, 50);
  });
  it("calls a zero-argument tool and rejects extra arguments in R", SLOW, async () => {
    assert.equal((await session().execute("now()")).value, "tick");
    await assert.rejects(session().execute("now(1)"), /unused argument/);
  });
  it("serves hundreds of calls in a loop, in order", SLOW, async () => {
    const r = await session().execute("s <- 0; for (i in 1:300) s <- add(s, i); s");
    assert.equal(r.value, 45150);
  });
  it(
    "gives the tool wrappers the tool's argument names and locks their bindings",
    SLOW,
    async () => {
      assert.deepEqual((await session().execute("names(formals(add))")).value, ["a", "b"]);
      assert.equal((await session().execute("add(b = 10, a = 1)")).value, 11);
      await assert.rejects(
        session().execute("add <- function(a, b) 0"),
        /cannot change value of locked binding for 'add'/,
      );
      await assert.rejects(
        session().execute(".securer_call_tool <- NULL"),
        /cannot change value of locked binding for '.securer_call_tool'/,
      );
    },
  );
  it("checks argument types in R with the reference's message", SLOW, async () => {
    await assert.rejects(session().execute('add(1, "a")'), {
      name: "RExecutionError",
      message: "Tool 'add': argument 'b' must be numeric, got character",
    });
    await assert.rejects(
      session().execute("typed(1, TRUE, 's', data.frame(), list())"),
      /argument 'i' must be integer, got numeric/,
    );
    assert.equal(
      (await session().execute("typed(1L, NA, 's', data.frame(a = 1), list())")).value,
      true,
    );
  });
  it(
    "checks argument types again on the host, so calls that bypass the wrapper fail too",
    SLOW,
    async () => {
      await assert.rejects(
        session().execute('.securer_call_tool("add", list(a = 1, b = "x"))'),
        /Tool 'add': argument 'b' must be numeric, got character/,
      );
    },
  );
  it("rejects unknown tools, unexpected and missing argument names", SLOW, async () => {
    await assert.rejects(
      session().execute('.securer_call_tool("nope", list())'),
      /Unknown tool: nope/,
    );
    await assert.rejects(
      session().execute('.securer_call_tool("add", list(a = 1, b = 2, evil = 3))'),
      /Unexpected arguments for tool 'add': ‘evil’/,
    );
    await assert.rejects(
      session().execute('.securer_call_tool("add", list(a = 1))'),
      /Missing arguments for tool 'add': ‘b’/,
    );
    await assert.rejects(
      session().execute('.securer_call_tool("add", list(1, 2))'),
      /tool arguments must be named/,
    );
  });
  it(
    "validates schema-typed arguments on the host and passes the parsed value",
    SLOW,
    async () => {
      assert.equal((await session().execute("pick(4)")).value, 8);
      await assert.rejects(
        session().execute("pick(0)"),
        /Tool 'pick': argument 'n' is invalid: .*1/,
      );
      await assert.rejects(session().execute("pick(1.5)"), /Tool 'pick': argument 'n' is invalid/);
    },
  );
  it(
    "turns a throwing tool into an R error with a sanitized message that R can catch",
    SLOW,
    async () => {
      await assert.rejects(session().execute('fail("db down")'), (e: unknown) => {
        assert.ok(e instanceof RExecutionError);
        assert.equal(e.message, "db down at [path]:12");
        return true;
      });
      const r = await session().execute(
        'tryCatch(fail("x"), securer_tool_error = function(e) conditionMessage(e))',
      );
      assert.equal(r.value, "x at [path]:12");
    },
  );
  it(
    "times a slow tool out, aborts its signal, discards its late reply and serves the next call",
    SLOW,
    async () => {
      await assert.rejects(session().execute("hang()"), /Tool 'hang' timed out after 0.2 seconds/);
      assert.equal(aborted, 1);
      await sleep(50);
      assert.equal((await session().execute("add(20, 22)")).value, 42);
    },
  );
  it("delivers a tool result of megabytes whole", { timeout: 120_000 }, async () => {
    // A test of size, not speed: time enough for a loaded machine.
    const r = await session().execute("x <- big(); c(length(x), sum(as.integer(x)))", {
      timeout: 110_000,
    });
    assert.deepEqual(r.value, [1_500_000, 1_500_000 * 127]);
  });
  it("passes R values to tools as JavaScript values", SLOW, async () => {
    calls.length = 0;
    await session().execute(
      "echo(c(1.5, NA)); echo(list(a = 1L, b = 'x')); echo(data.frame(x = 1:2, y = c('a', NA)))",
    );
    assert.deepEqual(calls, [[1.5, null], { a: 1, b: "x" }, [{ x: 1, y: "a" }, {
      x: 2,
      y: null,
    }]]);
  });
  it("stops at maxToolCalls with ToolCallLimitError and keeps the session", SLOW, async () => {
    await assert.rejects(
      session().execute("for (i in 1:5) add(i, 1)", { maxToolCalls: 2 }),
      (e: unknown) => {
        assert.ok(e instanceof ToolCallLimitError);
        assert.equal(e.message, "Maximum tool calls (2) exceeded");
        assert.equal(e.limit, 2);
        return true;
      },
    );
    assert.equal((await session().execute("add(1, 1)", { maxToolCalls: 1 })).value, 2);
  });
});

describe("tool definitions in the session", { skip: noR }, () => {
  it("lists tools with their argument types", SLOW, async () => {
    await using s = await SecureSession.create({
      tools: [
        securerTool({ name: "q", description: "Query", args: { table: "character" }, fn: () => 1 }),
      ],
    });
    assert.deepEqual(s.tools(), [{
      name: "q",
      description: "Query",
      args: [{ name: "table", type: "character" }],
    }]);
  });
});
