/**
 * The errors securer raises. Each is a plain `Error` subclass with a literal `_tag`
 * (equal to its `name`), so `instanceof` works in the Promise API and `Effect.catchTag`
 * works in the Effect API.
 *
 * @module
 */
import type { DroppedOutput, OutputFile, PlotImage } from "./plots/types.ts";

/** Fields shared by errors that carry the output an execution produced before it failed. */
export interface OutputTail {
  /** Output lines captured before the failure, in order. */
  /** Output lines captured before the failure, in order. */
  readonly output: readonly string[];
}

/** R code raised an error. The session stays usable. */
export class RExecutionError extends Error implements OutputTail {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "RExecutionError" as const;
  /** Equal to `_tag`. */
  override readonly name = "RExecutionError";
  /** The call R reported with the error (`f()` in `Error in f() : boom`), if any. */
  readonly call: string | null;
  /** R's call stack at the error, innermost first (empty when unavailable). */
  readonly traceback: readonly string[];
  /** Output lines captured before the failure, in order. */
  readonly output: readonly string[];
  /** The pages drawn before the error, as in `ExecuteResult.images`. */
  readonly images: readonly PlotImage[];
  /** The files written to `SECURER_OUTPUT_DIR` before the error, as in `ExecuteResult.files`. */
  readonly files: readonly OutputFile[];
  /** Images and files left out, as in `ExecuteResult.dropped`. */
  readonly dropped: readonly DroppedOutput[];
  /** Creates the error with its message and fields. */
  constructor(
    message: string,
    options: {
      call?: string | null;
      traceback?: readonly string[];
      output?: readonly string[];
      images?: readonly PlotImage[];
      files?: readonly OutputFile[];
      dropped?: readonly DroppedOutput[];
    } = {},
  ) {
    super(message);
    this.call = options.call ?? null;
    this.traceback = options.traceback ?? [];
    this.output = options.output ?? [];
    this.images = options.images ?? [];
    this.files = options.files ?? [];
    this.dropped = options.dropped ?? [];
  }
}

/** The code does not parse; it was not executed. */
export class RSyntaxError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "RSyntaxError" as const;
  /** Equal to `_tag`. */
  override readonly name = "RSyntaxError";
  /** 1-based line of the error, when known. */
  readonly line: number | null;
  /** Column of the error as R reports it, when known. */
  readonly column: number | null;
  /** Creates the error with its message and fields. */
  constructor(message: string, options: { line?: number | null; column?: number | null } = {}) {
    super(message);
    this.line = options.line ?? null;
    this.column = options.column ?? null;
  }
}

/** The execution ran past its timeout (or its `signal` was aborted). */
export class ExecutionTimeoutError extends Error implements OutputTail {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "ExecutionTimeoutError" as const;
  /** Equal to `_tag`. */
  override readonly name = "ExecutionTimeoutError";
  /** The timeout in milliseconds (`null` when the execution was aborted by a signal). */
  readonly timeoutMs: number | null;
  /**
   * `true` when R stopped at the soft interrupt and kept its state; `false` when the
   * process had to be killed and restarted, losing all state.
   */
  readonly stateKept: boolean;
  /** Output lines captured before the failure, in order. */
  readonly output: readonly string[];
  /** Creates the error with its message and fields. */
  constructor(
    message: string,
    options: { timeoutMs: number | null; stateKept: boolean; output?: readonly string[] },
  ) {
    super(message);
    this.timeoutMs = options.timeoutMs;
    this.stateKept = options.stateKept;
    this.output = options.output ?? [];
  }
}

/** The session (or the pool's session) is closed or not running. */
export class SessionClosedError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "SessionClosedError" as const;
  /** Equal to `_tag`. */
  override readonly name = "SessionClosedError";
}

/** An execution is already in progress on this session. */
export class SessionBusyError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "SessionBusyError" as const;
  /** Equal to `_tag`. */
  override readonly name = "SessionBusyError";
}

/** One backend's probe result, as listed by {@linkcode SandboxUnavailableError}. */
export interface BackendFailure {
  /** The backend's name. */
  readonly backend: string;
  /** Why it cannot run here. */
  readonly reason: string;
  /** What would make it work, when known. */
  readonly fix?: string;
}

/** `sandbox: true` was asked for and no sandbox backend works on this machine. */
export class SandboxUnavailableError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "SandboxUnavailableError" as const;
  /** Equal to `_tag`. */
  override readonly name = "SandboxUnavailableError";
  /** Every backend that was tried, with its reason and fix. */
  readonly failures: readonly BackendFailure[];
  /** Creates the error with its message and fields. */
  constructor(message: string, failures: readonly BackendFailure[] = []) {
    super(message);
    this.failures = failures;
  }
}

