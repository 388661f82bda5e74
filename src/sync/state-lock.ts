import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { OmnifeedError } from "../core/errors.js";

/**
 * The lock protocol both state backends share: take (atomically, only if free or expired), renew
 * on a timer while the task runs, release in `finally` only if still ours. Each backend supplies
 * the three atomic steps; the waiting, renewing and error wording live here once.
 */

/** How long a second publish to one account waits for the first before giving up (`conflict`). */
export const DEFAULT_LOCK_WAIT_MS = 30_000;
/** How long a holder that stopped renewing (killed, frozen, cut off) keeps the lock. */
export const DEFAULT_LOCK_TTL_MS = 30_000;

/** How a store's locks behave unless a `withLock` call says otherwise (`state.lock_*` of the config). */
export interface LockTiming {
  /** How long a holder that stopped renewing keeps the lock (ms). */
  ttlMs: number;
  /** How long a second taker waits before `conflict` (ms). */
  waitMs: number;
}

/** Who holds a lock: unique per `withLock` call, readable for the conflict message. */
export interface LockOwner {
  /** Unique token: two calls in one process never share it. */
  id: string;
  pid: number;
  host: string;
}

export function newLockOwner(): LockOwner {
  return { id: randomUUID(), pid: process.pid, host: hostname() };
}

/** The steps of one backend, each atomic there. */
export interface LockSteps {
  /** Takes the lock if free or expired; otherwise says who holds it (when it can tell). */
  take(
    owner: LockOwner,
    ttlMs: number,
  ): Promise<{ taken: true } | { taken: false; holder?: { pid: number; host: string } }>;
  /** Extends the lock if still ours; false when it was lost (expired and taken by another). */
  renew(owner: LockOwner, ttlMs: number): Promise<boolean>;
  /** Deletes the lock if still ours. */
  release(owner: LockOwner): Promise<void>;
}

/** Polls between tries: short at first so a quick handover is quick, then gentler, with jitter. */
function pollDelay(attempt: number): number {
  const ceiling = Math.min(250, 20 * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Runs `task` holding the lock of `scope`. A renewal that finds the lock taken by someone else
 * means two publishes overlapped: the task's result is then not trusted and `conflict` is thrown
 * after it ends (its writes stand; the next run's delta or a reconcile settles them).
 */
export async function runLocked<T>(
  scope: string,
  steps: LockSteps,
  task: () => Promise<T>,
  options: { waitMs?: number | undefined; ttlMs?: number | undefined } = {},
): Promise<T> {
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const ttlMs = options.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  if (!(ttlMs >= 100)) throw new OmnifeedError("config", `lock ttl must be at least 100 ms (got ${ttlMs})`);
  const owner = newLockOwner();
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt += 1) {
    const result = await steps.take(owner, ttlMs);
    if (result.taken) break;
    const left = deadline - Date.now();
    if (left <= 0) {
      const who = result.holder
        ? `pid ${result.holder.pid}${result.holder.host === owner.host ? "" : ` on ${result.holder.host}`}`
        : "holder unknown";
      throw new OmnifeedError(
        "conflict",
        `${scope} is being published by another process (${who}); waited ${waitMs} ms for its lock`,
      );
    }
    await sleep(Math.min(left, pollDelay(attempt)));
  }

  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  // A third of the ttl: two renewals can fail (a slow disk, a Redis failover) before the lock lapses.
  const timer = setInterval(
    () => {
      renewing = renewing.then(async () => {
        if (lost) return;
        try {
          if (!(await steps.renew(owner, ttlMs))) lost = true;
        } catch {
          // A failed renewal is tried again at the next tick; only a lock found taken counts as lost.
        }
      });
    },
    Math.max(30, Math.floor(ttlMs / 3)),
  );
  timer.unref();

  try {
    const value = await task();
    await renewing;
    if (lost) {
      throw new OmnifeedError(
        "conflict",
        `${scope}: the lock expired while publishing and another process took it; the two runs may have overlapped`,
      );
    }
    return value;
  } finally {
    clearInterval(timer);
    await renewing;
    try {
      if (!lost) await steps.release(owner);
    } catch {
      // The store was closed or cut off: the lock lapses by itself after its ttl, and the task's
      // own outcome (value or error) matters more than this.
    }
  }
}
