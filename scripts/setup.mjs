#!/usr/bin/env node
// Installs what a fresh machine lacks before the demo or the tests run:
// the system packages (R, jsonlite, bubblewrap; with --test also a C compiler and static
// libc, which the sandbox-escape tests use to build their attack programs) and
// node_modules. Plain Node with no dependencies, so it runs before `npm ci`.
//
// System packages are installed only when this process is root or `sudo -n`
// works; otherwise it prints the exact command and stops with exit code 1.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const forTests = process.argv.includes("--test");
const APT_PACKAGES = [
  "bubblewrap",
  "r-base-core",
  "r-cran-jsonlite",
  ...(forTests ? ["gcc", "libc6-dev"] : []),
];

function say(line) {
  process.stderr.write(`[setup] ${line}\n`);
}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { stdio: "inherit", ...opts });
}

function quiet(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  return { ok: r.status === 0, out: (r.stdout ?? "").trim() };
}

function has(cmd) {
  return quiet("sh", ["-c", `command -v ${cmd}`]).ok;
}

function canCompileStatic() {
  const dir = mkdtempSync(join(tmpdir(), "securer-setup-"));
  try {
    writeFileSync(join(dir, "t.c"), "int main(void) { return 0; }\n");
    return quiet("cc", ["-static", "-o", join(dir, "t"), join(dir, "t.c")]).ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function missingSystemPackages() {
  const missing = [];
  if (!has("R") || !has("Rscript")) missing.push("r-base-core");
  else {
    const probe = quiet("Rscript", [
      "--vanilla",
      "-e",
      'quit(status = if (requireNamespace("jsonlite", quietly = TRUE)) 0 else 1)',
    ]);
    if (!probe.ok) missing.push("r-cran-jsonlite");
  }
  if (process.platform === "linux" && !has("bwrap")) missing.push("bubblewrap");
  if (forTests && process.platform === "linux" && !canCompileStatic()) {
    missing.push("gcc", "libc6-dev");
  }
  return missing;
}

function installSystemPackages(missing) {
  if (process.platform !== "linux" || !has("apt-get")) {
    say(`missing: ${missing.join(", ")}`);
    say(
      process.platform === "darwin"
        ? "install R from https://cran.r-project.org, then run: Rscript -e 'install.packages(\"jsonlite\")'"
        : "install R (4.2 or later) and the jsonlite R package, then run this command again",
    );
    process.exit(1);
  }
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const sudo = isRoot ? [] : quiet("sudo", ["-n", "true"]).ok ? ["sudo", "-n"] : null;
  const install = ["apt-get", "install", "-y", "--no-install-recommends", ...APT_PACKAGES];
  if (sudo === null) {
    say(`missing: ${missing.join(", ")}; this needs root. Run:`);
    say(`  sudo apt-get update && sudo ${install.join(" ")}`);
    process.exit(1);
  }
  say(`installing ${APT_PACKAGES.join(" ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const asRoot = (args) =>
    sudo.length
      ? run(sudo[0], [...sudo.slice(1), ...args], { env })
      : run(args[0], args.slice(1), { env });
  if (asRoot(["apt-get", "update", "-qq"]).status !== 0) {
    say("apt-get update failed; trying the install anyway");
  }
  if (asRoot(install).status !== 0) {
    say("apt-get install failed");
    process.exit(1);
  }
}

function lockHash() {
  return createHash("sha256").update(readFileSync(join(root, "package-lock.json"))).digest("hex");
}

function ensureNodeModules() {
  const stamp = join(root, "node_modules", ".securer-lock-sha256");
  const want = lockHash();
  const fresh = existsSync(stamp) && readFileSync(stamp, "utf8").trim() === want &&
    existsSync(join(root, "node_modules", ".bin", "deno"));
  if (fresh) return;
  say("node_modules is missing or stale: running npm ci");
  const r = run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root });
  if (r.status !== 0) {
    say("npm ci failed");
    process.exit(1);
  }
  writeFileSync(stamp, `${want}\n`);
}

const missing = missingSystemPackages();
if (missing.length > 0) {
  installSystemPackages(missing);
  const still = missingSystemPackages();
  if (still.length > 0) {
    say(`still missing after install: ${still.join(", ")}`);
    process.exit(1);
  }
}
ensureNodeModules();
