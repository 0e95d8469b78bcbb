/**
 * Advisory warnings for calls the sandbox may restrict, found in the syntax
 * tree: names inside strings and comments never match, and calls are found
 * however they are written (`system(...)`, `` `system`(...) ``,
 * `"system"(...)`, `base::system(...)`, `(system)(...)`, `x |> system()`).
 *
 * Wording (one warning per function, first occurrence decides the form):
 * - direct call:
 *   ``Code contains call to `system()` which may be restricted by the sandbox``
 * - call through a name lookup or `do.call`:
 *   ``Code contains indirect call to `system()` via `get()` which may be restricted by the sandbox``
 *   for `get("system")`, `get0`, `mget`, `match.fun`, `getFunction`,
 *   `do.call("system", ...)` / `do.call(system, ...)` and
 *   `getExportedValue("base", "system")`;
 * - any function of processx or callr (`processx::run()`, `callr::r()`)
 *   counts as a restricted call; used without a call
 *   (`processx::process$new()`) it is reported as
 *   ``Code uses `processx::process` which may be restricted by the sandbox``;
 *   loading them is reported as
 *   ``Code loads package `processx` which may be restricted by the sandbox``.
 *
 * Warnings never block execution; the OS sandbox is the boundary.
 *
 * @module
 */
import type { RArg, RCall, RNode, RProgram } from "./ast.ts";

/** Functions whose calls are reported (the reference's list plus SPEC §10's). */
export const RESTRICTED_FUNCTIONS: readonly string[] = Object.freeze([
  "system",
  "system2",
  "shell",
  "shell.exec",
  ".Internal",
  ".Call",
  ".C",
  ".Fortran",
  ".External",
  ".External2",
  "dyn.load",
  "pipe",
  "socketConnection",
  "url",
  "download.file",
  "Sys.setenv",
  "do.call",
]);

const RESTRICTED: ReadonlySet<string> = new Set(RESTRICTED_FUNCTIONS);
const RESTRICTED_PACKAGES: ReadonlySet<string> = new Set(["processx", "callr"]);
const LOOKUPS: ReadonlySet<string> = new Set(["get", "get0", "mget", "match.fun", "getFunction"]);
const LOADERS: ReadonlySet<string> = new Set([
  "library",
  "require",
  "requireNamespace",
  "loadNamespace",
  "attachNamespace",
]);

/** Collects warnings, one per key, in order of first occurrence. */
class Collector {
  /** Messages by key; created with the first warning, as most code has none. */
  seen: Map<string, string> | null = null;
  add(key: string, message: string): void {
    const seen = this.seen ??= new Map();
    if (!seen.has(key)) seen.set(key, message);
  }
  /** The messages in order of first occurrence. */
  messages(): string[] {
    return this.seen === null ? [] : [...this.seen.values()];
  }
  direct(name: string): void {
    this.add(name, `Code contains call to \`${name}()\` which may be restricted by the sandbox`);
  }
  indirect(name: string, via: string): void {
    this.add(
      name,
      `Code contains indirect call to \`${name}()\` via \`${via}()\` which may be restricted by the sandbox`,
    );
  }
}

/** Names whose arguments can name another function or a package. */
const ROUTES: ReadonlySet<string> = new Set([
  ...LOOKUPS,
  ...LOADERS,
  "do.call",
  "getExportedValue",
]);

const IS_RESTRICTED = 1;
const IS_ROUTE = 2;
const IS_NAMESPACE = 4;

/** One lookup per called name: what to check for it. */
const FLAGS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const n of RESTRICTED) m.set(n, IS_RESTRICTED);
  for (const n of ROUTES) m.set(n, (m.get(n) ?? 0) | IS_ROUTE);
  m.set("::", IS_NAMESPACE);
  m.set(":::", IS_NAMESPACE);
  return m;
})();

/**
 * Per ASCII character, one bit per length of the names in {@link FLAGS}
 * starting with it, so that most called names are passed over without
 * hashing them.
 */
const FLAG_LENGTHS: readonly number[] = (() => {
  const t: number[] = new Array(128).fill(0);
  for (const n of FLAGS.keys()) t[n.charCodeAt(0)] |= 1 << n.length;
  return t;
})();

/** What to check for a call to `name` (see {@link FLAGS}), or undefined. */
function flagsOf(name: string): number | undefined {
  const len = name.length;
  const c = len > 0 && len < 32 ? name.charCodeAt(0) : 128;
  return c < 128 && (FLAG_LENGTHS[c] >>> len) & 1 ? FLAGS.get(name) : undefined;
}

