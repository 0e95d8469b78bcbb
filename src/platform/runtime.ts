/**
 * Which JavaScript runtime this is, and the few runtime globals the platform seam uses.
 *
 * @module
 */

/** The JavaScript runtime the code runs on. */
export type RuntimeName = "deno" | "bun" | "node";

/** The slice of Deno's `FsFile` the seam uses. */
export interface DenoFile {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
}
/** The slice of the `Deno` global the seam uses. */
export interface DenoLike {
  open(path: string, options: { read: boolean; write: boolean }): Promise<DenoFile>;
}
/** The slice of Bun's `FileSink` the seam uses. */
export interface BunSink {
  write(chunk: Uint8Array | string): number | Promise<number>;
  flush(): number | Promise<number>;
  end(): unknown;
}
/** The slice of the `Bun` global the seam uses. */
export interface BunLike {
  file(fd: number): { stream(): ReadableStream<Uint8Array>; writer(): BunSink };
}
/** The runtime globals, typed. */
export const globals = globalThis as unknown as { Deno?: DenoLike; Bun?: BunLike };

/** Which runtime this is: the one runtime probe of the seam. */
export function detectRuntime(): RuntimeName {
  if (globals.Deno !== undefined) return "deno";
  if (globals.Bun !== undefined) return "bun";
  return "node";
}
