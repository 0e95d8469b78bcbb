/**
 * Decoding a tool call's arguments from their wire form (pure).
 *
 * @module
 */
import type { ChildMessage } from "../channel/protocol.ts";
import { fromWire } from "../channel/from_wire.ts";
import { WireFormatError } from "../channel/wire_value.ts";
import type { PreparedToolCall } from "../tools/run_tool_call.ts";

/**
 * Decodes a tool call's arguments, keeping each one's wire form for the R type checks;
 * a malformed argument gives the {@linkcode WireFormatError} (returned, not thrown).
 */
export function prepareToolCall(
  m: Extract<ChildMessage, { readonly type: "tool_call" }>,
): PreparedToolCall | WireFormatError {
  try {
    const args: Record<string, { wire: unknown; value: unknown }> = {};
    for (const [k, w] of Object.entries(m.args)) args[k] = { wire: w, value: fromWire(w) };
    return { tool: m.tool, args };
  } catch (e) {
    return e instanceof WireFormatError ? e : new WireFormatError(String(e));
  }
}
