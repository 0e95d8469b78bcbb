/**
 * Raw vectors cross the channel as base64 (`{ t: "raw", b }`): a byte costs 4/3 of a byte on
 * the wire, so with the default 1 MiB message cap a raw vector of up to 737 073 bytes passes
 * in each of the three directions (final value, tool argument, tool result), and one byte more
 * is refused with the same "the value is too large" reason in each. Malformed base64 from R is
 * a protocol violation, never a crash.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ProtocolError, RExecutionError } from "../../mod.ts";
import { DEFAULT_MAX_MESSAGE_BYTES, valueBudget } from "../../src/channel/protocol.ts";
import { conformance } from "../_conformance.ts";
import { echoSession } from "./_echo_session.ts";
import { SLOW } from "../_helpers.ts";

const BUDGET = valueBudget(DEFAULT_MAX_MESSAGE_BYTES);
/** `{"t":"raw","b":""}`: the wire form of a raw vector, less its base64. */
const OVERHEAD = 18;
/** The most raw bytes whose wire form fits the value budget. */
const MAX_RAW = 3 * Math.floor((BUDGET - OVERHEAD) / 4);
/** The wire size of n raw bytes. */
const wireBytes = (n: number) => 4 * Math.ceil(n / 3) + OVERHEAD;
const tooLarge = (n: number) => `the value is too large (${wireBytes(n)} bytes, max ${BUDGET})`;

/** n bytes, all 256 values, deterministic (the same as R's `bytes(n)` below). */
function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 8)) % 256;
  return out;
}
const R_BYTES = "bytes <- function(n) { i <- seq_len(n) - 1; as.raw((i * 7 + i %/% 256) %% 256) }";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

conformance("raw vectors as base64", {}, (ctx) => {
  const { received, box, session } = echoSession(ctx);

  it("checks the budget arithmetic (737 073 bytes by default)", () => {
    assert.equal(MAX_RAW, 737_073);
    assert.ok(wireBytes(MAX_RAW) <= BUDGET && wireBytes(MAX_RAW + 1) > BUDGET);
  });

  it("returns a 700 KB Uint8Array from a tool to R, byte for byte", SLOW, async () => {
    await session().execute(R_BYTES);
    box.toReturn = bytes(700_000);
    const r = await session().execute(
      "x <- ret(); c(typeof(x), length(x), identical(x, bytes(700000)))",
    );
    assert.deepEqual(r.value, ["raw", "700000", "TRUE"]);
  });

  it(
    "passes a 700 KB raw vector from R as a tool argument and as a final value",
    SLOW,
    async () => {
      await session().execute(R_BYTES);
      received.length = 0;
      const r = await session().execute("x <- bytes(700000); echo(x); x");
      const expected = bytes(700_000);
      assert.ok(r.value instanceof Uint8Array);
      assert.deepEqual(r.value, expected);
      assert.deepEqual(received, [expected]);
      assert.deepEqual(r.lost, []);
    },
  );

  it("passes raw vectors at the boundary in all three directions", SLOW, async () => {
    await session().execute(R_BYTES);
    received.length = 0;
    const r = await session().execute(`x <- bytes(${MAX_RAW}); echo(x); x`);
    assert.deepEqual(r.value, bytes(MAX_RAW));
    assert.equal(r.valueOmitted, false);
    assert.deepEqual(received, [bytes(MAX_RAW)]);
    box.toReturn = bytes(MAX_RAW);
    const back = await session().execute(`identical(ret(), bytes(${MAX_RAW}))`);
    assert.equal(back.value, true);
  });

  it("refuses one byte more with the same reason in all three directions", SLOW, async () => {
    await session().execute(R_BYTES);
    const n = MAX_RAW + 1;
    const reason = tooLarge(n);
    const r = await session().execute(`bytes(${n})`);
    assert.equal(r.value, null);
    assert.equal(r.valueOmitted, true);
    assert.deepEqual(r.lost, [reason]);
    await assert.rejects(session().execute(`echo(bytes(${n}))`), (e: unknown) => {
      assert.ok(e instanceof RExecutionError, String(e));
      assert.equal(e.message, `Tool 'echo': argument 'x': ${reason}`);
      return true;
    });
    box.toReturn = bytes(n);
    await assert.rejects(session().execute("ret()"), (e: unknown) => {
      assert.ok(e instanceof RExecutionError, String(e));
      assert.match(
        e.message,
        new RegExp(`^Tool 'ret' returned a value R cannot receive: ${escape(reason)}$`),
      );
      return true;
    });
  });

  it(
    "keeps raw vectors inside lists and data frames, and notes what a Uint8Array cannot hold",
    SLOW,
    async () => {
      box.toReturn = { a: new Uint8Array([1, 2, 3]), e: new Uint8Array(0) };
      const back = await session().execute("identical(ret(), list(a = as.raw(1:3), e = raw(0)))");
      assert.equal(back.value, true);
      const r = await session().execute(
        "list(as.raw(c(0, 255)), raw(0), data.frame(b = as.raw(7:8)))",
      );
      assert.deepEqual(r.value, [new Uint8Array([0, 255]), new Uint8Array(0), [{ b: 7 }, {
        b: 8,
      }]]);
      assert.deepEqual(r.lost, []);
      const named = await session().execute("c(a = as.raw(1), b = as.raw(2))");
      assert.deepEqual(named.value, new Uint8Array([1, 2]));
      assert.deepEqual(named.lost, ["attributes dropped: names"]);
    },
  );

  const skip = ctx.backend.sandboxed &&
    "a sandbox hides the channel's FIFOs from R's code (channel_abuse.test.ts forges unsandboxed)";
  it("treats malformed base64 from R as a protocol violation", { ...SLOW, skip }, async () => {
    const forged = (value: string) =>
      `id <- environment(.securer_call_tool)$st$exec\n` +
      `con <- fifo(file.path(dirname(Sys.getenv("TMPDIR")), "res"), "w", blocking = TRUE)\n` +
      `writeLines(sprintf('{"type":"result","id":%d,"visible":true,"text":"","value":${value}}', id), con)\n` +
      `close(con); Sys.sleep(2)`;
    for (
      const [value, reason] of [
        ['{"t":"raw","b":"AQ=I"}', /a raw vector's bytes are not padded base64/],
        ['{"t":"raw","b":"AQI"}', /not a multiple of 4/],
        ['{"t":"raw","v":[1,2]}', /a raw vector is not one base64 string/],
      ] as const
    ) {
      await assert.rejects(session().execute(forged(value)), (e: unknown) => {
        assert.ok(e instanceof ProtocolError, String(e));
        assert.match(e.message, reason);
        return true;
      });
      assert.equal((await session().execute("1 + 1")).value, 2, "the session was restarted");
    }
  });
});
