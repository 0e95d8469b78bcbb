/**
 * The pool's bookkeeping as plain data: the state of each session the pool holds, the
 * counts `status()` reports and the `toString()` line, in the reference's format. Pure: no
 * Effect, no I/O.
 *
 * @module
 */

/** What `pool.status()` reports. */
export interface PoolStatus {
  /** Sessions the pool holds: `busy + idle + dead + starting`. */
  readonly total: number;
  /** Sessions lent out (running an execution, or held by `withSession`/`acquire`). */
  readonly busy: number;
  /** Sessions ready to be handed out. */
  readonly idle: number;
  /** Sessions whose R process failed, or that are being closed; never handed out. */
  readonly dead: number;
  /** Sessions being started (first start, replacement or recycling). */
  readonly starting: number;
}

/** The state of one session in the pool. */
export type SlotState = "idle" | "busy" | "dead";

/** One session's entry, as the counts see it. */
export interface SlotView {
  readonly state: SlotState;
  /** Whether the session still runs a healthy R process (checked for idle sessions). */
  readonly alive: boolean;
}

/** The counts of `status()`; all zero once the pool is closed. */
export function countStatus(
  slots: Iterable<SlotView>,
  starting: number,
  closed: boolean,
): PoolStatus {
  if (closed) return { total: 0, busy: 0, idle: 0, dead: 0, starting: 0 };
  let busy = 0;
  let idle = 0;
  let dead = 0;
  for (const slot of slots) {
    if (slot.state === "busy") busy++;
    else if (slot.state === "idle" && slot.alive) idle++;
    else dead++;
  }
  return { total: busy + idle + dead + starting, busy, idle, dead, starting };
}

/** `<SecureSessionPool> size=2 idle=2 busy=0`, or `<SecureSessionPool> [closed]`. */
export function formatPool(size: number, status: PoolStatus, closed: boolean): string {
  if (closed) return "<SecureSessionPool> [closed]";
  return `<SecureSessionPool> size=${size} idle=${status.idle} busy=${status.busy}`;
}