/** The warnings for a parsed program, in order of first occurrence. */
export function findWarnings(program: RProgram): string[] {
  const out = new Collector();
  // Depth-first, in source order, without recursion; leaves are not queued.
  const todo: RNode[] = [];
  for (let i = program.exprs.length - 1; i >= 0; i--) todo.push(program.exprs[i]);
  while (todo.length > 0) {
    const node = todo.pop()!;
    if (node.type === "function") {
      todo.push(node.body);
      for (let i = node.params.length - 1; i >= 0; i--) {
        const d = node.params[i].default;
        if (d !== null && (d.type === "call" || d.type === "function")) todo.push(d);
      }
      continue;
    }
    if (node.type !== "call") continue;
    const fn = node.fn;
    if (fn.type === "sym") {
      const flags = flagsOf(fn.name);
      if (flags !== undefined) checkCall(fn.name, flags, node, out);
    } else {
      const target = calledName(fn);
      if (target !== null) {
        const { pkg, name } = target;
        if (pkg !== null && RESTRICTED_PACKAGES.has(pkg)) out.direct(`${pkg}::${name}`);
        else if (RESTRICTED.has(name) && (pkg === null || pkg === "base")) out.direct(name);
        if ((pkg === null || pkg === "base") && ROUTES.has(name)) checkIndirect(name, node, out);
      }
      if (fn.type === "call" || fn.type === "function") todo.push(fn);
    }
    const args = node.args;
    for (let i = args.length - 1; i >= 0; i--) {
      const v = args[i].value;
      if (v !== null && (v.type === "call" || v.type === "function")) todo.push(v);
    }
  }
  return out.messages();
}

function checkCall(name: string, flags: number, node: RCall, out: Collector): void {
  if (flags & IS_NAMESPACE) {
    // `processx::process` used without being called here (e.g. `$new()`)
    const ns = calledName(node);
    if (ns !== null && RESTRICTED_PACKAGES.has(ns.pkg!)) {
      const key = `${ns.pkg}::${ns.name}`;
      out.add(key, `Code uses \`${key}\` which may be restricted by the sandbox`);
    }
  }
  if (flags & IS_RESTRICTED) out.direct(name);
  if (flags & IS_ROUTE) checkIndirect(name, node, out);
}

/** The function a call's head names: `f`, `` `f` ``, `pkg::f`, `(f)`. */
function calledName(fn: RNode): { pkg: string | null; name: string } | null {
  while (fn.type === "call" && fn.syntax === "paren" && fn.args.length === 1 && fn.args[0].value) {
    fn = fn.args[0].value;
  }
  if (fn.type === "sym") return { pkg: null, name: fn.name };
  if (fn.type === "call" && fn.syntax === "binary" && fn.fn.type === "sym") {
    const op = fn.fn.name;
    if (op !== "::" && op !== ":::") return null;
    const pkg = nameOf(fn.args[0]?.value ?? null);
    const name = nameOf(fn.args[1]?.value ?? null);
    if (pkg !== null && name !== null) return { pkg, name };
  }
  return null;
}

/** A symbol's name or a string's value. */
function nameOf(node: RNode | null): string | null {
  if (node === null) return null;
  if (node.type === "sym") return node.name;
  if (node.type === "str") return node.value;
  return null;
}

/** The argument matched by `name`, else the `pos`-th unnamed one (0-based). */
function argument(call: RCall, name: string, pos: number): RArg | undefined {
  const named = call.args.find((a) => a.name === name);
  if (named) return named;
  return call.args.filter((a) => a.name === null)[pos];
}

/** A restricted function named by a symbol, a string or `c("...")`, or null. */
function restricted(node: RNode | null): string | null {
  const n = nameOf(node);
  if (n !== null && RESTRICTED.has(n)) return n;
  if (node?.type === "call" && node.fn.type === "sym" && node.fn.name === "c") {
    for (const a of node.args) {
      const inner = restricted(a.value);
      if (inner) return inner;
    }
  }
  return null;
}

function checkIndirect(fname: string, call: RCall, out: Collector): void {
  if (LOOKUPS.has(fname)) {
    const a = argument(call, fname === "match.fun" ? "FUN" : "x", 0);
    const target = a?.value ?? null;
    // get(system) looks up the value of a variable; match.fun(system) is the function itself
    const hit = target?.type === "sym" && fname !== "match.fun" ? null : restricted(target);
    if (hit) out.indirect(hit, fname);
  } else if (fname === "do.call") {
    const hit = restricted(argument(call, "what", 0)?.value ?? null);
    if (hit && hit !== "do.call") out.indirect(hit, "do.call");
  } else if (fname === "getExportedValue") {
    const hit = restricted(argument(call, "name", 1)?.value ?? null);
    if (hit) out.indirect(hit, "getExportedValue");
  } else if (LOADERS.has(fname)) {
    const pkg = nameOf(argument(call, "package", 0)?.value ?? null);
    if (pkg !== null && RESTRICTED_PACKAGES.has(pkg)) {
      out.add(
        `package:${pkg}`,
        `Code loads package \`${pkg}\` which may be restricted by the sandbox`,
      );
    }
  }
}