/** A tool definition is invalid, or a tool call failed host-side. */
export class ToolError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "ToolError" as const;
  /** Equal to `_tag`. */
  override readonly name = "ToolError";
  /** The tool concerned, when there is one. */
  readonly tool: string | null;
  /** Creates the error with its message and fields. */
  constructor(message: string, options: { tool?: string | null; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.tool = options.tool ?? null;
  }
}

/** The execution made more tool calls than `maxToolCalls` allows. */
export class ToolCallLimitError extends Error implements OutputTail {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "ToolCallLimitError" as const;
  /** Equal to `_tag`. */
  override readonly name = "ToolCallLimitError";
  /** The limit that was exceeded. */
  readonly limit: number;
  /** Output lines captured before the failure, in order. */
  readonly output: readonly string[];
  /** Creates the error with its message and fields. */
  constructor(message: string, options: { limit: number; output?: readonly string[] }) {
    super(message);
    this.limit = options.limit;
    this.output = options.output ?? [];
  }
}

/**
 * The R child broke the protocol (malformed, oversized or unexpected message). The child
 * was killed and the session restarts; the execution's state is lost.
 */
export class ProtocolError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "ProtocolError" as const;
  /** Equal to `_tag`. */
  override readonly name = "ProtocolError";
}

/** The R process died. The session restarts; its state is lost. */
export class ChildCrashedError extends Error implements OutputTail {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "ChildCrashedError" as const;
  /** Equal to `_tag`. */
  override readonly name = "ChildCrashedError";
  /** The exit code, when the process exited. */
  readonly exitCode: number | null;
  /** The signal that killed it, when one did (e.g. `SIGKILL`, `SIGXCPU`). */
  readonly signal: string | null;
  /** The likely cause in words, e.g. "the CPU time limit (60 s) was reached". */
  readonly likelyCause: string | null;
  /** Output lines captured before the failure, in order. */
  readonly output: readonly string[];
  /** Creates the error with its message and fields. */
  constructor(
    message: string,
    options: {
      exitCode: number | null;
      signal: string | null;
      likelyCause?: string | null;
      output?: readonly string[];
    },
  ) {
    super(message);
    this.exitCode = options.exitCode;
    this.signal = options.signal;
    this.likelyCause = options.likelyCause ?? null;
    this.output = options.output ?? [];
  }
}

/** The R process could not be started or did not complete its handshake. */
export class SessionStartError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "SessionStartError" as const;
  /** Equal to `_tag`. */
  override readonly name = "SessionStartError";
  /** Creates the error with its message and fields. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** The session reached `maxExecutions`. */
export class MaxExecutionsError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "MaxExecutionsError" as const;
  /** Equal to `_tag`. */
  override readonly name = "MaxExecutionsError";
}

/** The code is longer than `maxCodeLength`. */
export class CodeTooLongError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "CodeTooLongError" as const;
  /** Equal to `_tag`. */
  override readonly name = "CodeTooLongError";
}

/** The pool was closed: nothing more can be run through it. */
export class PoolClosedError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "PoolClosedError" as const;
  /** Equal to `_tag`. */
  override readonly name = "PoolClosedError";
  /** Creates the error; `message` defaults to the reference's `Pool is closed.` */
  constructor(message = "Pool is closed.", options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** No session of the pool became free within `acquireTimeout`. */
export class PoolExhaustedError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "PoolExhaustedError" as const;
  /** Equal to `_tag`. */
  override readonly name = "PoolExhaustedError";
  /** Creates the error; `message` defaults to the reference's `All sessions are busy.` */
  constructor(message = "All sessions are busy.") {
    super(message);
  }
}

/** The `preExecuteHook` threw, or returned `false` to block the code. */
export class PreExecuteHookError extends Error {
  /** The tag (`Effect.catchTag`). */
  readonly _tag = "PreExecuteHookError" as const;
  /** Equal to `_tag`. */
  override readonly name = "PreExecuteHookError";
  /** `true` when the hook returned `false`; `false` when it threw. */
  readonly blocked: boolean;
  /** Creates the error with its message and fields. */
  constructor(message: string, options: { blocked: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.blocked = options.blocked;
  }
}

/** Every error `execute()` can fail with. */
export type ExecuteError =
  | RExecutionError
  | RSyntaxError
  | ExecutionTimeoutError
  | SessionClosedError
  | SessionBusyError
  | ToolCallLimitError
  | ProtocolError
  | ChildCrashedError
  | SessionStartError
  | MaxExecutionsError
  | CodeTooLongError
  | PreExecuteHookError;
