/**
 * The native pipe as R 4.2's grammar action `xxpipe()` builds it, with its
 * checks, and the placeholder rules:
 *
 * - the right-hand side must be a call (`x |> f` is an error), and not a
 *   call to a syntactically special function (`if`, `function`, `+`, `[`,
 *   `$`, `(`, `::` ...);
 * - `x |> f(y = _)` puts `x` where the placeholder `_` is; `_` must be a
 *   named argument of that call, appear there once, and not in the called
 *   function itself;
 * - any `_` left anywhere in a finished top-level expression (except inside
 *   a function's default values, which R does not look into) is an error.
 *
 * @module
 */
import type { RArg, RNode, RPlaceholder } from "./ast.ts";
import { arg, call, nul, sym } from "./ast_build.ts";
import { plainError } from "./parse_error.ts";

/** Functions R refuses as the right-hand side of a pipe (`IS_SPECIAL_SYMBOL` in R 4.2). */
const SPECIAL_SYMBOLS: ReadonlySet<string> = new Set([
  "if",
  "while",
  "repeat",
  "for",
  "break",
  "next",
  "return",
  "function",
  "(",
  "{",
  "+",
  "-",
  "*",
  "/",
  "^",
  "%%",
  "%/%",
  "%*%",
  ":",
  "::",
  ":::",
  "?",
  "|>",
  "~",
  "@",
  "==",
  "!=",
  "<",
  ">",
  "<=",
  ">=",
  "&",
  "|",
  "&&",
  "||",
  "!",
  "<-",
  "<<-",
  "=",
  "$",
  "[",
  "[[",
  "$<-",
  "[<-",
  "[[<-",
]);

/**
 * The first placeholder R's `checkForPlaceholder()` finds in `node`, or
 * null. Iterative, so deeply nested code cannot exhaust the call stack.
 */
export function findPlaceholder(node: RNode): RPlaceholder | null {
  const todo: RNode[] = [node];
  while (todo.length > 0) {
    const n = todo.pop()!;
    switch (n.type) {
      case "placeholder":
        return n;
      case "call":
        for (let i = n.args.length - 1; i >= 0; i--) {
          const v = n.args[i].value;
          if (v !== null) todo.push(v);
        }
        todo.push(n.fn);
        break;
      case "function":
        todo.push(n.body);
        break;
    }
  }
  return null;
}

function semantic(message: string, at: { line: number; col: number }) {
  return plainError("semantic", message, at.line, at.col);
}

/** Builds `lhs |> rhs` as R does, or throws R's error. */
export function buildPipe(lhs: RNode, rhs: RNode): RNode {
  if (rhs.type === "function") {
    // R sees the call `function`(formals, body, NULL).
    if (rhs.body.type === "placeholder") {
      throw semantic("pipe placeholder can only be used as a named argument", rhs.body);
    }
    throw semantic("function 'function' not supported in RHS call of a pipe", rhs);
  }
  if (rhs.type !== "call") {
    throw semantic("The pipe operator requires a function call as RHS", rhs);
  }
  const fn = rhs.fn;
  if (fn.type === "sym" && fn.name === "=>") return pipeBind(lhs, rhs.args, rhs);
  const inFn = findPlaceholder(fn);
  if (inFn) throw semantic("pipe placeholder cannot be used in the RHS function", inFn);
  const args = rhs.args;
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === null || v.type !== "placeholder") continue;
    if (args[i].name === null) {
      throw semantic("pipe placeholder can only be used as a named argument", v);
    }
    for (let j = i + 1; j < args.length; j++) {
      const w = args[j].value;
      if (w !== null && w.type === "placeholder") {
        throw semantic("pipe placeholder may only appear once", w);
      }
    }
    const replaced = args.slice();
    replaced[i] = arg(args[i].name, lhs);
    return call(fn, replaced, "pipe", rhs.line, rhs.col);
  }
  if (fn.type === "sym" && SPECIAL_SYMBOLS.has(fn.name)) {
    throw semantic(`function '${fn.name}' not supported in RHS call of a pipe`, rhs);
  }
  const piped: RArg[] = [arg(null, lhs)];
  for (let i = 0; i < args.length; i++) piped.push(args[i]);
  return call(fn, piped, "pipe", rhs.line, rhs.col);
}

/** `x |> \`=>\`(y, body)`: R turns it into `(function(y) body)(x)`. */
function pipeBind(lhs: RNode, args: readonly RArg[], at: RNode): RNode {
  const first = args.length > 0 ? args[0].value : undefined;
  if (first === undefined || (first !== null && first.type !== "sym")) {
    throw semantic("RHS variable must be a symbol", at);
  }
  const { line, col } = at;
  // No second argument gives a NULL body; an empty one, R's empty symbol.
  const body: RNode = args.length < 2 ? nul(line, col) : args[1].value ?? sym("", false, line, col);
  const param = { name: first === null ? "" : first.name, default: null, line, col };
  const fn: RNode = { type: "function", params: [param], body, lambda: false, line, col };
  return call(fn, [arg(null, lhs)], "pipe", line, col);
}
