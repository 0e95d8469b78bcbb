/**
 * Every route of `createApp()` and every kind of bad input, over `app.request()`, with a
 * real pool of sandboxed R sessions behind it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { toJsonSchema } from "@valibot/to-json-schema";
import { securerTool } from "../../mod.ts";
import { createApp, type SecurerApp } from "../../src/http/mod.ts";
import { ExecuteRequest, ExecuteResponse } from "../../src/http/schemas.ts";
import { noR, sleep, SLOW } from "../_helpers.ts";

const TOKEN = "test-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };

/** Resolvers the tools below wait on, so tests order events without timing. */
const gates: { go: Promise<void>; started: () => void } = {
  go: Promise.resolve(),
  started: () => {},
};
const tools = [
  securerTool({
    name: "add",
    args: { a: "numeric", b: "numeric" },
    fn: ({ a, b }) => Number(a) + Number(b),
  }),
  securerTool({
    name: "wait_for_go",
    description: "Waits until the test says go",
    fn: async () => (await gates.go, true),
  }),
  securerTool({ name: "started", fn: () => (gates.started(), true) }),
  securerTool({
    name: "boom",
    fn: () => {
      throw new Error("no such table");
    },
  }),
];

const post = (app: SecurerApp, path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("createApp", { skip: noR }, () => {
  let app: SecurerApp;
  before(async () => {
    app = await createApp({
      poolOptions: { size: 1, sandbox: true, files: { maxFiles: 2 } },
      tools,
      token: TOKEN,
      maxBodyBytes: 4096,
      bodyTimeout: 300,
      maxTimeout: 1_000,
      maxCodeLength: 2000,
      maxSessions: 2,
      acquireTimeout: 20_000,
    });
  }, SLOW);
  after(() => app?.close());

  it("answers /v1/health without a token, with the pool's status and the backend", async () => {
    const res = await app.request("/v1/health");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, "ok");
    assert.equal(body.backend, "bubblewrap");
    assert.deepEqual(Object.keys(body.pool).sort(), ["busy", "dead", "idle", "starting", "total"]);
    assert.equal(body.pool.total, 1);
  });

  it("refuses every other route without the right bearer token (401)", async () => {
    for (
      const [path, method] of [
        ["/v1/tools", "GET"],
        ["/v1/openapi.json", "GET"],
        ["/v1/execute", "POST"],
        ["/v1/sessions", "POST"],
        ["/v1/sessions/x", "DELETE"],
      ]
    ) {
      const none = await app.request(path, { method });
      assert.equal(none.status, 401, `${method} ${path}`);
      assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.equal((await none.json())._tag, "UnauthorizedError");
      const wrong = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${TOKEN}x` },
      });
      assert.equal(wrong.status, 401, `${method} ${path} with a wrong token`);
      await wrong.body?.cancel();
    }
    const prefix = await app.request("/v1/tools", {
      headers: { authorization: `Bearer ${TOKEN.slice(0, 5)}` },
    });
    assert.equal(prefix.status, 401);
  });

  it(
    "runs code with POST /v1/execute and returns value, text, visible and output",
    SLOW,
    async () => {
      const res = await post(app, "/v1/execute", { code: 'cat("hi\\n"); x <- add(20, 1); x * 2' });
      assert.equal(res.status, 200);
      const r = await res.json();
      assert.equal(r.value, 42);
      assert.equal(r.visible, true);
      assert.equal(r.text, "[1] 42");
      assert.deepEqual(r.output, ["hi"]);
      assert.equal(typeof r.elapsedMs, "number");
    },
  );

  it("spells NaN and infinities as strings and keeps NA as null", SLOW, async () => {
    const res = await post(app, "/v1/execute", { code: "c(NaN, Inf, -Inf, NA, 1)" });
    assert.deepEqual((await res.json()).value, ["NaN", "Inf", "-Inf", null, 1]);
  });

  it(
    "answers R errors, syntax errors and too-long code with 422 and the error's _tag",
    SLOW,
    async () => {
      const rErr = await post(app, "/v1/execute", { code: 'cat("before\\n"); stop("boom")' });
      assert.equal(rErr.status, 422);
      const e = await rErr.json();
      assert.equal(e._tag, "RExecutionError");
      assert.match(e.message, /boom/);
      assert.deepEqual(e.output, ["before"]);

      const syntax = await post(app, "/v1/execute", { code: "1 +\n)" });
      assert.equal(syntax.status, 422);
      const s = await syntax.json();
      assert.equal(s._tag, "RSyntaxError");
      assert.equal(s.line, 2);

      const long = await post(app, "/v1/execute", { code: "#".repeat(2500) });
      assert.equal(long.status, 422);
      assert.equal((await long.json())._tag, "CodeTooLongError");
    },
  );

  it("caps a request's timeout at maxTimeout", SLOW, async () => {
    const res = await post(app, "/v1/execute", { code: "Sys.sleep(20)", timeout: 600_000 });
    assert.equal(res.status, 422);
    const e = await res.json();
    assert.equal(e._tag, "ExecutionTimeoutError");
    assert.equal(e.timeoutMs, 1_000);
  });

  it("answers malformed JSON and schema violations with 400 naming the field", async () => {
    const bad = await post(app, "/v1/execute", "{ code: 1");
    assert.equal(bad.status, 400);
    const b = await bad.json();
    assert.equal(b._tag, "BadRequestError");
    assert.match(b.message, /JSON/);
    const cases: [unknown, string][] = [
      [{ code: 5 }, "code"],
      [{}, "code"],
      [{ code: "1", timeout: -3 }, "timeout"],
      [{ code: "1", timeout: "5" }, "timeout"],
      [{ code: "1", tiemout: 5 }, "tiemout"],
    ];
    for (const [body, field] of cases) {
      const res = await post(app, "/v1/execute", body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const e = await res.json();
      assert.equal(e.field, field, JSON.stringify(body));
      assert.match(e.message, new RegExp("`" + field + "`"));
    }
    const notObject = await post(app, "/v1/execute", "[1, 2]");
    assert.equal(notObject.status, 400);
    const session = await post(app, "/v1/sessions/whatever/execute", { code: 1 });
    assert.equal(session.status, 400);
  });

  it("refuses a body over maxBodyBytes with 413, declared or streamed", async () => {
    const declared = await post(app, "/v1/execute", { code: "x".repeat(5000) });
    assert.equal(declared.status, 413);
    assert.equal((await declared.json())._tag, "PayloadTooLargeError");
    const chunk = new TextEncoder().encode(" ".repeat(1000));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 10) c.enqueue(chunk);
        else c.close();
      },
    });
    const streamed = await app.request("/v1/execute", {
      method: "POST",
      headers: auth,
      body,
      duplex: "half",
    } as RequestInit);
    assert.equal(streamed.status, 413);
  });

  it("answers a client that stalls while sending its body with 408, holding no session", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"code": "1'));
      },
    });
    const res = await app.request("/v1/execute", {
      method: "POST",
      headers: auth,
      body,
      duplex: "half",
    } as RequestInit);
    assert.equal(res.status, 408);
    assert.equal((await res.json())._tag, "RequestTimeoutError");
    const health = await (await app.request("/v1/health")).json();
    assert.equal(health.pool.busy, 0);
  });

  it("lists the tools with their R signatures at GET /v1/tools", async () => {
    const res = await app.request("/v1/tools", { headers: auth });
    assert.equal(res.status, 200);
    const { tools: listed } = await res.json();
    const add = listed.find((t: { name: string }) => t.name === "add");
    assert.equal(add.signature, "add(a, b)");
    assert.deepEqual(add.args, [{ name: "a", type: "numeric" }, { name: "b", type: "numeric" }]);
    assert.equal(
      listed.find((t: { name: string }) => t.name === "wait_for_go").description,
      "Waits until the test says go",
    );
  });

  it("serves an OpenAPI 3.1 document generated from the request schemas", async () => {
    const res = await app.request("/v1/openapi.json", { headers: auth });
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.openapi, "3.1.0");
    assert.deepEqual(
      doc.components.schemas.ExecuteRequest,
      JSON.parse(JSON.stringify(toJsonSchema(ExecuteRequest, { target: "draft-2020-12" }))),
    );
    assert.deepEqual(doc.components.schemas.ExecuteRequest.required, ["code"]);
    const result = doc.components.schemas.ExecuteResult;
    assert.deepEqual(
      result,
      JSON.parse(JSON.stringify(toJsonSchema(ExecuteResponse, { target: "draft-2020-12" }))),
    );
    assert.equal(result.properties.images.items.properties.data.type, "string");
    for (const key of ["textTruncated", "lost", "images", "files", "dropped"]) {
      assert.ok(result.required.includes(key), key);
    }
    assert.equal(doc.components.schemas.ExecuteRequest.additionalProperties, false);
    for (
      const path of [
        "/v1/health",
        "/v1/execute",
        "/v1/sessions",
        "/v1/sessions/{id}/execute",
        "/v1/sessions/{id}",
        "/v1/tools",
      ]
    ) {
      assert.ok(doc.paths[path], path);
    }
  });

  it("keeps state in a persistent session until DELETE, then answers 404", SLOW, async () => {
    const created = await post(app, "/v1/sessions", "");
    assert.equal(created.status, 201);
    const { id } = await created.json();
    assert.match(id, /^s_[0-9a-f]{32}$/);
    assert.equal(
      (await post(app, `/v1/sessions/${id}/execute`, { code: "kept_here <- 41" })).status,
      200,
    );
    const r = await post(app, `/v1/sessions/${id}/execute`, { code: "kept_here + 1" });
    assert.equal((await r.json()).value, 42);
    const viaExecute = await post(app, "/v1/execute", { code: "kept_here + 2", session: id });
    assert.equal((await viaExecute.json()).value, 43);
    // The pool's session does not see it.
    const pooled = await post(app, "/v1/execute", { code: 'exists("kept_here")' });
    assert.equal((await pooled.json()).value, false);
    const del = await app.request(`/v1/sessions/${id}`, { method: "DELETE", headers: auth });
    assert.equal(del.status, 204);
    const gone = await post(app, `/v1/sessions/${id}/execute`, { code: "x" });
    assert.equal(gone.status, 404);
    assert.equal((await gone.json())._tag, "SessionNotFoundError");
    const again = await app.request(`/v1/sessions/${id}`, { method: "DELETE", headers: auth });
    assert.equal(again.status, 404);
  });

  it(
    "caps the open sessions (503) and runs one execution per session at a time (409)",
    SLOW,
    async () => {
      const a = (await (await post(app, "/v1/sessions", {})).json()).id;
      const b = (await (await post(app, "/v1/sessions", {})).json()).id;
      const third = await post(app, "/v1/sessions", {});
      assert.equal(third.status, 503);
      assert.equal((await third.json())._tag, "TooManySessionsError");
      const started = new Promise<void>((r) => (gates.started = r));
      const first = post(app, `/v1/sessions/${a}/execute`, {
        code: "started(); Sys.sleep(0.5); 1",
      });
      await started;
      const second = await post(app, `/v1/sessions/${a}/execute`, { code: "2" });
      assert.equal(second.status, 409);
      assert.equal((await second.json())._tag, "SessionBusyError");
      assert.equal((await (await first).json()).value, 1);
      for (const id of [a, b]) {
        await app.request(`/v1/sessions/${id}`, { method: "DELETE", headers: auth });
      }
    },
  );

  it("streams output events before the result with Accept: text/event-stream", SLOW, async () => {
    let go = () => {};
    gates.go = new Promise<void>((r) => (go = r));
    const res = await post(app, "/v1/execute", {
      code: 'cat("first\\n"); invisible(wait_for_go()); cat("second\\n"); 7',
    }, {
      accept: "text/event-stream",
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    // This test is about output: the tool events (wait_for_go's) have their own test.
    const events = withoutToolEvents(readEvents(res.body!));
    const one = await events.next();
    assert.deepEqual(one.value, { event: "output", data: "first" });
    // R is blocked in wait_for_go() until now: the output arrived before the result existed.
    go();
    const rest: { event: string; data: unknown }[] = [];
    for await (const e of events) {
      rest.push(e);
    }
    assert.deepEqual(rest.map((e) => e.event), ["output", "result"]);
    assert.equal(rest[0].data, "second");
    assert.equal((rest[1].data as { value: number }).value, 7);
  });

  it(
    "streams tool_call and tool_result events as R calls host tools, before the result",
    SLOW,
    async () => {
      let go = () => {};
      gates.go = new Promise<void>((r) => (go = r));
      const res = await post(app, "/v1/execute?stream=1", {
        code: "x <- add(1, 2); invisible(wait_for_go()); x",
      });
      const events = readEvents(res.body!);
      const first: { event: string; data: unknown }[] = [];
      for (let i = 0; i < 3; i++) first.push((await events.next()).value!);
      // R is blocked in wait_for_go() until now: its call arrived before the result existed.
      assert.deepEqual(first.map((e) => e.event), ["tool_call", "tool_result", "tool_call"]);
      assert.deepEqual(first[0].data, { tool: "add", args: { a: 1, b: 2 } });
      const added = first[1].data as { tool: string; elapsedMs: number; error?: string };
      assert.equal(added.tool, "add");
      assert.equal(typeof added.elapsedMs, "number");
      assert.equal(added.error, undefined);
      assert.deepEqual(first[2].data, { tool: "wait_for_go", args: {} });
      go();
      const rest: { event: string; data: unknown }[] = [];
      for await (const e of events) rest.push(e);
      assert.deepEqual(rest.map((e) => e.event), ["tool_result", "result"]);
      assert.equal((rest[1].data as { value: number }).value, 3);
    },
  );

  it("streams a failed tool call's error in its tool_result event", SLOW, async () => {
    const res = await post(app, "/v1/execute?stream=1", {
      code: 'tryCatch(boom(), error = function(e) "caught")',
    });
    const all: { event: string; data: unknown }[] = [];
    for await (const e of readEvents(res.body!)) all.push(e);
    assert.deepEqual(all.map((e) => e.event), ["tool_call", "tool_result", "result"]);
    assert.match(
      (all[1].data as { error: string }).error,
      /^no such table$/,
    );
  });

  it("returns images and files in base64, dropped ones, textTruncated and lost", SLOW, async () => {
    const res = await post(app, "/v1/execute", {
      code:
        'plot(1:10); plot(10:1); writeLines("a,b", file.path(Sys.getenv("SECURER_OUTPUT_DIR"), "t.csv"))\n' +
        'as.difftime(90, units = "mins")',
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.images.length, 2);
    for (const image of body.images) {
      assert.equal(image.mimeType, "image/png");
      assert.equal(typeof image.data, "string");
      const png = Uint8Array.from(atob(image.data), (c) => c.charCodeAt(0));
      assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
      const view = new DataView(png.buffer);
      assert.deepEqual([view.getUint32(16), view.getUint32(20)], [image.width, image.height]);
    }
    assert.deepEqual(body.files.map((f: { name: string }) => f.name), ["t.csv"]);
    assert.equal(atob(body.files[0].data), "a,b\n");
    assert.deepEqual(body.dropped, []);
    assert.equal(body.textTruncated, false);
    assert.deepEqual(body.lost, ['attributes dropped: class "difftime", units "mins"']);
  });

  it(
    "streams an image event per image before the result, and an R error's images",
    SLOW,
    async () => {
      const res = await post(app, "/v1/execute?stream=1", { code: "plot(1:3); plot(3:1); 5" });
      const all: { event: string; data: unknown }[] = [];
      for await (const e of readEvents(res.body!)) all.push(e);
      assert.deepEqual(all.map((e) => e.event), ["image", "image", "result"]);
      const images = all.slice(0, 2).map((e) => e.data as { index: number; data: string });
      assert.deepEqual(images.map((i) => i.index), [0, 1]);
      assert.ok(images.every((i) => atob(i.data).startsWith("\x89PNG")));
      const result = all[2].data as { value: number; images: Record<string, unknown>[] };
      assert.equal(result.value, 5);
      // The result lists the images without their data: it came in the image events.
      assert.deepEqual(Object.keys(result.images[0]).sort(), ["height", "mimeType", "width"]);

      const failed = await post(app, "/v1/execute", { code: 'plot(1:3); stop("after the plot")' });
      assert.equal(failed.status, 422);
      const error = await failed.json();
      assert.equal(error._tag, "RExecutionError");
      assert.equal(error.images.length, 1);
      assert.ok(atob(error.images[0].data).startsWith("\x89PNG"));
    },
  );

  it("streams an image event as soon as the page is done, while R still runs", SLOW, async () => {
    let go = () => {};
    gates.go = new Promise<void>((r) => (go = r));
    const res = await post(app, "/v1/execute?stream=1", {
      code: "plot(1:3); plot(3:1); invisible(wait_for_go()); 5",
    });
    const events = readEvents(res.body!);
    const first: { event: string; data: unknown }[] = [];
    for (let i = 0; i < 2; i++) first.push((await events.next()).value!);
    // R is blocked in wait_for_go() until go(): page 1 came while the code ran.
    assert.deepEqual(first.map((e) => e.event), ["image", "tool_call"]);
    const page1 = first[0].data as { index: number; mimeType: string; data: string };
    assert.equal(page1.index, 0);
    assert.ok(atob(page1.data).startsWith("\x89PNG"));
    go();
    const rest: { event: string; data: unknown }[] = [];
    for await (const e of events) rest.push(e);
    assert.deepEqual(rest.map((e) => e.event), ["tool_result", "image", "result"]);
    assert.equal((rest[1].data as { index: number }).index, 1);
    const result = rest[2].data as { value: number; images: Record<string, unknown>[] };
    assert.equal(result.value, 5);
    assert.equal(result.images.length, 2);
    assert.ok(result.images.every((i) => !("data" in i)));
  });

  it("says in the result what a cap left out", SLOW, async () => {
    const res = await post(app, "/v1/execute", {
      code:
        'for (i in 1:3) writeLines("x", file.path(Sys.getenv("SECURER_OUTPUT_DIR"), paste0(i, ".txt")))',
    });
    const body = await res.json();
    assert.deepEqual(body.files.map((f: { name: string }) => f.name), ["1.txt", "2.txt"]);
    assert.equal(body.dropped.length, 1);
    assert.equal(body.dropped[0].kind, "file");
    assert.equal(body.dropped[0].name, "3.txt");
  });

  it("streams an error event with ?stream=1", SLOW, async () => {
    const res = await post(app, "/v1/execute?stream=1", { code: 'stop("nope")' });
    const all: { event: string; data: unknown }[] = [];
    for await (const e of readEvents(res.body!)) all.push(e);
    assert.equal(all.at(-1)!.event, "error");
    const data = all.at(-1)!.data as { _tag: string; status: number };
    assert.equal(data._tag, "RExecutionError");
    assert.equal(data.status, 422);
  });

  it("cancels the execution when the client disconnects, freeing the session", SLOW, async () => {
    const controller = new AbortController();
    const started = new Promise<void>((r) => (gates.started = r));
    const pending = Promise.resolve(app.request("/v1/execute", {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ code: "started(); Sys.sleep(600); 1" }),
      signal: controller.signal,
    })).catch((e) => e);
    await started;
    controller.abort();
    await pending;
    // The only pooled session is free again (else this waits for it and fails with 503).
    const res = await post(app, "/v1/execute", { code: "1 + 1" });
    assert.equal((await res.json()).value, 2);
  });

  it("answers unknown routes with 404 JSON", async () => {
    const res = await app.request("/v1/nope", { headers: auth });
    assert.equal(res.status, 404);
    assert.equal((await res.json())._tag, "NotFoundError");
  });
});

describe("createApp's idle expiry", { skip: noR }, () => {
  it("closes a persistent session after sessionIdleTimeout", SLOW, async () => {
    await using app = await createApp({
      poolOptions: { size: 1 },
      token: TOKEN,
      sessionIdleTimeout: 200,
    });
    const { id } = await (await post(app, "/v1/sessions", {})).json();
    const open = async () => (await (await app.request("/v1/health")).json()).sessions;
    assert.equal(await open(), 1);
    const until = Date.now() + 10_000;
    while (Date.now() < until && await open() > 0) await sleep(50);
    const res = await post(app, `/v1/sessions/${id}/execute`, { code: "1" });
    assert.equal(res.status, 404);
    assert.equal(await open(), 0);
  });
});

describe("createApp's options", () => {
  it("requires a token", async () => {
    await assert.rejects(createApp({ token: "" } as never), TypeError);
    await assert.rejects(createApp({} as never), /token/);
  });
});

/** The events of `events` but `tool_call` and `tool_result`. */
async function* withoutToolEvents(
  events: AsyncGenerator<{ event: string; data: unknown }>,
): AsyncGenerator<{ event: string; data: unknown }> {
  for await (const e of events) if (!e.event.startsWith("tool_")) yield e;
}

/** Parses a server-sent event stream into `{ event, data }` with `data` JSON-decoded. */
async function* readEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ event: string; data: unknown }> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      yield { event, data: JSON.parse(data) };
    }
  }
}
