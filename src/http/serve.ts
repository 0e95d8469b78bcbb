/**
 * `serve()`: runs a fetch handler (a Hono app) on the runtime this is — `Deno.serve` on
 * Deno, `Bun.serve` on Bun, `@hono/node-server` on Node — picked by the one runtime probe
 * (`detectRuntime`). `close()` stops accepting connections, lets requests in flight finish
 * within a bound, then drops what is left.
 *
 * @module
 */
import { detectRuntime } from "../platform/runtime.ts";

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** Address to bind. @default "127.0.0.1" */
  readonly host?: string;
  /** Port to bind (0: any free port). @default 8787 */
  readonly port?: number;
  /** Aborting it closes the server (as `close()`). */
  readonly signal?: AbortSignal;
  /** How long `close()` lets requests in flight finish, in milliseconds. @default 10000 */
  readonly shutdownGrace?: number;
}

/** A running server. */
export interface Server {
  /** The bound address. */
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops accepting, waits up to the grace for requests in flight, then drops the rest. */
  close(): Promise<void>;
}

/** Anything with a fetch handler, e.g. a Hono app. */
export interface FetchApp {
  /** Answers a request. */
  fetch(request: Request): Response | Promise<Response>;
}

interface DenoServer {
  readonly addr: { hostname: string; port: number };
  shutdown(): Promise<void>;
}
interface DenoServe {
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (r: Request) => Response | Promise<Response>,
  ): DenoServer;
}
interface BunServer {
  readonly port: number;
  stop(force?: boolean): Promise<void> | void;
}
interface BunServe {
  serve(options: {
    hostname: string;
    port: number;
    idleTimeout: number;
    fetch: (r: Request) => Response | Promise<Response>;
  }): BunServer;
}
const runtimes = globalThis as unknown as { Deno?: DenoServe; Bun?: BunServe };

const withGrace = async (done: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([done.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
};

const display = (host: string) => (host.includes(":") ? `[${host}]` : host);

/**
 * Serves `app` until `close()` (or `signal`).
 *
 * @example
 * ```ts
 * import { createApp, serve } from "@securer/securer/http";
 *
 * const app = await createApp({ poolOptions: { size: 2 }, token: "change-me" });
 * const server = await serve(app, { host: "127.0.0.1", port: 0 });
 * console.log(server.url);
 * await server.close();
 * await app.close();
 * ```
 */
export async function serve(app: FetchApp, options: ServeOptions = {}): Promise<Server> {
  const host = options.host ?? "127.0.0.1";
  const grace = options.shutdownGrace ?? 10_000;
  const handler = (r: Request) => app.fetch(r);
  const listen = async (): Promise<{ port: number; stop: () => Promise<void> }> => {
    switch (detectRuntime()) {
      case "deno": {
        const deno = runtimes.Deno as DenoServe;
        let ready: () => void = () => undefined;
        const listening = new Promise<void>((r) => (ready = r));
        const s = deno.serve({
          hostname: host,
          port: options.port ?? 8787,
          onListen: () => ready(),
        }, handler);
        await listening;
        return { port: s.addr.port, stop: async () => void (await withGrace(s.shutdown(), grace)) };
      }
      case "bun": {
        const bun = runtimes.Bun as BunServe;
        // idleTimeout is in seconds, 255 at most: long executions stream nothing for a while.
        const s = bun.serve({
          hostname: host,
          port: options.port ?? 8787,
          idleTimeout: 255,
          fetch: handler,
        });
        return {
          port: s.port,
          stop: async () => {
            const finished = await withGrace(Promise.resolve(s.stop(false)), grace);
            if (!finished) await s.stop(true);
          },
        };
      }
      case "node": {
        const { serve: nodeServe } = await import("@hono/node-server");
        let server: ReturnType<typeof nodeServe> | undefined;
        const port = await new Promise<number>((resolve, reject) => {
          server = nodeServe(
            { fetch: handler, hostname: host, port: options.port ?? 8787 },
            (info) => resolve(info.port),
          );
          server.once("error", reject);
        });
        const s = server as unknown as {
          close(cb: () => void): void;
          closeIdleConnections(): void;
          closeAllConnections(): void;
        };
        return {
          port,
          stop: async () => {
            const done = new Promise<void>((r) => s.close(() => r()));
            s.closeIdleConnections();
            const finished = await withGrace(done, grace);
            if (!finished) s.closeAllConnections();
            await done;
          },
        };
      }
    }
  };
  const { port, stop } = await listen();
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= stop());
  options.signal?.addEventListener("abort", () => void close(), { once: true });
  return { host, port, url: `http://${display(host)}:${port}`, close };
}
