/**
 * The npm package as a user gets it: `npm pack` (which builds `dist/` with tsdown), then the
 * tarball installed into a fresh Node project and a fresh Bun project, each importing every
 * entry point with no TypeScript loader, running one execution and one MCP call (and, under
 * Bun, where `ai` v7 runs, one AI SDK tool call); `npx securer doctor` works. Slow (a build and two installs), so it runs once, under Node, and skips visibly
 * when the npm registry cannot be reached.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { detectRuntime } from "../../src/platform/runtime.ts";
import { noR } from "../_helpers.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bun = join(root, "node_modules", ".bin", "bun");

function offline(): string | false {
  const r = spawnSync("npm", ["ping"], { encoding: "utf8", timeout: 20_000 });
  return r.status === 0
    ? false
    : `the npm registry cannot be reached (npm ping: ${r.stderr.trim().split("\n")[0]})`;
}

const skip = detectRuntime() !== "node"
  ? "runs once, under Node (it builds and installs)"
  : noR || offline();

function run(
  cmd: string,
  args: string[],
  cwd: string,
  timeout = 240_000,
  env: Record<string, string> = {},
) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout,
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  assert.equal(
    r.status,
    0,
    `${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`,
  );
  return r.stdout;
}

const SCRIPT = `
import { executeR, SecureSession, SecureSessionPool } from "securer";
import { layer } from "securer/effect";
import { builtinCatalog } from "securer/backends";
import { createApp, serve } from "securer/http";
import { createMcpServer, mcpOverHttp, serveStdio } from "securer/mcp";
import { Client } from "@modelcontextprotocol/sdk/client";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
for (const x of [executeR, SecureSessionPool, layer, createApp, serve, mcpOverHttp, serveStdio]) {
  if (typeof x !== "function") throw new Error("missing export");
}
if (typeof builtinCatalog !== "function") throw new Error("missing builtinCatalog");
const r = await executeR("6 * 7");
const out = { value: r.value };
const session = await SecureSession.create({ sandbox: true });
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await createMcpServer({ session }).connect(serverSide);
const client = new Client({ name: "pack", version: "1.0.0" });
await client.connect(clientSide);
out.mcp = (await client.callTool({ name: "execute_r", arguments: { code: "6 * 7" } })).content[0].text;
await client.close();
if (process.env.WITH_AI === "1") {
  const { asAiSdkTool } = await import("securer/ai");
  const tool = asAiSdkTool(session);
  out.ai = (await tool.execute({ code: "6 * 7" }, { toolCallId: "1", messages: [] })).text;
}
await session.close();
console.log(JSON.stringify(out));
`;

describe("the npm package", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "securer-pack-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("installs into fresh Node and Bun projects, imports every entry point and runs R", {
    timeout: 600_000,
  }, () => {
    run("npm", ["pack", "--pack-destination", dir], root);
    const tarball = join(dir, readdirSync(dir).find((f) => f.endsWith(".tgz"))!);

    const nodeApp = join(dir, "node-app");
    mkdirSync(nodeApp);
    writeFileSync(
      join(nodeApp, "package.json"),
      '{ "name": "node-app", "private": true, "type": "module" }',
    );
    run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], nodeApp);
    for (const entry of ["index", "effect", "backends", "http", "mcp", "ai"]) {
      assert.ok(
        existsSync(join(nodeApp, "node_modules/securer/dist", `${entry}.d.mts`)),
        `${entry}.d.mts`,
      );
    }
    writeFileSync(join(nodeApp, "main.mjs"), SCRIPT);
    assert.deepEqual(JSON.parse(run(process.execPath, ["main.mjs"], nodeApp)), {
      value: 42,
      mcp: "42",
    });
    // `ai` is an optional peer: npm leaves it out, and ./ai's types import it, not a copy.
    assert.ok(!existsSync(join(nodeApp, "node_modules/ai")), "ai is not installed for Node");
    const aiTypes = readFileSync(join(nodeApp, "node_modules/securer/dist/ai.d.mts"), "utf8");
    assert.match(aiTypes, /from "ai"/);
    assert.ok(aiTypes.length < 20_000, `dist/ai.d.mts is ${aiTypes.length} characters`);
    const doctor = spawnSync("npx", ["securer", "doctor"], {
      cwd: nodeApp,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.match(doctor.stdout, /R version 4\.\d/);
    assert.ok(doctor.status === 0 || doctor.status === 1, doctor.stderr);

    const bunApp = join(dir, "bun-app");
    mkdirSync(bunApp);
    writeFileSync(
      join(bunApp, "package.json"),
      '{ "name": "bun-app", "private": true, "type": "module" }',
    );
    // The AI SDK (`ai` v7 wants Node >= 22) is tried under Bun, with the version we test.
    const aiVersion = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
      .devDependencies.ai;
    run(bun, ["add", tarball, `ai@${aiVersion}`], bunApp);
    writeFileSync(join(bunApp, "main.mjs"), SCRIPT);
    assert.deepEqual(
      JSON.parse(run(bun, ["main.mjs"], bunApp, 240_000, { WITH_AI: "1" })),
      { value: 42, mcp: "42", ai: "42" },
    );
  });
});
