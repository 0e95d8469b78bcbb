/**
 * The npm build (`npm run build`): every entry point in deno.json's `exports` becomes an
 * ES module in `dist/` with its `.d.ts` (declarations come from oxc's isolated-declarations
 * transform, which the JSR "no slow types" rule already makes possible), plus the
 * `securer` command line. Dependencies stay external.
 */
import { readFileSync } from "node:fs";
import { defineConfig } from "tsdown";

const exportsMap: Record<string, string> = JSON.parse(readFileSync("deno.json", "utf8")).exports;
const entry: Record<string, string> = { cli: "src/cli/bin.ts" };
for (const [key, file] of Object.entries(exportsMap)) {
  entry[key === "." ? "index" : key.slice(2)] = file;
}

export default defineConfig({
  entry,
  format: "esm",
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  dts: { oxc: true },
  sourcemap: false,
});
