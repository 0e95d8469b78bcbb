/**
 * The session the values tests share: `echo(x)` records each argument R sends (in
 * `received`), and `ret()` returns whatever `box.toReturn` holds, so a value can be sent
 * from R as a final value and as a tool argument, and to R as a tool result.
 *
 * @module
 */
import { securerTool } from "../../mod.ts";
import type { ConformanceContext } from "../_conformance.ts";

/** The shared echo session of a conformance block. */
export function echoSession(ctx: ConformanceContext): {
  readonly received: unknown[];
  readonly box: { toReturn: unknown };
  readonly session: ReturnType<ConformanceContext["shareSession"]>;
} {
  const received: unknown[] = [];
  const box: { toReturn: unknown } = { toReturn: null };
  const session = ctx.shareSession({
    tools: [
      securerTool({ name: "echo", args: { x: null }, fn: ({ x }) => (received.push(x), true) }),
      securerTool({ name: "ret", fn: () => box.toReturn }),
    ],
  });
  return { received, box, session };
}
