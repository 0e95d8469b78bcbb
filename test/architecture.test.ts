/**
 * The layout's rules, checked on the source: the core never imports a backend, only the
 * platform seam touches runtime process APIs, the entry points export names explicitly,
 * and no source file outgrows one concern.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const root = fileURLToPath(new URL("..", import.meta.url));
const CORE = ["session", "channel", "tools", "sandbox", "platform", "validate"];

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (path.endsWith(".ts")) out.push(path);
  }
  return out;
}
const rel = (path: string) => relative(root, path).split("\\").join("/");
const imports = (text: string) =>
  [...text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]);

describe("the layout", () => {
  it("keeps the core from importing any backend (the entry points wire them in)", () => {
    const offenders: string[] = [];
    for (const folder of CORE) {
      for (const file of tsFiles(join(root, "src", folder))) {
        for (const spec of imports(readFileSync(file, "utf8"))) {
          if (spec.includes("/backends/")) offenders.push(`${rel(file)} imports ${spec}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });

  it("lets only src/platform/ spawn processes or send signals", () => {
    const offenders: string[] = [];
    const files = [...tsFiles(join(root, "src")), ...tsFiles(join(root, "backends"))];
    for (const file of files) {
      if (rel(file).startsWith("src/platform/")) continue;
      const text = readFileSync(file, "utf8");
      if (imports(text).includes("node:child_process")) {
        offenders.push(`${rel(file)} imports node:child_process`);
      }
      if (/\bprocess\.kill\(/.test(text)) offenders.push(`${rel(file)} calls process.kill`);
      if (/\b(Deno|Bun)\.(spawn|Command|run|open)\b/.test(text)) {
        offenders.push(`${rel(file)} calls a runtime process or file API`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it("exports names explicitly from every entry point (no export *)", () => {
    const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
    for (const entry of Object.values(config.exports) as string[]) {
      const text = readFileSync(join(root, entry), "utf8");
      assert.doesNotMatch(text, /export \*/, `${entry} uses export *`);
    }
  });

  it("keeps every file in src/ and backends/ under 400 lines", () => {
    const long = [...tsFiles(join(root, "src")), ...tsFiles(join(root, "backends"))]
      .map((f) => [rel(f), readFileSync(f, "utf8").split("\n").length] as const)
      .filter(([, n]) => n > 400)
      .map(([f, n]) => `${f}: ${n} lines`);
    assert.deepEqual(long, []);
  });
});
