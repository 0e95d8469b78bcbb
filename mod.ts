/**
 * securer: let LLMs write R code that calls your functions — safely.
 *
 * R code runs in a child R process inside an operating-system sandbox, and calls
 * *tools* (TypeScript functions of the host) over a private channel.
 *
 * This entry point is the Promise API; `./effect` has the same sessions as Effect
 * programs, and `./backends` the sandbox backend contract and the built-in backends.
 *
 * @example
 * ```ts
 * import { executeR, securerTool } from "@securer/securer";
 *
 * const query_db = securerTool({
 *   name: "query_db",
 *   description: "Rows of one of R's datasets",
 *   args: { table: "character", limit: "numeric" },
 *   fn: ({ table, limit }) => [{ mpg: 21 }, { mpg: 22.8 }].slice(0, Number(limit)),
 * });
 * const r = await executeR('d <- query_db("mtcars", 2)\nmean(d$mpg)', { tools: [query_db] });
 * console.log(r.value); // 21.9
 * ```
 *
 * @module
 */
export { SecureSession } from "./src/facade/secure_session.ts";
export {
  type AcquireOptions,
  SecureSessionPool,
  type SessionLease,
} from "./src/pool/secure_session_pool.ts";
export type { PoolExecuteOptions, PoolOptions, ResetMode } from "./src/pool/pool_options.ts";
export type { PoolStatus } from "./src/pool/pool_status.ts";
export { executeR, type ExecuteROptions } from "./src/facade/execute_r.ts";
export {
  type ArgSchema,
  type ArgsOf,
  type ArgType,
  type ArgValueOf,
  type RMatrix,
  type RValueOf,
  type RValues,
  type RVector,
  type SchemaOutput,
  type SchemaResult,
  securerTool,
  type Tool,
  type ToolArg,
  type ToolContext,
  type ToolDefinition,
  type ToolInfo,
} from "./src/tools/securer_tool.ts";
export { sanitizeErrorMessage } from "./src/tools/sanitize_error_message.ts";
export type { ExecuteOptions, SessionOptions } from "./src/session/options.ts";
export type { ToolCallEvent } from "./src/tools/run_tool_call.ts";
export type { ExecuteResult } from "./src/session/run_execution.ts";
export type {
  DroppedOutput,
  FileOptions,
  OutputFile,
  PlotImage,
  PlotOptions,
} from "./src/plots/types.ts";
export type { SessionInfo } from "./src/session/session.ts";
export type { VerboseOption } from "./src/session/session_log.ts";
export { DEFAULT_LIMITS, type Limits } from "./src/sandbox/limits.ts";
export type { Backend, Capabilities, ProbeResult } from "./src/sandbox/backend.ts";
export type { CgroupMode, LimitScope } from "./src/sandbox/cgroup.ts";
export type { RTypeName } from "./src/channel/wire_value.ts";
export { validateCode, type ValidateResult } from "./src/validate/mod.ts";
export {
  type FormattableResult,
  formatToolResult,
  type FormatToolResultOptions,
  type ImageNote,
} from "./src/format/format_tool_result.ts";
export { formatToolError, STATE_LOST_NOTE } from "./src/format/format_tool_error.ts";
export {
  describeExecuteR,
  type IsolationNote,
  type ToolDescriptionInput,
} from "./src/format/tool_description.ts";
export { type ExecuteRToolDefinition, toolDefinition } from "./src/agents/tool_definition.ts";
export {
  type ExecuteRToolOptions,
  type RExecutor,
  type ToolImage,
  type ToolOutcome,
} from "./src/agents/r_executor.ts";
export {
  type AnthropicTool,
  anthropicTool,
  type AnthropicToolResult,
  anthropicToolResults,
  type OpenAIChatTool,
  openAIChatTool,
  openAIChatToolMessages,
  type OpenAIResponsesTool,
  openAIResponsesTool,
  openAIResponsesToolOutputs,
} from "./src/agents/provider_shapes.ts";
export {
  doctor,
  type DoctorBackend,
  type DoctorCgroups,
  type DoctorReport,
  formatDoctorReport,
} from "./src/doctor/doctor.ts";
export {
  type BackendFailure,
  ChildCrashedError,
  CodeTooLongError,
  type ExecuteError,
  ExecutionTimeoutError,
  MaxExecutionsError,
  type OutputTail,
  PoolClosedError,
  PoolExhaustedError,
  PreExecuteHookError,
  ProtocolError,
  RExecutionError,
  RSyntaxError,
  SandboxUnavailableError,
  SessionBusyError,
  SessionClosedError,
  SessionStartError,
  ToolCallLimitError,
  ToolError,
} from "./src/errors.ts";
