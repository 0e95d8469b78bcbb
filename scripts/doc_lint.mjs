#!/usr/bin/env node
// Runs `deno doc --lint` on every entry point and fails on any diagnostic, except one kind
// deno doc cannot avoid: `private-type-ref` to a type of an npm dependency (Effect's
// `Effect`, `Layer`, `Scope`, ...), which deno doc does not document from node_modules.
//
// Usage: node scripts/doc_lint.mjs
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const deno = join(root, "node_modules", ".bin", "deno");
const exports = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports;
const entries = Object.values(exports);
// Types that come from npm packages: deno doc reports references to them as private.
const NPM_TYPES = new Set([
  ...["Effect", "Layer", "Scope", "Service", "Context", "ManagedRuntime"],
  ...["Tool", "Server"], // the AI SDK's tool (./ai), the MCP SDK's server (./mcp)
  "Hono", // the app createApp returns (./http)
]);

const r = spawnSync(deno, ["doc", "--lint", ...entries], {
  cwd: root,
  encoding: "utf8",
  env: { ...process.env, NO_COLOR: "1" },
});
const text = `${r.stdout}${r.stderr}`;
const blocks = text.split(/\n(?=error\[)/).filter((b) => b.startsWith("error["));
const kept = blocks.filter((b) => {
  const m = /^error\[private-type-ref\]: public type '[^']+' references private type '([^']+)'/
    .exec(b);
  return !(m && NPM_TYPES.has(m[1]));
});
for (const b of kept) console.log(b.trim(), "\n");
console.log(
  `deno doc --lint ${entries.join(" ")}: ${kept.length} problem(s)` +
    ` (${blocks.length - kept.length} references to npm types ignored)`,
);
if (blocks.length === 0 && r.status !== 0) {
  console.log(text);
  process.exit(1);
}
process.exit(kept.length === 0 ? 0 : 1);
