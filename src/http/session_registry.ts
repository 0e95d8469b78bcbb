/**
 * The persistent sessions of the HTTP API: created on demand up to a cap, found by an
 * unguessable id, closed on `DELETE`, after `idleTimeoutMs` without use, or when the
 * registry closes. One execution at a time per session (a second gets 409).
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { HttpError } from "./error_body.ts";
import type { HttpSession } from "./types.ts";

interface Entry {
  readonly session: HttpSession;
  timer: ReturnType<typeof setTimeout> | undefined;
  busy: boolean;
}

/** Options of {@linkcode SessionRegistry}. */
export interface SessionRegistryOptions {
  /** Starts a session. */
  readonly create: () => Promise<HttpSession>;
  /** Most sessions open at once. */
  readonly max: number;
  /** Idle time after which a session is closed, in milliseconds. */
  readonly idleTimeoutMs: number;
}

/** The open persistent sessions. */
export class SessionRegistry {
  readonly #options: SessionRegistryOptions;
  readonly #entries = new Map<string, Entry>();
  #starting = 0;
  #closed = false;

  /** Creates an empty registry. */
  constructor(options: SessionRegistryOptions) {
    this.#options = options;
  }

  /** How many sessions are open. */
  get size(): number {
    return this.#entries.size;
  }

  /** Starts a session and returns its id; 503 past the cap. */
  async open(): Promise<string> {
    if (this.#closed) throw new HttpError(503, "ServerClosingError", "The server is closing.");
    if (this.#entries.size + this.#starting >= this.#options.max) {
      throw new HttpError(
        503,
        "TooManySessionsError",
        `Cannot open a session: ${this.#options.max} are open already (delete one first).`,
      );
    }
    this.#starting++;
    let session: HttpSession;
    try {
      session = await this.#options.create();
    } finally {
      this.#starting--;
    }
    if (this.#closed) {
      await session.close();
      throw new HttpError(503, "ServerClosingError", "The server is closing.");
    }
    const id = `s_${randomBytes(16).toString("hex")}`;
    const entry: Entry = { session, timer: undefined, busy: false };
    this.#entries.set(id, entry);
    this.#arm(id, entry);
    return id;
  }

  /** Runs `fn` on the session `id` (404 when unknown, 409 when busy); its idle clock restarts. */
  async use<T>(id: string, fn: (session: HttpSession) => Promise<T>): Promise<T> {
    const entry = this.#entries.get(id);
    if (entry === undefined) throw notFound(id);
    if (entry.busy) {
      throw new HttpError(
        409,
        "SessionBusyError",
        "Cannot execute: the session is running another execution.",
      );
    }
    entry.busy = true;
    clearTimeout(entry.timer);
    try {
      return await fn(entry.session);
    } finally {
      entry.busy = false;
      if (this.#entries.get(id) === entry) this.#arm(id, entry);
    }
  }

  /** Closes the session `id` (404 when unknown). */
  async delete(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (entry === undefined) throw notFound(id);
    await this.#drop(id, entry);
  }

  /** Closes every session; later `open()`s fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#entries].map(([id, e]) => this.#drop(id, e)));
  }

  #arm(id: string, entry: Entry): void {
    entry.timer = setTimeout(() => void this.#drop(id, entry), this.#options.idleTimeoutMs);
    // An idle session must not keep the host process alive.
    (entry.timer as { unref?: () => void }).unref?.();
  }

  async #drop(id: string, entry: Entry): Promise<void> {
    clearTimeout(entry.timer);
    if (this.#entries.get(id) !== entry) return;
    this.#entries.delete(id);
    await entry.session.close().catch(() => undefined);
  }
}

const notFound = (id: string) =>
  new HttpError(
    404,
    "SessionNotFoundError",
    `Cannot find session ${
      JSON.stringify(id.slice(0, 80))
    }: it was deleted, expired or never existed.`,
  );
