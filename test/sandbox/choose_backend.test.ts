import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Backend, Capabilities } from "../../src/sandbox/backend.ts";
import { SandboxUnavailableError } from "../../src/errors.ts";
import {
  type BackendCatalog,
  type BackendSelector,
  chooseBackend,
  makeBackendSelector,
} from "../../src/sandbox/choose_backend.ts";
import { builtinCatalog } from "../../backends/builtin.ts";
import { unsandboxed } from "../../backends/unsandboxed.ts";

const catalogOf = (selector: BackendSelector): BackendCatalog => ({
  selector,
  byName: { unsandboxed },
  unsandboxed,
});

const caps: Capabilities = {
  filesystem: true,
  network: true,
  processes: true,
  env: true,
  limits: [],
};

function fake(name: string, ok: boolean, probes: string[]): Backend {
  return {
    name,
    probe() {
      probes.push(name);
      return Promise.resolve(
        ok
          ? { ok: true, capabilities: caps }
          : { ok: false, reason: `${name} is broken`, fix: `fix ${name}` },
      );
    },
    wrap: (command) => ({ argv: command.argv, env: command.env }),
  };
}

describe("backend selection", () => {
  it("probes in order, pins the first that works and probes once per selector", async () => {
    const probes: string[] = [];
    const selector = makeBackendSelector([
      fake("a", false, probes),
      fake("b", true, probes),
      fake("c", true, probes),
    ]);
    const first = await selector.select();
    const second = await selector.select();
    assert.equal(first.choice?.backend.name, "b");
    assert.equal(second, first);
    assert.deepEqual(probes, ["a", "b"]);
    assert.deepEqual(first.reports.map((r) => [r.backend, r.ok, r.reason]), [
      ["a", false, "a is broken"],
      ["b", true, undefined],
    ]);
  });
  it("fails closed with every backend's reason and fix", async () => {
    const selector = makeBackendSelector([fake("a", false, []), fake("b", false, [])]);
    await assert.rejects(chooseBackend({ sandbox: true }, catalogOf(selector)), (e: unknown) => {
      assert.ok(e instanceof SandboxUnavailableError);
      assert.deepEqual(e.failures, [
        { backend: "a", reason: "a is broken", fix: "fix a" },
        { backend: "b", reason: "b is broken", fix: "fix b" },
      ]);
      assert.match(e.message, /- a: a is broken\n {2}fix: fix a\n- b: b is broken/);
      assert.match(e.message, /allowUnsandboxed: true/);
      return true;
    });
  });
  it("falls back to unsandboxed only when allowUnsandboxed is set", async () => {
    const selector = makeBackendSelector([fake("a", false, [])]);
    const choice = await chooseBackend(
      { sandbox: true, allowUnsandboxed: true },
      catalogOf(selector),
    );
    assert.equal(choice.backend.name, "unsandboxed");
    assert.equal(choice.fellBack, true);
  });
  it("a throwing probe counts as a failure, not a crash", async () => {
    const boom: Backend = {
      name: "boom",
      probe: () => Promise.reject(new Error("kaput")),
      wrap: (c) => c,
    };
    const { choice, reports } = await makeBackendSelector([boom]).select();
    assert.equal(choice, null);
    assert.match(reports[0].reason ?? "", /its probe threw: Error: kaput/);
  });
  it("uses unsandboxed for sandbox: false without probing the sandboxes", async () => {
    const probes: string[] = [];
    const choice = await chooseBackend(
      { sandbox: false },
      catalogOf(makeBackendSelector([fake("a", true, probes)])),
    );
    assert.equal(choice.backend.name, "unsandboxed");
    assert.equal(choice.capabilities.filesystem, false);
    assert.deepEqual(probes, []);
  });
  it("accepts a custom backend object, and refuses it when its probe fails", async () => {
    const probes: string[] = [];
    const custom = fake("mine", true, probes);
    assert.equal(
      (await chooseBackend({ sandbox: true, backend: custom }, builtinCatalog())).backend,
      custom,
    );
    await assert.rejects(
      chooseBackend({ sandbox: true, backend: fake("down", false, probes) }, builtinCatalog()),
      SandboxUnavailableError,
    );
  });
  it("rejects unknown names, malformed objects and unsandboxed for sandbox: true", async () => {
    await assert.rejects(
      chooseBackend({ sandbox: true, backend: "nope" }, builtinCatalog()),
      /Unknown backend "nope"/,
    );
    await assert.rejects(
      chooseBackend(
        { sandbox: true, backend: { name: "x" } as unknown as Backend },
        builtinCatalog(),
      ),
      TypeError,
    );
    await assert.rejects(
      chooseBackend({ sandbox: true, backend: "unsandboxed" }, builtinCatalog()),
      /The "unsandboxed" backend cannot serve `sandbox: true`/,
    );
  });
});
